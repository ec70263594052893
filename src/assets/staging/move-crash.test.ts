import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { recoverMoves, type RecoveryPolicy } from './move-journal.js';
import { writeSampleAssets } from './test-support/sample-assets.js';
import type { StagingAsset } from './staging-plan.js';

const STAGE_MODULE = new URL('./stage-assets.js', import.meta.url).href;

/**
 * A child process that moves the assets into staging and is killed with SIGKILL mid-move: by
 * itself after `killAfter` files (a precise point), or by the parent once it reports progress.
 */
function runChild(dir: string, assets: StagingAsset[], crossDevice: string, killAfter: number | null) {
  const script = join(dir, 'child.mjs');
  writeFileSync(join(dir, 'assets.json'), JSON.stringify(assets));
  writeFileSync(
    script,
    `import { readFileSync } from 'node:fs';
import { stageAssets } from ${JSON.stringify(STAGE_MODULE)};
const assets = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'assets.json'))}, 'utf8'));
let n = 0;
await stageAssets({
  ingressRoot: ${JSON.stringify(join(dir, 'ingress'))},
  stagingRoot: ${JSON.stringify(join(dir, 'staging'))},
  journalPath: ${JSON.stringify(join(dir, 'journal.json'))},
  assets, writeMode: 'move', crossDevice: ${JSON.stringify(crossDevice)}, concurrency: 4,
  afterEachMove() {
    n++;
    process.stdout.write('moved ' + n + '\\n');
    if (n === ${killAfter ?? -1}) process.kill(process.pid, 'SIGKILL');
    if (${killAfter === null}) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  },
});
process.stdout.write('done\\n');
`,
  );
  return new Promise<{ signal: NodeJS.Signals | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfter === null && stdout.includes('moved 15\n')) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => resolve({ signal, stdout }));
  });
}

describe('move mode survives SIGKILL mid-move', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-move-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cases: { crossDevice: string; killAfter: number | null; policy: RecoveryPolicy }[] = [
    { crossDevice: 'auto', killAfter: 7, policy: 'rollback' },
    { crossDevice: 'auto', killAfter: 7, policy: 'finish' },
    { crossDevice: 'always', killAfter: 7, policy: 'rollback' },
    { crossDevice: 'always', killAfter: 7, policy: 'finish' },
    { crossDevice: 'always', killAfter: null, policy: 'finish' },
  ];
  for (const { crossDevice, killAfter, policy } of cases) {
    it(`${crossDevice} device, killed ${killAfter === null ? 'by the parent' : `after ${killAfter} files`}, then ${policy}`, async () => {
      const ingress = join(dir, 'ingress');
      const staging = join(dir, 'staging');
      const assets = writeSampleAssets(ingress, 10, 4, 20_000);
      const files = assets.flatMap((a) => a.files);
      const original = new Map(files.map((f) => [f.path, readFileSync(join(ingress, f.path))]));
      const run = await runChild(dir, assets, crossDevice, killAfter);
      assert.equal(run.signal, 'SIGKILL');
      assert.ok(!run.stdout.includes('done'));
      // Right after the crash: every file is somewhere, and wherever it is, it is whole.
      let staged = 0;
      for (const f of files) {
        const src = join(ingress, f.path);
        const dst = join(staging, 'content', f.path);
        assert.ok(existsSync(src) || existsSync(dst), `${f.path} lost`);
        if (existsSync(dst)) {
          staged++;
          assert.deepEqual(readFileSync(dst), original.get(f.path));
        }
        if (existsSync(src)) assert.deepEqual(readFileSync(src), original.get(f.path));
      }
      assert.ok(staged > 0 && staged < files.length, `staged ${staged}`);
      const report = await recoverMoves(join(dir, 'journal.json'), policy);
      assert.equal(report?.entries, files.length);
      assert.deepEqual(report?.missing, []);
      // After recovery: each file in exactly one place, chosen by the policy, with its bytes.
      for (const f of files) {
        const src = join(ingress, f.path);
        const dst = join(staging, 'content', f.path);
        const where = policy === 'finish' ? dst : src;
        const not = policy === 'finish' ? src : dst;
        assert.deepEqual(readFileSync(where), original.get(f.path));
        assert.equal(existsSync(not), false);
      }
      for (const a of assets) {
        const folder = join(staging, 'content', a.path);
        if (existsSync(folder))
          assert.deepEqual(
            readdirSync(folder).filter((n) => n.startsWith('.')),
            [],
          );
      }
      assert.equal(existsSync(join(dir, 'journal.json')), false);
      assert.equal(await recoverMoves(join(dir, 'journal.json'), policy), undefined);
    });
  }
});
