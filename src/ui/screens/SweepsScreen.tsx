import { Box, Text } from 'ink';
import type { BuildSummary, CellState, SweepCell, SweepRecord } from '../../store/index.js';
import { CELL_STAGES } from '../../sweep/job.js';
import { columns, Empty, SelectList } from '../components.js';
import type { SweepJob } from '../jobs.js';

const MARK: Record<CellState, string> = { done: '✓', failed: '✗', running: '▶', pending: '·' };

/** Each build's status by id, for the cells that link one. */
const buildStatuses = (builds: readonly BuildSummary[]): ReadonlyMap<number, string> => new Map(builds.map((b) => [b.id, b.status]));

/**
 * A cell's state for the grid and the list: a finished cell whose build did not succeed shows the
 * build's status (timing-failed, does-not-fit, ...), not "done".
 */
function cellLabel(cell: SweepCell, buildStatus: ReadonlyMap<number, string>): string {
  const build = cell.buildId === null ? undefined : buildStatus.get(cell.buildId);
  if (cell.state === 'done' && build !== undefined && build !== 'ok') return `⚠ ${build}`;
  return `${MARK[cell.state]} ${cell.state}`;
}

export function sweepLines(sweeps: readonly SweepRecord[]): { header: string; lines: string[] } {
  const [header, ...lines] = columns(
    [
      ['sweep', 'status', 'done', 'failed', 'running', 'pending', 'cells', 'created'],
      ...sweeps.map((s) => [s.id, s.status, String(s.cells.done), String(s.cells.failed), String(s.cells.running), String(s.cells.pending), String(s.cells.total), s.createdAt.slice(0, 19).replace('T', ' ')]),
    ],
    [false, false, true, true, true, true, true],
  );
  return { header: header!, lines };
}

export function SweepsScreen({ sweeps, job, selected, height }: { sweeps: readonly SweepRecord[]; job: SweepJob | null; selected: number; height: number }) {
  if (sweeps.length === 0) return <Empty>{job ? `creating sweep ${job.sweep}...` : 'no sweeps yet: press n or run gatebench sweep'}</Empty>;
  const { header, lines } = sweepLines(sweeps);
  return <SelectList header={header} lines={lines} selected={selected} height={height} />;
}

/** Depth down, hidden width and final width across: each cell's state where the grid puts it. */
export function SweepGrid({ cells, buildStatus }: { cells: readonly SweepCell[]; buildStatus: ReadonlyMap<number, string> }) {
  const across = [...new Set(cells.map((c) => `w${c.width}-f${c.finalWidth}`))];
  const depths = [...new Set(cells.map((c) => c.depth))];
  const at = new Map(cells.map((c) => [`${c.depth}/w${c.width}-f${c.finalWidth}`, c]));
  const rows = columns([
    ['', ...across],
    ...depths.map((d) => [
      `depth ${d}`,
      ...across.map((a) => {
        const c = at.get(`${d}/${a}`);
        return c ? `${cellLabel(c, buildStatus)}${c.state === 'running' && c.stage ? ` ${c.stage}` : ''}` : '';
      }),
    ]),
  ]);
  return (
    <Box flexDirection="column">
      {rows.map((line, i) => (
        <Text key={i} bold={i === 0} wrap="truncate-end">{`  ${line}`}</Text>
      ))}
    </Box>
  );
}

/**
 * A running cell's way through train -> check -> build -> run, its current stage with progress, and
 * the worker on it: the queue worker of a distributed sweep, else the local process (host:pid).
 */
export function CellPipeline({ cell }: { cell: SweepCell }) {
  const current = CELL_STAGES.indexOf(cell.stage as (typeof CELL_STAGES)[number]);
  const steps = CELL_STAGES.map((s, i) => (i < current ? `${s} ✓` : i === current ? `[${s}: ${cell.stageDetail ?? ''}]` : s));
  const worker = cell.queueWorker ?? cell.worker;
  return <Text wrap="truncate-end">{`  ${cell.key}${worker ? ` @${worker}` : ''}: ${steps.join(' -> ')}`}</Text>;
}

export function SweepDetail({ sweep, cells, builds, job, selected, height }: { sweep: SweepRecord; cells: readonly SweepCell[]; builds: readonly BuildSummary[]; job: SweepJob | null; selected: number; height: number }) {
  const c = sweep.cells;
  const buildStatus = buildStatuses(builds);
  const running = cells.filter((x) => x.state === 'running');
  const mine = job?.sweep === sweep.id ? job : null;
  const logTail = mine ? mine.log.slice(-5) : [];
  const [header, ...lines] = columns(
    [
      ['cell', 'state', 'tries', 'stage', 'error'],
      ...cells.map((x) => [x.key, cellLabel(x, buildStatus), String(x.attempts), x.stage ? `${x.stage}${x.stageDetail ? `: ${x.stageDetail}` : ''}` : '-', x.error?.replace(/\s*\n\s*/g, ' ') ?? '']),
    ],
    [false, false, true],
  );
  const gridRows = new Set(cells.map((x) => x.depth)).size + 1;
  const listHeight = height - gridRows - 3 - (running.length ? running.length + 1 : 0) - (logTail.length ? logTail.length + 1 : 0);
  return (
    <Box flexDirection="column">
      <Text bold>{`sweep ${sweep.id}: ${sweep.status}; ${c.done} done, ${c.failed} failed, ${c.running} running, ${c.pending} pending of ${c.total}${mine ? ` (run from here: ${mine.state})` : ''}`}</Text>
      <SweepGrid cells={cells} buildStatus={buildStatus} />
      {running.length > 0 && (
        <Box flexDirection="column">
          <Text bold>pipeline</Text>
          {running.map((x) => (
            <CellPipeline key={x.id} cell={x} />
          ))}
        </Box>
      )}
      {logTail.length > 0 && (
        <Box flexDirection="column">
          <Text bold>log</Text>
          {logTail.map((line, i) => (
            <Text key={i} dimColor wrap="truncate-end">{`  ${line}`}</Text>
          ))}
        </Box>
      )}
      {mine?.error && <Text color="red">{mine.error}</Text>}
      <SelectList header={header!} lines={lines} selected={selected} height={Math.max(3, listHeight)} />
    </Box>
  );
}
