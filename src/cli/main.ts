#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { UserError } from '../util/errors.js';
import type { Command } from './command.js';
import { boardsCommand } from './commands/boards.js';
import { buildCommand } from './commands/build.js';
import { doctorCommand } from './commands/doctor.js';
import { emitCommand } from './commands/emit.js';
import { estimateCommand } from './commands/estimate.js';
import { evalCommand } from './commands/eval.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { resultsCommand } from './commands/results.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { simCommand } from './commands/sim.js';
import { sweepCommand } from './commands/sweep.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';
import { workersCommand } from './commands/workers.js';
import { interactiveTerminal, uiCommand } from './commands/ui.js';

const COMMANDS: Command<any>[] = [trainCommand, evalCommand, infoCommand, importCommand, boardsCommand, emitCommand, simCommand, buildCommand, estimateCommand, runCommand, sweepCommand, workerCommand, workersCommand, resultsCommand, reportCommand, uiCommand, doctorCommand];

function help(): string {
  return ['usage: gatebench <command> [options]', '', ...COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}\n           ${c.usage}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // Alone on a terminal, gatebench opens the terminal UI; piped or redirected, it prints the help.
  const [name, ...rest] = argv.length === 0 && interactiveTerminal() ? [uiCommand.name] : argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UserError(`unknown command '${name}', expected one of: ${COMMANDS.map((c) => c.name).join(', ')}`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.flags, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${name}: ${(e as Error).message.split('\n')[0]} (usage: ${command.usage})`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.usage}\n${command.details ? `${command.details}\n` : ''}`);
    return 0;
  }
  const result = await command.run(parsed.positionals, parsed.values as Record<string, string | boolean | undefined>);
  process.stdout.write((parsed.values.json ? JSON.stringify(result, null, 2) : command.render(result)) + '\n');
  const failure = command.failure?.(result) ?? null;
  if (failure === null) return 0;
  process.stderr.write(`gatebench: ${failure}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserError) {
      process.stderr.write(`gatebench: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`gatebench: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
