import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CLI_BIN, runCli } from '../test-support/run-cli.js';

const SPEC = `export default ({ validators: v }) => [{
  name: 'seq001', assetType: 'sequence',
  filenameFields: ['project', 'specification', 'descriptor', 'version', 'frame', 'extension'],
  assetNameFields: ['project', 'specification', 'descriptor', 'version'],
  fieldValidators: { extension: [v.eq('txt')] },
  assetValidators: { frame: [v.framesNotMissing] },
}];
`;

const folder = (d: string) => `p-cat001_s-seq001_d-${d}_v001`;
const frame = (d: string, f: number) => `${folder(d)}_f${String(f).padStart(4, '0')}.txt`;

/** A repository with an ingress tree: `run` and `walk` valid (3 frames), `gap` invalid (frame 2 missing). */
function project(root: string, config: string): void {
  assert.equal(runCli(root, ['init']).code, 0);
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  for (const d of ['run', 'walk'])
    for (const f of [1, 2, 3]) put(`ingress/cat001/${folder(d)}/${frame(d, f)}`, `${d} ${f}\n`);
  for (const f of [1, 3]) put(`ingress/cat001/${folder('gap')}/${frame('gap', f)}`, `gap ${f}\n`);
  put('specs.mjs', SPEC);
  put(
    'strata-assets.yaml',
    `ingress_directory: ingress\nstaging_directory: staging\nspecification_files: [specs.mjs]\n${config}`,
  );
}

/** The CLI without blocking this process's event loop (the webhook server lives here). */
function runCliAsync(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 2) : 0, stdout, stderr }),
    );
  });
}

