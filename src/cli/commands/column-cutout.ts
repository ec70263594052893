import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, printJson, say } from '../output.js';

interface CutoutCliOptions {
  x: string;
  y: string;
  z: string;
  t?: string;
  rev?: string;
  out?: string;
  json?: boolean;
}

/** `10:20` → [10, 20]; anything else is refused naming the option. */
async function parseRange(text: string, option: string): Promise<[number, number]> {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) {
    const api = await import('../../api/index.js');
    throw new api.InvalidArgumentError(`${option} must be START:STOP (whole numbers), not '${text}'`, {
      option,
      value: text,
    });
  }
  return [Number(match[1]), Number(match[2])];
}

/** True when `out` names a folder: it ends with `/` or is an existing folder. */
function isFolder(out: string): boolean {
  if (out.endsWith('/')) return true;
  try {
    return statSync(out).isDirectory();
  } catch {
    return false;
  }
}

/** `strata column cutout`: a region of a volume, to a .npy file, a folder of PNGs, or a summary. */
export function registerColumnCutoutCommand(column: Command, global: () => GlobalOptions): void {
  column
    .command('cutout <name>')
    .description('read a region of a volume column (only the chunks it touches)')
    .requiredOption('--x <start:stop>', 'x range, half-open')
    .requiredOption('--y <start:stop>', 'y range, half-open')
    .requiredOption('--z <start:stop>', 'z range, half-open')
    .option('--t <start:stop>', 'time range, half-open (default 0:1)')
    .option('-r, --rev <revision>', 'a branch, tag or commit (default HEAD)')
    .option(
      '--out <path>',
      'F.npy: one array in (z, y, x) order (t first, channel last when present); DIR/: one PNG per z',
    )
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: CutoutCliOptions) => {
      const api = await import('../../api/index.js');
      const region = {
        x: await parseRange(opts.x, '--x'),
        y: await parseRange(opts.y, '--y'),
        z: await parseRange(opts.z, '--z'),
        ...(opts.t ? { t: await parseRange(opts.t, '--t') } : {}),
      };
      await withRepository(global(), async (repo) => {
        const cut = await api.readCutout(repo, name, region, { revision: opts.rev });
        let written: string | undefined;
        if (opts.out && isFolder(opts.out)) {
          await api.writeCutoutImages(opts.out, cut, region.z[0], region.t?.[0] ?? 0);
          written = opts.out;
        } else if (opts.out) {
          await api.writeNpy(opts.out, {
            dtype: cut.dtype,
            sampleShape: cut.shape.slice(1),
            count: cut.shape[0]!,
            chunks: (async function* () {
              yield cut.bytes;
            })(),
          });
          written = opts.out;
        }
        const summary = {
          column: name,
          dtype: cut.dtype,
          axes: cut.axes,
          shape: cut.shape,
          bytes: cut.bytes.byteLength,
          ...(written ? { out: written } : {}),
        };
        if (opts.json) return printJson(summary);
        say(
          `${bold(name)} ${cut.dtype} (${cut.axes.join(', ')}) [${cut.shape.join(', ')}]${written ? ` -> ${written}` : ''}`,
        );
      });
    });
}
