import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors/index.js';

/**
 * Tokens saved by `strata login URL`: `$XDG_CONFIG_HOME/strata/credentials.json` (default
 * `~/.config/strata/`), outside every repository, readable by its owner only (mode 0600, folder
 * 0700). `STRATA_CREDENTIALS_FILE` names another file (tests).
 */
export function credentialsPath(): string {
  if (process.env.STRATA_CREDENTIALS_FILE) return process.env.STRATA_CREDENTIALS_FILE;
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'strata', 'credentials.json');
}

interface CredentialsFile {
  servers: Record<string, { token: string }>;
}

/** A server's key in the file: its origin and path, ending in `/`. */
function serverKey(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/*$/, '/')}`;
}

function readFile(path: string): CredentialsFile {
  if (!existsSync(path)) return { servers: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<CredentialsFile>;
    return { servers: typeof parsed.servers === 'object' && parsed.servers ? parsed.servers : {} };
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, { path });
  }
}

/** The token `strata login` saved for `url`, if any. */
export function savedToken(url: string): string | undefined {
  return readFile(credentialsPath()).servers[serverKey(url)]?.token;
}

/** Saves `token` for `url` (replacing one saved before); returns the file's path. */
export function saveToken(url: string, token: string): string {
  const path = credentialsPath();
  const file = readFile(path);
  file.servers[serverKey(url)] = { token };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  // Created 0600 (not chmod-ed afterwards): the secret is never readable by others, not even briefly.
  writeFileSync(temp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'w' });
  chmodSync(temp, 0o600);
  const fd = openSync(temp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temp, path);
  return path;
}
