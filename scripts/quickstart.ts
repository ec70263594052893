/**
 * `npm run quickstart`: makes a demo repository under ./quickstart-demo from data it generates,
 * and walks through every capability that exists, running the installed `strata` command
 * (package.json's bin, dist/strata.js) and showing each command, shell-quoted so it can be pasted,
 * with its output. Plain text when stdout is not a terminal or NO_COLOR is set. Built by `npm ci`
 * (prepare); scripts/run-quickstart.js builds only when dist/ is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../src/api/index.js';
import { assetsTour } from './quickstart-assets.js';
import { ingestTour } from './quickstart-ingest.js';
import { remotesTour } from './quickstart-remotes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { strata: string } };
/** The file `npm link` and `npx strata` run. */
const bin = join(ROOT, pkg.bin.strata);
/** `quickstart.js [DEMO-DIR] [--serve [--port N]]`: with --serve, the tour ends by serving the UI. */
const argv = process.argv.slice(2);
const portAt = argv.indexOf('--port');
const servePort = portAt === -1 ? undefined : argv[portAt + 1];
const serveAfter = argv.includes('--serve');
const demo = resolve(
  argv.find((a, i) => !a.startsWith('--') && (portAt === -1 || i !== portAt + 1)) ?? 'quickstart-demo',
);
const color = process.stdout.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
/** The children's environment: no colours in their output either (FORCE_COLOR would win over NO_COLOR). */
const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete childEnv.FORCE_COLOR;
const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[0m` : text);

/** A word as a POSIX shell reads it back unchanged: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_\-.,/:=@%+]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Shows a command as it can be pasted (from the demo folder), runs it, and prints its output. */
function show(argv: readonly string[], run: () => ReturnType<typeof spawnSync>, mayFail = false): string {
  process.stdout.write(`\n${bold(`$ ${argv.map(shellQuote).join(' ')}`)}\n`);
  const r = run();
  process.stdout.write(String(r.stdout ?? ''));
  if (r.stderr) process.stdout.write(String(r.stderr));
  if (r.status !== 0 && mayFail) process.stdout.write(`(exit ${r.status}: refused, as expected)\n`);
  if (r.status !== 0 && !mayFail) throw new Error(`'${argv.join(' ')}' exited with ${r.status}`);
  return String(r.stdout ?? '');
}

function runStrata(args: readonly string[], mayFail: boolean): string {
  return show(
    ['strata', ...args],
    () => spawnSync(process.execPath, [bin, ...args], { cwd: demo, encoding: 'utf8', env: childEnv }),
    mayFail,
  );
}

function strata(...args: string[]): string {
  return runStrata(args, false);
}

/** A command that is expected to fail (to show what a refusal looks like). */
function strataRefused(...args: string[]): string {
  return runStrata(args, true);
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

/** Runs one of examples/*.mjs, the library used from a program, against a folder of the demo. */
function libraryTour(): void {
  note('The library: examples/folder-dataset.mjs versions a folder from code (import … from "strata").');
  const example = join(ROOT, 'examples', 'folder-dataset.mjs');
  show(['node', relative(demo, example), 'library-demo'], () =>
    spawnSync(process.execPath, [example, join(demo, 'library-demo')], {
      cwd: demo,
      encoding: 'utf8',
      env: childEnv,
    }),
  );
  note(
    'Also in examples/: training-loop.mjs (column batches, results, lineage), computed-collection.mjs,\n' +
      '# asset-spec.mjs with asset-ingest.sh. The tests run every one of them.',
  );
}

/** A folder elsewhere on disk, registered as a local resource: versioned where it lies. */
function localResourceTour(): void {
  const shared = `${demo}-shared`;
  rmSync(shared, { recursive: true, force: true });
  mkdirSync(shared, { recursive: true });
  writeFileSync(join(shared, 'vocabulary.txt'), 'cat\ndog\n');
  note(
    `A folder elsewhere on disk (${shared}) registered as a local resource: snapshots record it where it lies.`,
  );
  strata('resource', 'add', 'local', relative(demo, shared), '--role', 'source-data', '--name', 'shared');
  strata('commit', '-m', 'Shared vocabulary');
  appendFileSync(join(shared, 'vocabulary.txt'), 'bird\n');
  strata('status');
  strata('commit', '-m', 'A third word');
}

async function main(): Promise<void> {
  if (existsSync(demo)) rmSync(demo, { recursive: true, force: true });
  mkdirSync(demo, { recursive: true });
  note(
    `A demo repository in ${demo}, with generated data. Each command is shown as you can type it\n` +
      `# there (cd ${shellQuote(relative(process.cwd(), demo) || '.')}) once 'strata' is on your PATH ` +
      `(npm link; it runs ${bin}).`,
  );
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

  note('Tags name a commit for good (they never move); branches move with each commit.');
  strata('tag', 'reviewed', 'experiment');
  strata('tag');
  strata('branch');

  note('Back to main: only the files that differ are rewritten (results are never rolled back).');
  strata('checkout', 'main');

  note('An accident: a file is deleted and another overwritten; restore brings them back.');
  rmSync(join(demo, 'source-data/measurements.csv'));
  writeFileSync(join(demo, 'code/train.py'), 'oops\n');
  strata('status');
  strata('restore', 'source-data/measurements.csv');
  strata('restore', 'code', '--force');
  strata('status');

  localResourceTour();

  note('Configuration: every parameter with its value, scope and help; set one.');
  strata('config');
  strata('config', 'metrics.minimize', 'loss,mse');

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
    strata(...step, '--results', 'results', '--', 'node', 'code/train.mjs', lr);
    strata('snapshot', '-m', `train with lr=${lr}`, '--tag', `exp-${i + 1}`);
  }
  strata('report', 'history', '--baseline', 'exp-1');
  strata('lineage', 'show');
  strata('lineage', 'graph', '--format', 'html', '-o', 'lineage.html');
  note(`The lineage graph is a self-contained page: ${join(demo, 'lineage.html')}`);

  await columnsTour();
  await ingestTour(demo, strata, note);

  note('Asset names follow a convention, checked field by field (docs/assets.md); a bad name says where.');
  strata('assets', 'parse', 'p-cat001_s-seq001_d-running-cat_v001_f0001.txt');
  strataRefused('assets', 'parse', 'p-cat001_s-seq001_d-Running_v1.txt');
  assetsTour(demo, strata, note);

  remotesTour(demo, strata, note);

  libraryTour();

  note('Every stored object re-hashed and checked; locks; unreachable objects collected.');
  strata('fsck');
  strata('lock');
  strata('gc', '--dry-run');
  strata('resource', 'list');

  note('The web UI and HTTP API need a token: shown once, only its hash is stored.');
  const token = strata('token', 'create', 'quickstart', '--scope', 'write').split('\n')[0]!.trim();

  const cd = relative(process.cwd(), demo) || '.';
  process.stdout.write(`
Tour done. The demo repository is in ${demo}.

What to try next:
  npm link                                  # puts 'strata' on your PATH (or: alias strata="node ${bin}")
  cd ${shellQuote(cd)} && strata log --all   # the history the tour made
  strata report history                     # the experiments side by side
  source <(strata completion bash)          # tab completion (also zsh, fish)
  node ${shellQuote(relative(process.cwd(), join(ROOT, 'examples', 'training-loop.mjs')))}   # the library: columns, results, lineage
Then the five common jobs in README.md, one page per capability in docs/, every command in docs/cli.md.

The web UI (data, asset graph, history, files, columns, jobs), at http://127.0.0.1:8080 with the token ${token}:
  cd ${shellQuote(cd)} && strata serve
`);
  if (serveAfter) serve();
}

/**
 * `--serve`: serves the demo repository until Ctrl-C or SIGTERM. The signal is passed on to the
 * server (which closes cleanly) whether it came from a terminal (whole process group) or was sent
 * to this process alone, so the server never outlives the tour.
 */
function serve(): void {
  const args = ['serve', ...(servePort !== undefined ? ['--port', servePort] : [])];
  process.stdout.write(`\n${bold(`$ strata ${args.join(' ')}`)}\n`);
  const server = spawn(process.execPath, [bin, ...args], { cwd: demo, stdio: 'inherit', env: childEnv });
  const forward = (signal: NodeJS.Signals) => () => {
    if (server.exitCode === null && server.signalCode === null) server.kill(signal);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  server.on('exit', (code) => {
    process.exitCode = code ?? 1;
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
  });
}

await main();
