import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { useRef, useState } from 'react';
import { Hints, SCREENS, TabBar, type ScreenKey } from './components.js';
import { useBuildLog, useJobs, useSnapshot } from './hooks.js';
import type { JobController } from './jobs.js';
import type { StoreReader } from './storeReader.js';
import { BuildDetail, BuildsScreen } from './screens/BuildsScreen.js';
import { ModelDetail, ModelsScreen } from './screens/ModelsScreen.js';
import { ResultsScreen, sortLabel, sortRows, UI_COLUMNS, type Sort } from './screens/ResultsScreen.js';
import { RunScreen } from './screens/RunScreen.js';
import { SweepDetail, SweepsScreen } from './screens/SweepsScreen.js';

export interface AppProps {
  reader: StoreReader;
  jobs: JobController;
  pollMs?: number;
}

type Hint = readonly [string, string];
type Opened = { model: string | null; build: number | null; sweep: string | null };
const NOTHING_OPEN: Opened = { model: null, build: null, sweep: null };
/** Lines the tab bar, notice and hints take. */
const CHROME_LINES = 5;

const clamp = (i: number, length: number): number => Math.max(0, Math.min(i, length - 1));

/**
 * The container: polls the store, subscribes to the jobs started from here, owns the selection
 * and turns key presses into navigation or into the controller's actions. Screens only render.
 */
