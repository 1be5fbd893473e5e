export { collectProvenance, PROVENANCE_TOOLS, type Provenance } from './provenance.js';
export * from './records.js';
export { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
export { openStore, Store, workerName, type OpenOptions } from './store.js';
