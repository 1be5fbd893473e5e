import { useEffect, useState, useSyncExternalStore } from 'react';
import type { JobController, JobsView } from './jobs.js';
import type { Snapshot, StoreReader } from './storeReader.js';

/** How often the screens re-read the database. */
export const POLL_MS = 500;

/**
 * The database as of the last poll: read at once, then every intervalMs (and whenever the sweep
 * whose cells are wanted changes). A render happens only when something changed.
 */
export function useSnapshot(reader: StoreReader, sweep: string | null, intervalMs = POLL_MS): Snapshot {
  // Read at once, so the first frame shows the database rather than an empty one.
  const [state, setState] = useState<{ key: string; snapshot: Snapshot }>(() => {
    const snapshot = reader.read({ sweep });
    return { key: JSON.stringify(snapshot), snapshot };
  });
  useEffect(() => {
    const poll = (): void => {
      const snapshot = reader.read({ sweep });
      const key = JSON.stringify(snapshot);
      setState((old) => (old.key === key ? old : { key, snapshot }));
    };
    poll();
    const timer = setInterval(poll, intervalMs);
    return () => clearInterval(timer);
  }, [reader, sweep, intervalMs]);
  return state.snapshot;
}

/** The jobs started from the UI, live. */
export function useJobs(controller: JobController): JobsView {
  return useSyncExternalStore(controller.subscribe, controller.view);
}

/** A stored build's log, read when the build is opened. */
export function useBuildLog(reader: StoreReader, buildId: number | null): string | null {
  const [log, setLog] = useState<string | null>(null);
  useEffect(() => setLog(buildId === null ? null : reader.buildLog(buildId)), [reader, buildId]);
  return log;
}
