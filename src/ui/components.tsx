import { Box, Text } from 'ink';

export const SCREENS = [
  { key: 'models', label: 'Models' },
  { key: 'builds', label: 'Builds' },
  { key: 'sweeps', label: 'Sweeps' },
  { key: 'results', label: 'Results' },
  { key: 'run', label: 'Run' },
] as const;
export type ScreenKey = (typeof SCREENS)[number]['key'];

export function TabBar({ active, db }: { active: ScreenKey; db: string }) {
  return (
    <Box>
      <Text bold>gatebench </Text>
      {SCREENS.map((s, i) => (
        <Text key={s.key} inverse={s.key === active}>
          {` ${i + 1} ${s.label} `}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">{`  db ${db}`}</Text>
    </Box>
  );
}

/** The keys that do something on this screen, always on screen. */
export function Hints({ keys }: { keys: readonly (readonly [string, string])[] }) {
  return (
    <Text dimColor>
      {keys.map(([k, what]) => `${k} ${what}`).join(' · ')}
    </Text>
  );
}

/** A message where a list would be: what to do to fill it. */
export function Empty({ children }: { children: string }) {
  return <Text color="yellow">{children}</Text>;
}

/**
 * A header and lines of text, the selected one marked, scrolled so the selection stays in view.
 * Lines are cut at the terminal's edge rather than wrapped, so columns stay aligned.
 */
export function SelectList({ header, lines, selected, height }: { header?: string; lines: readonly string[]; selected: number | null; height: number }) {
  const visible = Math.max(1, height);
  const first = selected === null ? 0 : Math.min(Math.max(0, selected - visible + 1), Math.max(0, lines.length - visible), selected);
  const shown = lines.slice(first, first + visible);
  return (
    <Box flexDirection="column">
      {header !== undefined && <Text bold wrap="truncate-end">{`  ${header}`}</Text>}
      {shown.map((line, i) => {
        const isSelected = first + i === selected;
        return (
          <Text key={first + i} inverse={isSelected} wrap="truncate-end">
            {`${isSelected ? '>' : ' '} ${line}`}
          </Text>
        );
      })}
      {lines.length > visible && <Text dimColor>{`  ${first + 1}-${first + shown.length} of ${lines.length}`}</Text>}
    </Box>
  );
}

export function ProgressBar({ done, total, width = 30 }: { done: number; total: number; width?: number }) {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
  return <Text>{`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`}</Text>;
}

/** Aligned text columns: each row's fields padded to the widest of its column. */
export function columns(rows: readonly (readonly string[])[], right: readonly boolean[] = []): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]!.length))) ?? [];
  return rows.map((r) => r.map((text, i) => (right[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join('  ').trimEnd());
}
