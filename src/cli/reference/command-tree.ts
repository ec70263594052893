import type { Command } from 'commander';

/** One option of a command, as the reference and the completion scripts need it. */
export interface OptionSpec {
  readonly flags: string;
  readonly short?: string;
  readonly long?: string;
  readonly description: string;
  /** The option takes a value (`--role <role>`). */
  readonly takesValue: boolean;
  readonly defaultValue?: string;
}

/** A command with its subcommands, read from commander's definitions. */
export interface CommandSpec {
  /** Words from the program down, e.g. `['strata', 'resource', 'add']`. */
  readonly path: readonly string[];
  readonly aliases: readonly string[];
  readonly description: string;
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  readonly subcommands: readonly CommandSpec[];
}

/**
 * Reads the program's commands, options and arguments as data, so the CLI reference
 * (docs/cli.md) and the shell completion scripts are generated from the same definitions the
 * parser uses and cannot drift from them.
 */
export function describeCommand(command: Command, parent: readonly string[] = []): CommandSpec {
  const path = [...parent, command.name()];
  const options = command.options
    .filter((o) => !o.hidden)
    .map((o): OptionSpec => ({
      flags: o.flags,
      short: o.short,
      long: o.long,
      description: o.description,
      takesValue: o.required || o.optional,
      defaultValue:
        o.defaultValue === undefined || typeof o.defaultValue === 'boolean'
          ? undefined
          : JSON.stringify(o.defaultValue),
    }));
  return {
    path,
    aliases: command.aliases(),
    description: command.description(),
    usage: command.usage(),
    options,
    subcommands: command.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => describeCommand(c, path)),
  };
}

/** Every command below (and including) `spec`, depth first in definition order. */
export function flattenCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flattenCommands)];
}
