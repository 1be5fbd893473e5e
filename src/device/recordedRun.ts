import type { PhasedSample, PowerRequest } from './power.js';
import { RunError, runOnBoard, type RunRequest, type RunReport } from './run.js';

/** A run's request; the power samples go to the recorder, so the request names none of its own. */
export type RecordedRunRequest = Omit<RunRequest, 'power'> & { power?: Omit<PowerRequest, 'onSamples'> };

export interface RecordedRun<T> {
  report: RunReport;
  /** What the recorder returned (a stored run's id). */
  recorded: T;
  /** Why the run stopped part-way (its partial report was recorded all the same), null when it completed. */
  error: RunError | null;
}

/**
 * runOnBoard, with the report and the power samples handed to `record` whether the run completed
 * or stopped part-way (a RunError's partial report): every measured run is recorded before its
 * failure is told. The one way the run command, the TUI and a sweep cell run and keep a run; a
 * failure before anything was measured propagates unrecorded.
 */
export async function runAndRecord<T>(
  request: RecordedRunRequest,
  record: (report: RunReport, samples: PhasedSample[]) => T | Promise<T>,
): Promise<RecordedRun<T>> {
  let samples: PhasedSample[] = [];
  const { power, ...rest } = request;
  try {
    const report = await runOnBoard({ ...rest, ...(power ? { power: { ...power, onSamples: (s: PhasedSample[]) => (samples = s) } } : {}) });
    return { report, recorded: await record(report, samples), error: null };
  } catch (e) {
    if (!(e instanceof RunError)) throw e;
    return { report: e.report, recorded: await record(e.report, samples), error: e };
  }
}
