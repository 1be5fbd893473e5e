import { DB_FLAG, DB_USAGE, dbPathFromOptions } from '../../app/dbOptions.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';

/** Whether the terminal UI can run here: it reads keys from stdin and draws on stdout. */
export function interactiveTerminal(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

export const uiCommand = defineCommand<{ db: string }>({
  name: 'ui',
  usage: `gatebench ui ${DB_USAGE}`,
  summary: 'terminal UI: models, builds, sweeps (live grid and pipeline), sortable results, runs with live throughput and power (also `gatebench` alone on a terminal)',
  details: [
    'Keys: 1-5 or Tab switch screens (Models, Builds, Sweeps, Results, Run); arrows or j/k move; Enter opens; Esc goes back;',
    'r runs the selected model on the virtual board with the virtual power monitor; b builds it for icebreaker;',
    'n starts a small sweep (or resumes the open one); x stops its workers; s/S sort the results; q quits.',
    'The database (default ./gatebench.db) is re-read every 500 ms, so sweeps run elsewhere show up live.',
  ].join('\n'),
  flags: { ...DB_FLAG },
  async run(positionals, options) {
    if (positionals.length > 0) throw new UserError(`ui: unexpected argument '${positionals[0]}' (usage: ${this.usage})`);
    if (options['json']) throw new UserError('ui: --json has no meaning for the terminal UI (gatebench results --json prints the results)');
    if (!interactiveTerminal()) throw new UserError('ui: needs a terminal on stdin and stdout (gatebench results prints the results table)');
    const db = dbPathFromOptions(options);
    // Ink draws only the last frame when it believes it runs in CI (is-in-ci reads $CI when Ink is
    // first imported); a terminal on both ends is interactive whatever the environment says.
    delete process.env['CI'];
    delete process.env['CONTINUOUS_INTEGRATION'];
    // Loaded only here: no other command needs React and Ink.
    const { startUi } = await import('../../ui/index.js');
    await startUi({ db });
    return { db };
  },
  render: () => '',
});
