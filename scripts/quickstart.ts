/**
 * `npm run quickstart`: builds nothing itself (npm runs the build first), then makes a demo
 * repository under ./quickstart-demo from data it generates, and walks through every capability
 * that exists, running the real `strata` CLI and showing each command with its output.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync, appendFileSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeNpy } from '../src/api/index.js';
import { installedBin } from '../src/cli/test-support/installed-bin.js';
import { assetsTour } from './quickstart-assets.js';

// The file package.json's `bin` points to: what `npx strata` runs.
const bin = installedBin();
const demo = resolve(process.argv[2] ?? 'quickstart-demo');

function strata(...args: string[]): string {
  process.stdout.write(`\n\u001b[1m$ strata ${args.join(' ')}\u001b[0m\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: demo, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stdout.write(r.stderr);
  if (r.status !== 0 && !args.includes('--expect-failure')) {
    throw new Error(`'strata ${args.join(' ')}' exited with ${r.status}`);
  }
  return r.stdout;
}

function note(text: string): void {
  process.stdout.write(`\n# ${text}\n`);
}

/** A small tabular dataset (a noisy linear relation) and a folder of binary "images". */
function generateData(): void {
  const rows = ['x,y,label'];
  for (let i = 0; i < 2000; i++) {
    const x = (i / 100).toFixed(2);
    const y = (3 * (i / 100) + 1 + Math.sin(i) * 0.5).toFixed(3);
    rows.push(`${x},${y},${i % 3}`);
  }
  mkdirSync(join(demo, 'source-data/images'), { recursive: true });
  writeFileSync(join(demo, 'source-data/measurements.csv'), rows.join('\n') + '\n');
  for (let i = 0; i < 50; i++) {
    writeFileSync(join(demo, `source-data/images/img-${String(i).padStart(3, '0')}.bin`), randomBytes(4096));
  }
  writeFileSync(
    join(demo, 'code/train.py'),
    'import csv\nrows = list(csv.DictReader(open("../source-data/measurements.csv")))\nprint(len(rows))\n',
  );
  writeFileSync(
    join(demo, 'results/metrics.json'),
    JSON.stringify({ accuracy: 0.81, loss: 0.42 }, null, 2) + '\n',
  );
}

/** A compute function for the tour: byte statistics of one image, and a histogram file beside them. */
const IMAGE_STATS = `import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function imageStats(id, _args, ctx) {
  const bytes = readFileSync(join(ctx.root, id));
  const bins = new Array(16).fill(0);
  let sum = 0;
  for (const b of bytes) {
    sum += b;
    bins[b >> 4]++;
  }
  ctx.log.info(id, bytes.length, 'bytes');
  writeFileSync(join(ctx.dir, 'histogram.json'), JSON.stringify(bins));
  return { bytes: bytes.length, mean: Number((sum / bytes.length).toFixed(2)) };
}
`;

/** The tour's training step: fits y = a·x + b by gradient descent and reports its metrics. */
const TRAIN = `import { readFileSync, writeFileSync } from 'node:fs';

const lr = Number(process.argv[2]);
const rows = readFileSync('source-data/measurements.csv', 'utf8').trim().split('\\n').slice(1).map((l) => l.split(',').map(Number));
let a = 0;
let b = 0;
for (let epoch = 0; epoch < 200; epoch++) {
  let ga = 0;
  let gb = 0;
  for (const [x, y] of rows) {
    const e = a * x + b - y;
    ga += (2 * e * x) / rows.length;
    gb += (2 * e) / rows.length;
  }
  a -= lr * ga;
  b -= lr * gb;
}
const loss = rows.reduce((s, [x, y]) => s + (a * x + b - y) ** 2, 0) / rows.length;
const accuracy = rows.filter(([x, y]) => Math.abs(a * x + b - y) < 1).length / rows.length;
writeFileSync('results/results.json', JSON.stringify({ step: 'train', parameters: { lr }, metrics: { loss: Number(loss.toFixed(4)), accuracy: Number(accuracy.toFixed(3)) } }, null, 2));
console.log('lr', lr, 'loss', loss.toFixed(4), 'accuracy', accuracy.toFixed(3));
`;

/** Writes an .npy file with the library's writer (what numpy's np.save would make). */
async function saveNpy(file: string, dtype: 'uint8' | 'int64', sampleShape: number[], data: Uint8Array) {
  const sampleBytes = sampleShape.reduce((a, b) => a * b, 1) * (dtype === 'uint8' ? 1 : 8);
  await writeNpy(join(demo, file), {
    dtype,
    sampleShape,
    count: data.byteLength / sampleBytes,
    chunks: (async function* () {
      yield data;
    })(),
  });
}

/** MNIST-like digits: a stroke whose position depends on the label. */
function digits(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 28 * 28);
  const labels = new BigInt64Array(count);
  for (let n = 0; n < count; n++) {
    const label = (n * 7 + seed) % 10;
    labels[n] = BigInt(label);
    for (let y = 4; y < 24; y++) images[n * 784 + y * 28 + 4 + label * 2] = 255 - ((y * 9 + n) % 64);
  }
  return { images, labels: new Uint8Array(labels.buffer) };
}

