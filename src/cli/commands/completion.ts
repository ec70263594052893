import type { Command } from 'commander';
import { describeCommand } from '../reference/command-tree.js';
import {
  COMPLETION_SHELLS,
  renderCompletion,
  type CompletionShell,
} from '../reference/completion-scripts.js';

/** `strata completion bash|zsh|fish`: a completion script generated from the command definitions. */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion <shell>')
    .description(
      'print a shell completion script (bash, zsh or fish); e.g. `source <(strata completion bash)`, ' +
        '`strata completion fish | source`',
    )
    .action(async (shell: string) => {
      if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
        const { InvalidArgumentError } = await import('../../errors/index.js');
        throw new InvalidArgumentError(
          `unknown shell '${shell}'; completion scripts exist for ${COMPLETION_SHELLS.join(', ')}`,
          { shell, shells: COMPLETION_SHELLS },
        );
      }
      process.stdout.write(renderCompletion(shell as CompletionShell, describeCommand(program)));
    });
}
