import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { dim, printJson } from '../output.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

type Api = typeof import('../../api/index.js');

/** `k=v` pairs as parameters; a value that parses as JSON (numbers, booleans) keeps its type. */
function parseParams(api: Api, pairs: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new api.InvalidArgumentError(`--param '${pair}' is not KEY=VALUE`, { param: pair });
    }
    const value = pair.slice(eq + 1);
    try {
      params[pair.slice(0, eq)] = JSON.parse(value) as unknown;
    } catch {
      params[pair.slice(0, eq)] = value;
    }
  }
  return params;
}

interface RunOptions {
  input?: string[];
  output?: string[];
  code?: string[];
  param?: string[];
  name?: string;
  results?: string;
  description?: string;
  json?: boolean;
}

/** `strata run [options] -- CMD ARGS`: a command recorded as a lineage step. */
export function registerRunCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('run <command> [args...]')
    .description(
      'run a command and record it as a lineage step (inputs pinned to their content hashes; ' +
        'on failure its outputs are marked unknown); put the command after --',
    )
    .option('-i, --input <path>', 'a file or folder the command reads (repeatable)', collect)
    .option('-o, --output <path>', 'a file or folder the command writes (repeatable)', collect)
    .option('-c, --code <path>', 'code the command runs (repeatable)', collect)
    .option('-p, --param <key=value>', 'a parameter of the step (repeatable)', collect)
    .option('-n, --name <step>', 'step name (default: the script or command name)')
    .option('--results <dir>', 'a results folder the command writes (an output)')
    .option('-d, --description <text>', 'a description of this run')
    .option('--json', 'print the recorded step as JSON (on stdout, after the command)')
    .action(async (command: string, args: string[], opts: RunOptions) => {
      const api = await import('../../api/index.js');
      const parameters = parseParams(api, opts.param ?? []);
      const result = await withRepository(global(), (repo) =>
        api.runCommandStep(repo, {
          command,
          args,
          cwd: global().cwd,
          name: opts.name,
          parameters,
          inputs: opts.input ?? [],
          outputs: opts.output ?? [],
          code: opts.code ?? [],
          results: opts.results,
          description: opts.description,
        }),
      );
      if (opts.json) {
        const { stepJson } = await import('./lineage.js');
        printJson({ exit_code: result.exitCode, step: stepJson(result.step) });
      } else {
        process.stderr.write(
          dim(`strata: recorded step '${result.step.name}' (${result.step.status})`) + '\n',
        );
      }
      process.exitCode = result.exitCode;
    });
}
