import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as api from '../../api/index.js';
import { StrataClient } from '../../protocol/client.js';
import { startServer, type RunningServer, type ServeOptions } from '../start-server.js';

export interface ServedRepo {
  readonly root: string;
  readonly server: RunningServer;
  readonly url: string;
  /** Secrets of tokens made before the server started: read, write, admin, expired. */
  readonly tokens: { read: string; write: string; admin: string; expired: string };
  client(token?: string): StrataClient;
  close(): Promise<void>;
}

/**
 * A repository with one commit of `files` under the `data` resource, four tokens, and the real
 * server listening on 127.0.0.1 at a free port (tests talk to it over HTTP with fetch).
 */
export async function serveRepo(
  files: Readonly<Record<string, string | Buffer>> = { 'a.txt': 'hello world\n', 'sub/b.txt': 'bee\n' },
  options: Partial<Omit<ServeOptions, 'cwd'>> & { prepare?: (root: string) => Promise<void> } = {},
): Promise<ServedRepo> {
  const root = mkdtempSync(join(tmpdir(), 'strata-server-'));
  const repo = await api.initRepository(root);
  let tokens: ServedRepo['tokens'];
  try {
    await api.addResource(repo, { path: 'data', role: 'source-data', cwd: root, create: true });
    for (const [path, content] of Object.entries(files)) {
      const abs = join(root, 'data', path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
    await api.commit(repo, { message: 'first', author: 'test' });
    const make = async (name: string, scope: string, extra: { expiresIn?: string; now?: Date } = {}) =>
      (await api.createToken(repo, { name, scope, ...extra })).token;
    tokens = {
      read: await make('reader', 'read'),
      write: await make('writer', 'write'),
      admin: await make('admin', 'admin'),
      expired: await make('old', 'admin', { expiresIn: '1h', now: new Date(Date.now() - 2 * 3600e3) }),
    };
  } finally {
    await repo.close();
  }
  await options.prepare?.(root);
  const server = await startServer({
    cwd: root,
    port: 0,
    host: '127.0.0.1',
    readOnly: false,
    webDir: join(root, 'no-web-ui'),
    ...options,
    // Tests name the server config relative to the repository (made here, so unknown to them).
    configPath: options.configPath === undefined ? undefined : join(root, options.configPath),
  });
  return {
    root,
    server,
    url: server.url,
    tokens,
    client: (token) => new StrataClient(server.url, token),
    async close() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** True when a response body shows no trace of a stack (file paths with line numbers, `at ` frames). */
export function hasNoStack(text: string): boolean {
  return !/\n\s+at |\.[jt]s:\d+/.test(text);
}

/** `strata assets update` in the repository at `root` (its own config), as a test's preparation. */
export async function updateAssetsAt(root: string): Promise<void> {
  const repo = await api.openRepository(root);
  try {
    await api.updateAssets(repo, { cwd: root });
  } finally {
    await repo.close();
  }
}
