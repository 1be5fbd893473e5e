import { Box, Text } from 'ink';
import type { BuildSummary } from '../../store/index.js';
import { columns, Empty, SelectList } from '../components.js';
import type { BuildJob } from '../jobs.js';
import { short } from './ModelsScreen.js';

const num = (v: number | null, digits = 0): string => (v === null ? '-' : v.toFixed(digits));

export function buildLines(builds: readonly BuildSummary[]): { header: string; lines: string[] } {
  const [header, ...lines] = columns(
    [
      ['build', 'model', 'board', 'status', 'LUT4', 'LC', 'Fmax MHz', 'seconds', 'created', 'message'],
      ...builds.map((b) => [
        `#${b.id}`,
        short(b.modelHash),
        b.board,
        b.status,
        num(b.lut4),
        b.logicCells === null ? '-' : `${b.logicCells}/${b.logicCellsAvailable ?? '-'}`,
        num(b.fmaxMHz, 1),
        `${b.buildSeconds.toFixed(1)}${b.cached ? ' (cached)' : ''}`,
        b.createdAt.slice(0, 19).replace('T', ' '),
        b.message,
      ]),
    ],
    [false, false, false, false, true, true, true, true],
  );
  return { header: header!, lines };
}

/** The build started from the UI: its stages as they start and end. */
export function BuildPipeline({ job }: { job: BuildJob }) {
  const stages = job.stages.map((s) => `${s.stage} ${s.seconds === null ? '...' : `${s.failed ? 'FAILED' : 'ok'} ${s.seconds.toFixed(1)} s`}`);
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text bold>{`build of ${short(job.modelHash)} for ${job.board}: ${job.state}${job.buildId !== null ? ` (stored as build #${job.buildId})` : ''}`}</Text>
      <Text>{`  ${stages.length ? stages.join(' -> ') : 'starting (emitting the Verilog)...'}`}</Text>
      {job.message && <Text>{`  ${job.message}`}</Text>}
      {job.error && job.error !== job.message && <Text color="red">{`  ${job.error}`}</Text>}
    </Box>
  );
}

export function BuildsScreen({ builds, job, selected, height }: { builds: readonly BuildSummary[]; job: BuildJob | null; selected: number; height: number }) {
  const { header, lines } = buildLines(builds);
  return (
    <Box flexDirection="column">
      {job && <BuildPipeline job={job} />}
      {builds.length === 0 ? <Empty>no builds yet: press b on a model (1 Models), or run gatebench sweep</Empty> : <SelectList header={header} lines={lines} selected={selected} height={height - (job ? 4 : 0)} />}
    </Box>
  );
}

/** A stored build's figures and the tail of its tools' log. */
export function BuildDetail({ build, log, height }: { build: BuildSummary; log: string | null; height: number }) {
  const tail = (log ?? '').trimEnd().split('\n').slice(-Math.max(1, height - 3));
  return (
    <Box flexDirection="column">
      <Text bold>{`build #${build.id} of ${short(build.modelHash)} for ${build.board}: ${build.status}`}</Text>
      <Text>{build.message}</Text>
      <Text dimColor>{log === null ? 'no log was stored for this build' : `last ${tail.length} lines of the log:`}</Text>
      {log !== null && tail.map((line, i) => <Text key={i} wrap="truncate-end">{line}</Text>)}
    </Box>
  );
}
