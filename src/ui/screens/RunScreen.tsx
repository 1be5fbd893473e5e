import { Box, Text } from 'ink';
import { renderRunReport } from '../../app/runReport.js';
import type { RunPhase } from '../../device/run.js';
import { Empty, ProgressBar } from '../components.js';
import type { RunJob } from '../jobs.js';
import { short } from './ModelsScreen.js';

const PHASES: readonly RunPhase[] = ['connect', 'power-idle', 'power-load', 'latency', 'stream', 'done'];

/** Watts with a unit that keeps three significant digits readable (the core rail draws mW). */
export function watts(w: number): string {
  const a = Math.abs(w);
  return a >= 1 ? `${w.toFixed(3)} W` : a >= 1e-3 ? `${(w * 1e3).toFixed(3)} mW` : `${(w * 1e6).toFixed(1)} uW`;
}

/** The live figures of a run: throughput, latency and power as they arrive. */
export function RunLive({ job }: { job: RunJob }) {
  const p = job.progress;
  const f = job.figures;
  const current = p ? PHASES.indexOf(p.phase) : -1;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">{`  ${PHASES.map((ph, i) => (i < current ? `${ph} ✓` : i === current ? `[${ph}]` : ph)).join(' -> ')}`}</Text>
      {p ? (
        <Box flexDirection="column">
          <ProgressBar done={p.answered} total={p.vectors} />
          <Text>{`phase ${p.phase} for ${p.phaseSeconds.toFixed(1)} s`}</Text>
          <Text>{`throughput ${f.answersPerSecond === null ? 'n/a' : `${f.answersPerSecond.toFixed(0)} answers/s (${f.ratePhase})`}`}</Text>
          <Text>{`latency ${f.roundTripMs === null ? 'n/a' : `${f.roundTripMs.toFixed(2)} ms host round trip (latest answer)`}`}</Text>
          <Text>{`power ${f.watts === null ? 'n/a' : `${watts(f.watts)} supply (latest reading)`}`}</Text>
        </Box>
      ) : (
        <Text dimColor>preparing (building the virtual board with Verilator, cached by content)...</Text>
      )}
    </Box>
  );
}

export function RunScreen({ job, db, height }: { job: RunJob | null; db: string; height: number }) {
  if (!job) return <Empty>no run yet: select a model on 1 Models and press r (it runs on the virtual board with the virtual power monitor)</Empty>;
  const logTail = job.log.slice(-Math.max(1, Math.min(6, height - 12)));
  return (
    <Box flexDirection="column">
      <Text bold>{`run of ${short(job.modelHash)} on ${job.board}: ${job.state}`}</Text>
      <RunLive job={job} />
      {job.runId !== null && <Text color="green">{`stored as run ${job.runId} in ${db}`}</Text>}
      {job.error && <Text color="red">{job.error}</Text>}
      <Text> </Text>
      {(job.report ? renderRunReport(job.report).split('\n').slice(0, Math.max(1, height - 10)) : logTail).map((line, i) => (
        <Text key={i} dimColor={!job.report} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
