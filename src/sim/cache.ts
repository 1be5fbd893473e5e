/** Kept for older imports: the cache is src/util/cache.ts. */
export { cached, cacheRoot, contentKey, type CacheEntry } from '../util/cache.js';