async function columnsTour(): Promise<void> {
  note('Tensor columns: 1,000 MNIST-like images and labels imported from .npy files and committed.');
  const base = digits(1000, 0);
  await saveNpy('images.npy', 'uint8', [28, 28], base.images);
  await saveNpy('labels.npy', 'int64', [1], base.labels);
  strata('column', 'import', 'images', 'images.npy', '--create');
  strata('column', 'import', 'labels', 'labels.npy', '--create');
  strata('column', 'list');
  strata('commit', '-m', 'MNIST-like digits as columns', '--tag', 'digits-v1');

  note('On a branch, relabel 5 samples; on main, add 200 new images and labels.');
  strata('checkout', 'main', '--branch', 'relabel');
  await saveNpy('fix.npy', 'int64', [1], new Uint8Array(BigInt64Array.of(1n, 1n, 1n, 1n, 1n).buffer));
  strata('column', 'import', 'labels', 'fix.npy', '--start', '10');
  strata('column', 'status');
  strata('commit', '-m', 'Relabel samples 10-14');
  strata('checkout', 'main');
  const more = digits(200, 3);
  await saveNpy('more-images.npy', 'uint8', [28, 28], more.images);
  await saveNpy('more-labels.npy', 'int64', [1], more.labels);
  strata('column', 'import', 'images', 'more-images.npy', '--start', '1000');
  strata('column', 'import', 'labels', 'more-labels.npy', '--start', '1000');
  strata('commit', '-m', '200 more digits');

  note('A three-way merge at sample level, then what it changed, and the whole column back out as .npy.');
  strata('merge', 'relabel');
  strata('diff', 'HEAD~1', 'HEAD');
  strata('log', '-n', '4');
  strata('column', 'show', 'labels', '12');
  strata('summary');
  strata('column', 'export', 'images', 'images-out.npy');
}

async function main(): Promise<void> {
  if (existsSync(demo)) rmSync(demo, { recursive: true, force: true });
  mkdirSync(demo, { recursive: true });
  note(`A demo repository in ${demo}, with generated data.`);
  strata('init', '--create-resources', 'source-data,code,results');
  generateData();
  strata('status');
  strata('commit', '-m', 'Initial data, code and results', '--tag', 'v1');

  note('Branch off to try something: change the data, delete an image, add a result.');
  strata('checkout', 'main', '--branch', 'experiment');
  appendFileSync(join(demo, 'source-data/measurements.csv'), '20.00,61.000,2\n');
  rmSync(join(demo, 'source-data/images/img-007.bin'));
  writeFileSync(
    join(demo, 'results/metrics.json'),
    JSON.stringify({ accuracy: 0.86, loss: 0.35 }, null, 2) + '\n',
  );
  strata('status');
  strata('diff');
  strata('commit', '-m', 'More data, one bad image dropped');

  note('History, with every branch and tag, and what changed between v1 and the experiment.');
  strata('log', '--all');
  strata('diff', 'v1', 'experiment');
  strata('show', 'experiment');

  note('Back to main: only the files that differ are rewritten (results are never rolled back).');
  strata('checkout', 'main');
  strata('branch');

  note('An accident: a file is deleted and another overwritten; restore brings them back.');
  rmSync(join(demo, 'source-data/measurements.csv'));
  writeFileSync(join(demo, 'code/train.py'), 'oops\n');
  strata('status');
  strata('restore', 'source-data/measurements.csv');
  strata('restore', 'code', '--force');
  strata('status');

  note(
    'Computed resources: statistics of every image, computed once through a collection (in worker threads).',
  );
  writeFileSync(join(demo, 'code/image-stats.mjs'), IMAGE_STATS);
  const images = readdirSync(join(demo, 'source-data/images')).map((f) => `source-data/images/${f}`);
  writeFileSync(join(demo, 'image-ids.txt'), images.join('\n') + '\n');
  const run = ['compute', 'run', 'image-stats', '--module', 'code/image-stats.mjs', '--export', 'imageStats'];
  strata(...run, '--ids-from', 'image-ids.txt');
  strata('compute', 'stats');
  strata('compute', 'show', 'image-stats', images[0]!);
  note('The same run again: every result comes from the cache, nothing is recomputed.');
  strata(...run, '--ids-from', 'image-ids.txt');

  note(
    'Experiments: the same training step run with two learning rates, lineage recorded, a snapshot after each.',
  );
  writeFileSync(join(demo, 'code/train.mjs'), TRAIN);
  for (const [i, lr] of ['0.001', '0.005'].entries()) {
    const step = [
      'run',
      '-n',
      'train',
      '-p',
      `lr=${lr}`,
      '-i',
      'source-data/measurements.csv',
      '-c',
      'code/train.mjs',
    ];
    strata(...step, '--results', 'results', '--', process.execPath, 'code/train.mjs', lr);
    strata('snapshot', '-m', `train with lr=${lr}`, '--tag', `exp-${i + 1}`);
  }
  strata('report', 'history', '--baseline', 'exp-1');
  strata('lineage', 'show');
  strata('lineage', 'graph', '--format', 'html', '-o', 'lineage.html');
  note(`The lineage graph is a self-contained page: ${join(demo, 'lineage.html')}`);

  await columnsTour();
  assetsTour(demo, strata, note);

  note('Every stored object re-hashed and checked; locks; unreachable objects collected.');
  strata('fsck');
  strata('lock');
  strata('gc', '--dry-run');
  strata('resource', 'list');

  process.stdout.write(`
Tour done. The demo repository is in ${demo}:
  cd ${demo}
  node ${bin} log --all          # or: npm link, then strata log --all
  node ${bin} --help
Everything here is in the README: Quick start, CLI reference, architecture.
`);
}

await main();
