/**
 * Child-process shim that runs a YoWASP (WebAssembly) build of a tool as if it were a native one:
 *   node yowaspShim.js <package> <export> ...tool arguments
 * The working directory is copied into the tool's virtual file system, the tool runs, and the
 * files it leaves are written back. Exit code and output are passed through, so the runner
 * treats native and WebAssembly tools alike. Only relative paths under cwd are visible to the tool.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Tree = { [name: string]: Uint8Array | string | Tree };
type Run = (args: string[], files: Tree, options: { stdout: (b: Uint8Array | null) => void; stderr: (b: Uint8Array | null) => void; decodeASCII: boolean }) => Promise<Tree | undefined>;

function readTree(dir: string): Tree {
  const tree: Tree = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) tree[name] = readTree(path);
    else if (st.isFile()) tree[name] = readFileSync(path);
  }
  return tree;
}

function writeTree(dir: string, tree: Tree): void {
  for (const [name, value] of Object.entries(tree)) {
    const path = join(dir, name);
    if (typeof value === 'string' || value instanceof Uint8Array) writeFileSync(path, value);
    else {
      mkdirSync(path, { recursive: true });
      writeTree(path, value);
    }
  }
}

async function main(): Promise<number> {
  const [pkg, exportName, ...args] = process.argv.slice(2);
  if (!pkg || !exportName) {
    process.stderr.write('usage: yowaspShim.js <package> <export> [args...]\n');
    return 2;
  }
  const mod = (await import(pkg)) as Record<string, unknown>;
  const run = mod[exportName] as Run | undefined;
  if (typeof run !== 'function') {
    process.stderr.write(`${pkg} has no export ${exportName}\n`);
    return 2;
  }
  const cwd = process.cwd();
  try {
    const out = await run(args, readTree(cwd), {
      stdout: (b) => void (b && process.stdout.write(b)),
      stderr: (b) => void (b && process.stderr.write(b)),
      decodeASCII: false,
    });
    if (out) writeTree(cwd, out);
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

main().then((code) => process.exit(code));
