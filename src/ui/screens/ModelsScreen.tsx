import { Box, Text } from 'ink';
import { pct } from '../../app/format.js';
import type { ModelRecord, ResultRow } from '../../store/index.js';
import { columns, Empty, SelectList } from '../components.js';
import { ResultLines } from './ResultsScreen.js';

export const short = (hash: string | null): string => (hash === null ? '-' : hash.slice(0, 12));

export function modelLines(models: readonly ModelRecord[]): { header: string; lines: string[] } {
  const [header, ...lines] = columns(
    [
      ['model', 'widths', 'gates/live', 'acc sw', 'dataset', 'added'],
      ...models.map((m) => [short(m.hash), m.widths.join(','), `${m.gates}/${m.liveGates ?? '-'}`, pct(m.metrics.discreteTestAccuracy), m.dataset ?? '-', m.addedAt.slice(0, 19).replace('T', ' ')]),
    ],
    [false, false, true, true],
  );
  return { header: header!, lines };
}

export function ModelsScreen({ models, selected, height }: { models: readonly ModelRecord[]; selected: number; height: number }) {
  if (models.length === 0) return <Empty>no models yet: press n on 3 Sweeps for a small sweep, or run gatebench run model.json --board virtual</Empty>;
  const { header, lines } = modelLines(models);
  return <SelectList header={header} lines={lines} selected={selected} height={height} />;
}

/** One model: where it came from, and every build and run of it in the results. */
export function ModelDetail({ model, results, height }: { model: ModelRecord; results: readonly ResultRow[]; height: number }) {
  const mine = results.filter((r) => r.modelHash === model.hash);
  return (
    <Box flexDirection="column">
      <Text bold>{`model ${model.hash}`}</Text>
      <Text>{`widths ${model.widths.join(',')} (${model.inputBits} input bits, ${model.classes} classes), ${model.gates} gates, ${model.liveGates ?? '-'} live, tau ${model.tau}, ${model.wiring} wiring`}</Text>
      <Text>{`accuracy: discrete test ${pct(model.metrics.discreteTestAccuracy)}, relaxed ${pct(model.metrics.relaxedTestAccuracy)}, train ${pct(model.metrics.discreteTrainAccuracy)}`}</Text>
      <Text>{`dataset ${model.dataset ?? '-'}; file ${model.path ?? '(none stored)'}`}</Text>
      <Text> </Text>
      {mine.length === 0 ? <Empty>no results for this model yet: press r to run it on the virtual board, b to build it</Empty> : <ResultLines rows={mine} selected={null} height={height - 5} />}
    </Box>
  );
}
