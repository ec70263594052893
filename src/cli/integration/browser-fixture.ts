/**
 * The repository the browser tests look at, made with the real CLI: an ingress tree with valid and
 * invalid assets (searched and graphed), three snapshots with metrics (a heat map: one better, one
 * worse than the first), a column of 16×16 uint8 images, and a write token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeNpy } from '../../api/index.js';
import { createStrata } from './cli-harness.js';

const SPECS = `export default ({ validators: v }) => [
  {
    name: 'seq001',
    assetType: 'sequence',
    filenameFields: ['project', 'specification', 'descriptor', 'version', 'frame', 'extension'],
    assetNameFields: ['project', 'specification', 'descriptor', 'version'],
    fieldValidators: { extension: [v.eq('txt')] },
    assetValidators: { frame: [v.framesNotMissing] },
  },
];
`;

const frame = (descriptor: string, f: number) =>
  `ingress/p-cat001_s-seq001_d-${descriptor}_v001/p-cat001_s-seq001_d-${descriptor}_v001_f000${f}.txt`;

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** One 16×16 image per sample: a diagonal gradient, brighter for each key. */
export const IMAGE_SIDE = 16;
async function writeImages(path: string, count: number): Promise<void> {
  const data = new Uint8Array(count * IMAGE_SIDE * IMAGE_SIDE);
  for (let s = 0; s < count; s++)
    for (let y = 0; y < IMAGE_SIDE; y++)
      for (let x = 0; x < IMAGE_SIDE; x++)
        data[(s * IMAGE_SIDE + y) * IMAGE_SIDE + x] = Math.min(255, (x + y) * 8 + s * 20);
  await writeNpy(path, {
    dtype: 'uint8',
    sampleShape: [IMAGE_SIDE, IMAGE_SIDE],
    count,
    chunks: (async function* () {
      yield data;
    })(),
  });
}

/** Builds the repository in `root` (an empty folder); returns a write token. */
export async function buildUiRepository(root: string): Promise<{ token: string }> {
  const strata = createStrata();
  await strata.ok(root, ['init']);

  for (const d of ['running-cat', 'jumping-cat'])
    for (const f of [1, 2, 3]) write(root, frame(d, f), `${d} ${f}\n`);
  for (const f of [1, 3]) write(root, frame('sleeping-cat', f), `zzz ${f}\n`); // frame 2 missing: invalid
  write(root, 'specs.mjs', SPECS);
  write(
    root,
    'strata-assets.yaml',
    'ingress_directory: ingress\nstaging_directory: staged\nspecification_files: [specs.mjs]\n',
  );
  await strata.ok(root, ['assets', 'update']);

  mkdirSync(join(root, 'results'));
  await strata.ok(root, ['resource', 'add', 'results', '--role', 'results']);
  const runs = [
    { tag: 'exp-1', accuracy: 0.81, loss: 0.42 },
    { tag: 'exp-2', accuracy: 0.86, loss: 0.35 },
    { tag: 'exp-3', accuracy: 0.74, loss: 0.55 },
  ];
  for (const r of runs) {
    write(root, 'results/results.json', JSON.stringify({ metrics: { accuracy: r.accuracy, loss: r.loss } }));
    await strata.ok(root, ['snapshot', '-m', `run ${r.tag}`, '--tag', r.tag]);
  }

  await writeImages(join(root, 'digits.npy'), 4);
  await strata.ok(root, ['column', 'import', 'digits', 'digits.npy', '--create']);
  await strata.ok(root, ['commit', '-m', 'digits']);

  const { token } = await strata.json<{ token: string }>(root, [
    'token',
    'create',
    'ui',
    '--scope',
    'write',
    '--json',
  ]);
  return { token };
}
