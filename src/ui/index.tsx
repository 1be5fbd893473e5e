import { render } from 'ink';
import { App } from './App.js';
import { JobController, type JobOptions } from './jobs.js';
import { StoreReader } from './storeReader.js';

export { App, type AppProps } from './App.js';
export { JobController, SMALL_SWEEP_FLAGS, type JobOptions, type JobsView } from './jobs.js';
export { StoreReader, type Snapshot } from './storeReader.js';

/**
 * The terminal UI on the real terminal until q: reads the database every 500 ms, starts runs,
 * builds and sweeps through the CLI's code paths. On quit the sweep's workers are stopped (their
 * cells resume later) and the store is closed.
 */
export async function startUi(options: JobOptions): Promise<void> {
  const reader = new StoreReader(options.db);
  const jobs = new JobController(options);
  const app = render(<App reader={reader} jobs={jobs} />, { exitOnCtrlC: true });
  try {
    await app.waitUntilExit();
  } finally {
    await jobs.close();
    reader.close();
  }
}