export function App({ reader, jobs, pollMs }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const height = Math.max(6, (stdout.rows || 30) - CHROME_LINES);
  const [screen, setScreen] = useState<ScreenKey>('models');
  const [selected, setSelected] = useState<Record<ScreenKey | 'cells', number>>({ models: 0, builds: 0, sweeps: 0, results: 0, run: 0, cells: 0 });
  const [opened, setOpened] = useState<Opened>(NOTHING_OPEN);
  const [sort, setSort] = useState<Sort>({ column: null, descending: false });
  const snapshot = useSnapshot(reader, opened.sweep, pollMs);
  const view = useJobs(jobs);
  const buildLog = useBuildLog(reader, opened.build);

  const results = sortRows(snapshot.results, sort);
  const model = snapshot.models[clamp(selected.models, snapshot.models.length)] ?? null;
  const openModel = snapshot.models.find((m) => m.hash === opened.model) ?? null;
  const openBuild = snapshot.builds.find((b) => b.id === opened.build) ?? null;
  const openSweep = snapshot.sweeps.find((s) => s.id === opened.sweep) ?? null;
  const listLength = (): number => {
    switch (screen) {
      case 'models':
        return snapshot.models.length;
      case 'builds':
        return snapshot.builds.length;
      case 'sweeps':
        return openSweep ? snapshot.cells.length : snapshot.sweeps.length;
      case 'results':
        return results.length;
      case 'run':
        return 0;
    }
  };
  const selectionKey: ScreenKey | 'cells' = screen === 'sweeps' && openSweep ? 'cells' : screen;
  const at = clamp(selected[selectionKey], listLength());
  const move = (by: number): void => setSelected((s) => ({ ...s, [selectionKey]: clamp(clamp(s[selectionKey], listLength()) + by, listLength()) }));
  const show = (next: ScreenKey): void => {
    setScreen(next);
    jobs.notify(null);
  };

  const run = (hash: string | null): void => {
    const record = snapshot.models.find((m) => m.hash === hash);
    if (record && jobs.startRun(record)) show('run');
  };

  const onKey = (input: string, key: Key): void => {
    if (input === 'q') return exit();
    const digit = Number(input);
    if (Number.isInteger(digit) && digit >= 1 && digit <= SCREENS.length) return show(SCREENS[digit - 1]!.key);
    if (key.tab) {
      const i = SCREENS.findIndex((s) => s.key === screen);
      return show(SCREENS[(i + (key.shift ? SCREENS.length - 1 : 1)) % SCREENS.length]!.key);
    }
    if (key.upArrow || input === 'k') return move(-1);
    if (key.downArrow || input === 'j') return move(1);
    if (key.escape || key.backspace || key.delete) {
      if (screen === 'models') setOpened((o) => ({ ...o, model: null }));
      if (screen === 'builds') setOpened((o) => ({ ...o, build: null }));
      if (screen === 'sweeps') setOpened((o) => ({ ...o, sweep: null }));
      return;
    }
    switch (screen) {
      case 'models':
        if (key.return && model) setOpened((o) => ({ ...o, model: model.hash }));
        if (input === 'r') run(openModel?.hash ?? model?.hash ?? null);
        if (input === 'b') {
          const record = openModel ?? model;
          if (record && jobs.startBuild(record)) show('builds');
        }
        return;
      case 'builds': {
        const build = snapshot.builds[at];
        if (key.return && build) setOpened((o) => ({ ...o, build: build.id }));
        return;
      }
      case 'sweeps': {
        const sweep = snapshot.sweeps[clamp(selected.sweeps, snapshot.sweeps.length)];
        if (key.return && sweep && !openSweep) {
          setSelected((s) => ({ ...s, cells: 0 }));
          setOpened((o) => ({ ...o, sweep: sweep.id }));
        }
        if (input === 'n') {
          const started = openSweep ? jobs.resumeSweep(openSweep.id) : jobs.startSmallSweep();
          const id = jobs.view().sweep?.sweep;
          if (started && id) setOpened((o) => ({ ...o, sweep: id }));
        }
        if (input === 'x') jobs.stopSweep();
        return;
      }
      case 'results':
        if (input === 's') setSort((s) => ({ column: s.column === null ? 0 : (s.column + 1) % UI_COLUMNS.length, descending: s.descending }));
        if (input === 'S') setSort((s) => ({ ...s, descending: !s.descending }));
        return;
      case 'run':
        if (input === 'r') run(view.run?.modelHash ?? model?.hash ?? null);
        return;
    }
  };
  // Keys go to the handler of the latest render: a key pressed right after new data arrives must
  // see that data, not the closure Ink subscribed before the effects ran again.
  const latestOnKey = useRef(onKey);
  latestOnKey.current = onKey;
  useInput((input, key) => latestOnKey.current(input, key));

  const hint = (k: string, what: string): Hint => [k, what];
  const back = hint('Esc', 'back');
  const hints: Hint[] = [hint('1-5/Tab', 'screens'), hint('↑↓/jk', 'move')];
  let body;
  switch (screen) {
    case 'models':
      body = openModel ? <ModelDetail model={openModel} results={snapshot.results} height={height} /> : <ModelsScreen models={snapshot.models} selected={at} height={height} />;
      hints.push(openModel ? back : hint('Enter', 'open'), hint('r', 'run on the virtual board'), hint('b', 'build for icebreaker'));
      break;
    case 'builds':
      body = openBuild ? <BuildDetail build={openBuild} log={buildLog} height={height} /> : <BuildsScreen builds={snapshot.builds} job={view.build} selected={at} height={height} />;
      hints.push(openBuild ? back : hint('Enter', 'open its log'));
      break;
    case 'sweeps':
      body = openSweep ? (
        <SweepDetail sweep={openSweep} cells={snapshot.cells} builds={snapshot.builds} job={view.sweep} selected={at} height={height} />
      ) : (
        <SweepsScreen sweeps={snapshot.sweeps} job={view.sweep} selected={at} height={height} />
      );
      hints.push(...(openSweep ? [back, hint('n', 'resume this sweep')] : [hint('Enter', 'open the grid'), hint('n', 'new small sweep')]), hint('x', 'stop its workers'));
      break;
    case 'results':
      body = <ResultsScreen rows={results} sort={sort} selected={at} height={height} />;
      hints.push(hint('s', 'sort by the next column'), hint('S', 'reverse'), hint('sorted', sortLabel(sort)));
      break;
    case 'run':
      body = <RunScreen job={view.run} db={snapshot.db} height={height} />;
      hints.push(hint('r', view.run ? 'run the same model again' : 'run the model selected on 1 Models'));
      break;
  }
  hints.push(hint('q', 'quit'));

  return (
    <Box flexDirection="column">
      <TabBar active={screen} db={snapshot.db} />
      {!snapshot.exists && !snapshot.error && <Text color="yellow">{`${snapshot.db} does not exist yet: the first run, build or sweep started here creates it`}</Text>}
      {snapshot.error && <Text color="red">{`cannot read ${snapshot.db}: ${snapshot.error}`}</Text>}
      {body}
      {view.notice && <Text color="yellow">{view.notice}</Text>}
      <Hints keys={hints} />
    </Box>
  );
}
