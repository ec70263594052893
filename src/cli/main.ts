import { Command } from 'commander';
import { registerAssetCommands } from './commands/assets.js';
import { registerColumnCommands } from './commands/column.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerComputeCommands } from './commands/compute.js';
import { registerConfigCommand } from './commands/config.js';
import { registerHistoryCommands } from './commands/history.js';
import { registerInitCommand } from './commands/init.js';
import { registerIngestCommands } from './commands/ingest.js';
import { registerJobCommands } from './commands/job.js';
import { registerLineageCommands } from './commands/lineage.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerRefCommands } from './commands/refs.js';
import { registerRemoteCommands } from './commands/remote.js';
import { registerReportCommands } from './commands/report.js';
import { registerResourceCommands } from './commands/resource.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSnapshotAdminCommands } from './commands/snapshot-admin.js';
import { registerTokenCommands } from './commands/token.js';
import { registerRunCommand } from './commands/run.js';
import { registerWorktreeCommands } from './commands/worktree.js';
import type { GlobalOptions } from './context.js';
import { reportError } from './output.js';

/**
 * The `strata` command line. Each command module registers its verbs; the library is imported
 * only when a command runs, so `strata status` starts fast.
 */
export function createProgram(): Command {
  const program = new Command('strata')
    .description('Version, check and stage machine-learning data: files, datasets, results and lineage.')
    .option('-C, --cwd <dir>', 'run as if strata was started in <dir>')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    .exitOverride();
  program.version('0.1.0', '-V, --version');
  const global = (): GlobalOptions => ({ cwd: program.opts<{ cwd?: string }>().cwd ?? process.cwd() });
  registerInitCommand(program, global);
  registerWorktreeCommands(program, global);
  registerHistoryCommands(program, global);
  registerRefCommands(program, global);
  registerResourceCommands(program, global);
  registerMaintenanceCommands(program, global);
  registerComputeCommands(program, global);
  registerReportCommands(program, global);
  registerIngestCommands(program, global);
  registerConfigCommand(program, global);
  registerSnapshotAdminCommands(program, global);
  registerLineageCommands(program, global);
  registerRunCommand(program, global);
  registerAssetCommands(program);
  registerColumnCommands(program, global);
  registerServeCommand(program, global);
  registerTokenCommands(program, global);
  registerJobCommands(program, global);
  registerRemoteCommands(program, global);
  registerCompletionCommand(program);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 the caller's mistake, 2 internal error. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // Commander has printed its message (or the help / version) already.
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help'
        ? 0
        : 1;
    }
    return reportError(err);
  }
}
