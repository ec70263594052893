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

/** One command module's registration: adds its top-level command(s) to the program. */
type Registrar = (program: Command, global: () => GlobalOptions) => void;

/**
 * Every command module, in the order help lists them, with the top-level commands and aliases it
 * defines (so that a command's start runs its own module's registration only). The names are
 * checked against what each module really defines by cli.test.ts.
 */
export const COMMAND_MODULES: readonly { readonly names: readonly string[]; readonly register: Registrar }[] =
  [
    { names: ['init'], register: registerInitCommand },
    {
      names: ['recover', 'status', 'commit', 'snapshot', 'checkout', 'restore', 'diff'],
      register: registerWorktreeCommands,
    },
    { names: ['log', 'show'], register: registerHistoryCommands },
    { names: ['branch', 'tag'], register: registerRefCommands },
    { names: ['resource'], register: registerResourceCommands },
    { names: ['fsck', 'gc', 'lock'], register: registerMaintenanceCommands },
    { names: ['compute'], register: registerComputeCommands },
    { names: ['report'], register: registerReportCommands },
    { names: ['ingest'], register: registerIngestCommands },
    { names: ['info', 'config'], register: registerConfigCommand },
    { names: ['delete-snapshot'], register: registerSnapshotAdminCommands },
    { names: ['lineage'], register: registerLineageCommands },
    { names: ['run'], register: registerRunCommand },
    { names: ['assets'], register: (program) => registerAssetCommands(program) },
    { names: ['column', 'summary', 'merge'], register: registerColumnCommands },
    { names: ['serve'], register: registerServeCommand },
    { names: ['token'], register: registerTokenCommands },
    { names: ['job'], register: registerJobCommands },
    { names: ['remote', 'clone', 'login', 'fetch', 'pull', 'push'], register: registerRemoteCommands },
    { names: ['completion'], register: (program) => registerCompletionCommand(program) },
  ];

/** Global options that take a value (`-C <dir>`), to step over when looking for the command name. */
const VALUE_OPTIONS = new Set(['-C', '--cwd']);

/**
 * What the command line asks for before any command is defined: the top-level command's name,
 * `null` for the version (no command needed), `undefined` when every command must be defined
 * (no command, help, or an option or name only Commander can judge).
 */
function requestedCommand(argv: readonly string[]): string | null | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('--cwd=') || (arg.startsWith('-C') && arg.length > 2)) continue;
    if (arg === '-V' || arg === '--version') return null;
    if (arg.startsWith('-')) return undefined;
    // `help` and `completion` describe every command.
    return arg === 'help' || arg === 'completion' ? undefined : arg;
  }
  return undefined;
}

/**
 * The `strata` command line. Each command module registers its verbs; the library is imported
 * only when a command runs, so `strata status` starts fast. Given the arguments, only the module
 * that defines the requested command registers it (defining every command's options was a tenth
 * of `strata --version`); help, completion and unknown names still see every command.
 */
export function createProgram(argv?: readonly string[]): Command {
  const program = new Command('strata')
    .description('Version, check and stage machine-learning data: files, datasets, results and lineage.')
    .option('-C, --cwd <dir>', 'run as if strata was started in <dir>')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    .exitOverride();
  program.version('0.1.0', '-V, --version');
  const global = (): GlobalOptions => ({ cwd: program.opts<{ cwd?: string }>().cwd ?? process.cwd() });
  const requested = argv === undefined ? undefined : requestedCommand(argv);
  // A name no module claims defines every command: Commander then reports it, with suggestions.
  const own = typeof requested === 'string' ? COMMAND_MODULES.filter((m) => m.names.includes(requested)) : [];
  const modules = requested === null ? [] : own.length > 0 ? own : COMMAND_MODULES;
  for (const { register } of modules) register(program, global);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 the caller's mistake, 2 internal error. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram(argv);
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
