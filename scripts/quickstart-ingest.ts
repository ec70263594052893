/**
 * The ingest part of the quickstart tour: a small PNG stack (one image per z-slice), an ingest
 * job config, `strata ingest create -p 2` (two worker processes), its status, and cutouts of the
 * volume it made. Called by scripts/quickstart.ts with its demo folder and helpers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeImages } from '../src/api/index.js';

const SIZE = 256;
const DEPTH = 16;

export async function ingestTour(
  demo: string,
  strata: (...args: string[]) => string,
  note: (text: string) => void,
): Promise<void> {
  await writeImages(
    join(demo, 'em-slices'),
    (async function* () {
      for (let z = 0; z < DEPTH; z++) {
        const data = new Uint8Array(SIZE * SIZE);
        for (let y = 0; y < SIZE; y++)
          for (let x = 0; x < SIZE; x++)
            data[y * SIZE + x] = ((x - 128) ** 2 + (y - 128) ** 2 + z * 400) >> 7;
        yield { name: String(z).padStart(4, '0'), shape: [SIZE, SIZE], data };
      }
    })(),
  );
  writeFileSync(
    join(demo, 'ingest.yaml'),
    [
      'target: { column: em, dtype: uint8, chunk: [128, 128, 4], branch: main }  # column made if missing',
      `extent: { x: [0, ${SIZE}], y: [0, ${SIZE}], z: [0, ${DEPTH}], t: [0, 1] }`,
      'tile: [128, 128]',
      'plugin: { name: image-stack, params: { root: em-slices, pattern: "{z:04d}.png" } }',
      'retries: 3',
      'message: ingest em slices 0-15',
      '',
    ].join('\n'),
  );
  note('Ingest jobs read large image stacks into a volume column; workers on any machine can join by id.');
  const created = strata('ingest', 'create', 'ingest.yaml', '-p', '2');
  const id = /ingest job (\S+)/.exec(created)?.[1];
  if (!id) throw new Error('ingest create printed no job id');
  strata('ingest', 'status', id);
  note('A cutout reads only the chunks it touches: to a .npy in (z, y, x) order, or one PNG per z.');
  strata('column', 'cutout', 'em', '--x', '64:192', '--y', '64:192', '--z', '4:8', '--out', 'em-cutout.npy');
  strata('column', 'cutout', 'em', '--x', '0:256', '--y', '0:256', '--z', '0:2', '--out', 'em-cutout-png/');
}
