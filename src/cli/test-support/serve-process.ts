import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_BIN } from './run-cli.js';

/** A `strata serve` process started by a test. */
export interface ServeProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGKILL, as a crash or a power cut would stop it; resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts the real `strata serve` in `root` (port 0: a free one) and waits until it says it listens. */
export async function startServe(root: string, port = 0): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', String(port)], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`strata serve exited ${code}: ${err}`)));
  });
  return {
    url: `${url}/`,
    port: Number(new URL(url).port),
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