describe('strata assets create|export|delete|workflow', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'strata-cli-staging-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('workflow: delete, update, create, export to disk, then the webhook; the staging is a commit', async () => {
    const calls: { method: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        calls.push({ method: req.method!, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      project(
        root,
        `exporters:\n  - name: disk\n    target_directory: archive\n    metadata_types: [asset, file-chunk]\n` +
          `webhooks:\n  - url: http://127.0.0.1:${port}/done\n    json: { text: export complete }\n`,
      );
      const run = await runCliAsync(root, ['assets', 'workflow', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as {
        ok: boolean;
        steps: { step: string; ok: boolean; result: Record<string, unknown> }[];
      };
      assert.equal(result.ok, true);
      assert.deepEqual(
        result.steps.map((s) => s.step),
        ['delete', 'update', 'create', 'export'],
      );
      const create = result.steps[2]!.result as {
        staged: number;
        files: number;
        bytes: number;
        commit: string;
      };
      assert.deepEqual([create.staged, create.files, create.bytes], [2, 6, 39]);
      assert.match(create.commit, /^[0-9a-f]{64}$/);
      const exported = result.steps[3]!.result as {
        exporters: { name: string; ok: boolean; attempts: number }[];
        webhooks: { url: string; ok: boolean; status: number }[];
      };
      assert.deepEqual(
        exported.exporters.map((e) => [e.name, e.ok, e.attempts]),
        [['disk', true, 1]],
      );
      assert.deepEqual(exported.webhooks, [{ url: 'REDACTED', ok: true, status: 204, attempts: 1 }]);
      assert.deepEqual(calls, [{ method: 'POST', body: '{"text":"export complete"}' }]);
      assert.ok(existsSync(join(root, 'archive/content/cat001', folder('run'), frame('run', 2))));
      assert.equal(existsSync(join(root, 'archive/content/cat001', folder('gap'))), false);
      assert.equal(readdirSync(join(root, 'archive/metadata/asset')).length, 2);
      assert.equal(existsSync(join(root, 'archive/metadata/file')), false);
      const log = runCli(root, ['log']);
      assert.match(log.stdout, /assets: staged 2 assets \(6 files, copy\)/);
      // Delete removes the staging, not its history: the commit can be restored.
      assert.equal(runCli(root, ['assets', 'delete']).code, 0);
      assert.equal(existsSync(join(root, 'staging/content')), false);
      assert.equal(runCli(root, ['restore', 'staging']).code, 0);
      assert.ok(existsSync(join(root, 'staging/content/cat001', folder('walk'), frame('walk', 3))));
    } finally {
      server.close();
    }
  });

  it('export to a target that is down: retries, one failed entry with the password hidden, exit 1, staging intact', () => {
    project(
      root,
      `exporters:\n  - name: postgres\n    url: postgres://postgres:s3cret-pw@127.0.0.1:1/test\n    retry: { attempts: 2, backoff_ms: 10 }\n` +
        `webhooks:\n  - url: http://127.0.0.1:1/never\n`,
    );
    assert.equal(runCli(root, ['assets', 'update']).code, 0);
    assert.equal(runCli(root, ['assets', 'create']).code, 0);
    const before = readdirSync(join(root, 'staging/metadata/file')).sort();
    const run = runCli(root, ['assets', 'export', '--json']);
    assert.equal(run.code, 1);
    const result = run.json<{
      ok: boolean;
      exporters: { name: string; ok: boolean; attempts: number; error: string }[];
      webhooks: unknown[];
    }>();
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.exporters.map((e) => [e.name, e.ok, e.attempts]),
      [['postgres', false, 2]],
    );
    assert.match(result.exporters[0]!.error, /^postgres export failed after 2 attempts: /);
    assert.deepEqual(result.webhooks, []);
    assert.ok(!run.stdout.includes('s3cret-pw') && !run.stderr.includes('s3cret-pw'));
    assert.equal(run.stderr.trim().split('\n').length, 2, run.stderr); // one line per failed attempt
    assert.deepEqual(readdirSync(join(root, 'staging/metadata/file')).sort(), before);
    const human = runCli(root, ['assets', 'export']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /failed postgres export failed after 2 attempts/);
  });

  it('move mode: the ingress files of valid assets move into the staging commit; invalid ones stay', () => {
    project(root, 'write_mode: move\n');
    const run = runCli(root, ['assets', 'workflow', '--steps', 'update,create', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(existsSync(join(root, 'ingress/cat001', folder('run'), frame('run', 1))), false);
    assert.ok(existsSync(join(root, 'staging/content/cat001', folder('run'), frame('run', 1))));
    assert.ok(existsSync(join(root, 'ingress/cat001', folder('gap'), frame('gap', 1))));
    assert.match(runCli(root, ['log']).stdout, /\(6 files, move\)/);
  });

  it('move mode killed with SIGKILL mid-staging: nothing lost; after lock release the next create recovers and commits', async () => {
    project(root, 'write_mode: move\n');
    // Enough frames that the move and commit take a while.
    for (let a = 0; a < 60; a++) {
      const d = `many${a}`;
      for (let f = 1; f <= 50; f++) {
        mkdirSync(join(root, 'ingress/bulk', folder(d)), { recursive: true });
        writeFileSync(join(root, 'ingress/bulk', folder(d), frame(d, f)), `${d} ${f}\n`.repeat(50));
      }
    }
    assert.equal(runCli(root, ['assets', 'update']).code, 0);
    const journal = join(root, '.strata/assets-staging-journal.json');
    const child = spawn(process.execPath, [CLI_BIN, 'assets', 'create'], { cwd: root, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
    // Kill as soon as the journal exists: the moves have begun and the commit has not finished.
    for (let i = 0; i < 4000 && !existsSync(journal); i++) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(existsSync(journal), 'killed while the staging was unfinished');
    const all: string[] = [];
    for (let a = 0; a < 60; a++)
      for (let f = 1; f <= 50; f++) all.push(`bulk/${folder(`many${a}`)}/${frame(`many${a}`, f)}`);
    for (const p of all) {
      assert.ok(
        existsSync(join(root, 'ingress', p)) || existsSync(join(root, 'staging/content', p)),
        `${p} lost`,
      );
    }
    // The dead process still holds the staging lock: the next create says so, release frees it.
    const locked = runCli(root, ['assets', 'create']);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /lock release/);
    assert.equal(runCli(root, ['lock', 'release']).code, 0);
    const again = runCli(root, ['assets', 'create', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const result = again.json<{
      files: number;
      commit: string;
      recovered: { policy: string; missing: string[] };
    }>();
    assert.equal(result.recovered.policy, 'rollback');
    assert.deepEqual(result.recovered.missing, []);
    assert.equal(result.files, all.length + 6);
    assert.ok(result.commit);
    for (const p of all) {
      assert.equal(existsSync(join(root, 'ingress', p)), false);
      assert.ok(existsSync(join(root, 'staging/content', p)));
    }
    assert.equal(existsSync(journal), false);
  });

  it('no valid assets: nothing staged, no commit; bad steps and hostile paths are one-line errors', () => {
    project(root, '');
    rmSync(join(root, 'ingress/cat001', folder('run')), { recursive: true });
    rmSync(join(root, 'ingress/cat001', folder('walk')), { recursive: true });
    assert.equal(runCli(root, ['assets', 'update']).code, 0);
    const create = runCli(root, ['assets', 'create', '--json']);
    assert.equal(create.code, 0, create.stderr);
    assert.deepEqual(create.json(), { staged: 0, files: 0, bytes: 0, commit: null });
    assert.match(runCli(root, ['assets', 'create']).stdout, /no valid assets: nothing staged/);
    assert.doesNotMatch(runCli(root, ['log']).stdout, /assets: staged/);

    const steps = runCli(root, ['assets', 'workflow', '--steps', 'update,explode']);
    assert.equal(steps.code, 1);
    assert.match(steps.stderr, /unknown workflow step 'explode'/);
    assert.equal(steps.stderr.trim().split('\n').length, 1);

    writeFileSync(join(root, 'bad.yaml'), 'ingress_directory: ingress\nstaging_directory: ../outside\n');
    const hostile = runCli(root, ['assets', 'create', '--config', 'bad.yaml']);
    assert.equal(hostile.code, 1);
    assert.match(hostile.stderr, /staging_directory: must not contain '\.\.'/);
    const path = runCli(root, ['assets', 'export', '--config', '../bad.yaml']);
    assert.equal(path.code, 1);
    assert.match(path.stderr, /must not contain '\.\.'/);
    assert.equal(existsSync(join(root, '..', 'outside')), false);
  });
});
