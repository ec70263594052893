// `npm run quickstart -- --serve`: the tour closes with the command that serves the demo's UI
// (its URL and a token), then serves it until Ctrl-C; the token it printed opens the API. SIGINT
// sent to the quickstart alone (not its process group) must still stop the server it started.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Resolves to 'still running' after `ms`: a bound on a wait for an exit, never a readiness wait. */
function stillRunningAfter(ms: number): Promise<string> {
  return new Promise((resolve) => setTimeout(() => resolve('still running'), ms).unref());
}

test(
  'the quickstart with --serve closes with the serve command, URL and token, then serves',
  { timeout: 600_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-quickstart-serve-'));
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = spawn(
      process.execPath,
      ['dist/scripts/quickstart.js', join(dir, 'demo'), '--serve', '--port', '0'],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so a failure below can stop everything it started.
        detached: true,
      },
    );
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const m = /^Serving .* at (http:\/\/\S+)$/m.exec(out);
          if (m) resolve(m[1]!);
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        void exited.then((code) =>
          reject(new Error(`the quickstart exited (${code}) before serving:\n${out.slice(-3000)}`)),
        );
      });
      const closing = out.slice(out.indexOf('Tour done.'));
      const token = /with the token (\S+):\n {2}cd \S+ && strata serve\n/.exec(closing)?.[1];
      assert.ok(token, `the closing note ends with the serve command and a token:\n${closing}`);
      assert.match(closing, /http:\/\/127\.0\.0\.1:8080/);
      const refs = await fetch(`${url}/api/refs`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(refs.status, 200);
      assert.equal((await fetch(`${url}/api/refs`)).status, 401);
      const page = await fetch(`${url}/`);
      assert.match(await page.text(), /<div id="root">/);
      child.kill('SIGINT');
      const code = await Promise.race([exited, stillRunningAfter(120_000)]);
      // 130 = 128 + SIGINT: what a shell reports after Ctrl-C, passed on from the server.
      assert.equal(code, 130, `SIGINT to the quickstart stops its server and it exits:\n${out.slice(-2000)}`);
    } finally {
      // Whatever failed above, leave no server behind: it would keep this test file from ending.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // ESRCH: the group is empty, as it should be
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
