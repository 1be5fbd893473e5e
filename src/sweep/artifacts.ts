import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { cacheRoot, sha256 } from '../util/cache.js';
import { KEY_PREFIX } from './redis.js';

/** A file travelling between machines of a distributed sweep, named by its content. */
export interface ArtifactRef {
  /** sha256 of the bytes. */
  readonly hash: string;
  readonly bytes: number;
}

/** Largest artifact that travels through Redis (a model file of a wide network is a few MB). */
export const ARTIFACT_LIMIT_BYTES = 64 << 20;
/** Artifacts outlive a sweep's jobs in Redis by this long; the coordinator keeps its own copy. */
const ARTIFACT_TTL_SECONDS = 7 * 86_400;

const keyOf = (hash: string): string => `${KEY_PREFIX}:artifact:${hash}`;

/** Where this machine keeps the artifacts it made or received: `<cache>/artifacts/<sha256>`. */
export function artifactPath(hash: string, cacheDir?: string): string {
  return join(cacheRoot(cacheDir), 'artifacts', hash);
}

/** Keep bytes under their hash here (written aside, then renamed: never half a file). */
export function keepArtifact(data: Buffer, cacheDir?: string): ArtifactRef {
  const hash = sha256(data);
  const path = artifactPath(hash, cacheDir);
  if (!existsSync(path)) {
    mkdirSync(join(path, '..'), { recursive: true });
    const scratch = `${path}.${process.pid}.tmp`;
    writeFileSync(scratch, data);
    renameSync(scratch, path);
  }
  return { hash, bytes: data.length };
}

/** Put a kept artifact into Redis unless it is there already. */
export async function publishArtifact(redis: Redis, ref: ArtifactRef, cacheDir?: string): Promise<void> {
  if (ref.bytes > ARTIFACT_LIMIT_BYTES) throw new Error(`artifact ${ref.hash} is ${ref.bytes} bytes, over the ${ARTIFACT_LIMIT_BYTES}-byte limit of the queue`);
  if ((await redis.exists(keyOf(ref.hash))) === 1) return;
  const data = readFileSync(artifactPath(ref.hash, cacheDir));
  await redis.set(keyOf(ref.hash), data, 'EX', ARTIFACT_TTL_SECONDS, 'NX');
}

/** An artifact kept here, put into Redis again unless it is there (Redis restarted empty, or it expired). */
export async function republishArtifact(redis: Redis, hash: string, cacheDir?: string): Promise<ArtifactRef> {
  const ref = { hash, bytes: statSync(artifactPath(hash, cacheDir)).size };
  await publishArtifact(redis, ref, cacheDir);
  return ref;
}

/** Keep bytes here and put them into Redis: what a worker hands on. */
export async function shareArtifact(redis: Redis, data: Buffer, cacheDir?: string): Promise<ArtifactRef> {
  const ref = keepArtifact(data, cacheDir);
  await publishArtifact(redis, ref, cacheDir);
  return ref;
}

/**
 * The local path of an artifact: kept here already, or fetched from Redis and checked against its
 * hash and size before it is kept (a damaged or substituted file is refused, never used).
 */
export async function fetchArtifact(redis: Redis, ref: ArtifactRef, cacheDir?: string): Promise<string> {
  const path = artifactPath(ref.hash, cacheDir);
  if (existsSync(path)) return path;
  if (ref.bytes > ARTIFACT_LIMIT_BYTES) throw new Error(`artifact ${ref.hash} is ${ref.bytes} bytes, over the ${ARTIFACT_LIMIT_BYTES}-byte limit of the queue`);
  const data = await redis.getBuffer(keyOf(ref.hash));
  if (!data) throw new Error(`artifact ${ref.hash} is not in Redis (expired, or Redis restarted): the coordinator publishes it again`);
  const hash = sha256(data);
  if (hash !== ref.hash || data.length !== ref.bytes) throw new Error(`artifact ${ref.hash} arrived as ${data.length} bytes hashing to ${hash}: refused`);
  keepArtifact(data, cacheDir);
  return path;
}
