import type { Command } from 'commander';
import { green, printJson, red, say } from '../output.js';

/** `strata assets ...`: the asset-ingest commands. For now `parse`, which needs no repository. */
export function registerAssetCommands(program: Command): void {
  const assets = program
    .command('assets')
    .description('asset ingest: check names against the naming convention');

  assets
    .command('parse <names...>')
    .description('check file or folder names against the naming convention; exit 1 if any fails')
    .option(
      '--fields <list>',
      'the exact fields the names must have, in order, e.g. project,specification,descriptor,extension',
    )
    .option('--json', 'print as JSON')
    .action(async (names: string[], opts: { fields?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      const fields = opts.fields
        ? api.checkFieldList(opts.fields.split(',').map((f) => f.trim()))
        : undefined;
      const results = names.map((name) => {
        const parsed = api.parseName(name);
        const order = parsed.violations.length === 0 ? api.checkFieldOrder(name, parsed, fields) : undefined;
        const errors = [...parsed.violations, ...(order ? [order] : [])];
        return errors.length === 0
          ? { name, ok: true as const, fields: parsed.metadata }
          : {
              name,
              ok: false as const,
              errors: errors.map((e) => ({ field: e.field, offset: e.offset, message: e.message })),
            };
      });
      if (opts.json) printJson(results);
      else {
        for (const r of results) {
          if (r.ok) say(`${green('ok')}      ${r.name}  ${JSON.stringify(r.fields)}`);
          else for (const e of r.errors) say(`${red('invalid')} ${r.name}  ${e.message}`);
        }
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
}
