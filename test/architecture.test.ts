import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

/** The sources, not dist/: a module deleted from src/ may still lie in dist/ from an earlier build. */
const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

interface Edge {
  to: string;
  /** import('...'): loaded when reached, not when the importer loads. */
  dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import of every file under src/ (static, type-only, re-exports and import()), as paths relative to src/. */
function importGraph(): Map<string, Edge[]> {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  const graph = new Map<string, Edge[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    const edges: Edge[] = [];
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), ref.fileName).replace(/\.js$/, '');
      const target = [`${base}.ts`, `${base}.tsx`].find((p) => known.has(p));
      assert.ok(target, `${relative(SRC, file)} imports ${ref.fileName}, which is no source file`);
      // ref.pos is where the quoted specifier starts.
      const dynamic = /\bimport\s*\(\s*$/.test(text.slice(Math.max(0, ref.pos - 40), ref.pos));
      edges.push({ to: relative(SRC, target), dynamic });
    }
    graph.set(relative(SRC, file), edges);
  }
  return graph;
}

const layer = (path: string): string => path.split('/')[0]!;

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, Edge[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the import graph of src/', () => {
  const graph = importGraph();
  const edges = [...graph].flatMap(([from, list]) => list.map((e) => ({ from, ...e })));
  const crossing = (from: (l: string) => boolean, to: (l: string) => boolean) => edges.filter((e) => from(layer(e.from)) && to(layer(e.to))).map((e) => `${e.from} -> ${e.to}${e.dynamic ? ' (import())' : ''}`);

  it('is read whole: static, type-only and dynamic imports all appear', () => {
    // Known edges of each kind, so a parser that missed a kind would fail here rather than pass the rules below.
    assert.deepEqual(graph.get('cli/commands/ui.ts')?.find((e) => e.to === 'ui/index.tsx'), { to: 'ui/index.tsx', dynamic: true });
    assert.ok(graph.get('cli/main.ts')?.some((e) => e.to === 'cli/commands/run.ts' && !e.dynamic));
    assert.ok(graph.get('power/monitor.ts')?.some((e) => e.to === 'power/lpm01a.ts' && e.dynamic));
    assert.ok(graph.get('ui/hooks.ts')?.some((e) => e.to === 'ui/jobs.ts'), 'type-only imports count');
    assert.ok(graph.size > 100, `only ${graph.size} source files found under ${SRC}`);
  });

  it('has no import cycle', () => {
    assert.deepEqual(cycles(graph), []);
  });

  it('the UI imports nothing from the CLI', () => {
    assert.deepEqual(crossing((l) => l === 'ui', (l) => l === 'cli'), []);
  });

  it('the CLI loads the UI only to launch it: the ui command, with import(), the UI\'s entry point', () => {
    assert.deepEqual(crossing((l) => l === 'cli', (l) => l === 'ui'), ['cli/commands/ui.ts -> ui/index.tsx (import())']);
  });

  it('the application layer (src/app) serves the CLI and the UI and imports neither', () => {
    assert.deepEqual(crossing((l) => l === 'app', (l) => l === 'cli' || l === 'ui'), []);
    assert.deepEqual(crossing((l) => l !== 'app' && l !== 'cli' && l !== 'ui', (l) => l === 'app'), []);
  });

  it('the layers below (store, power, sweep, device, ...) import neither the CLI nor the UI', () => {
    assert.deepEqual(crossing((l) => l !== 'app' && l !== 'cli' && l !== 'ui', (l) => l === 'cli' || l === 'ui'), []);
  });
});
