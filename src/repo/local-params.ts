import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { writeFileDurable } from '../util/durable-fs.js';
import type { Repository } from './repository.js';

/** `.strata/local-params.json`: parameters of this machine only, never versioned or shared. */
export function localParamsPath(repo: Repository): string {
  return join(repo.strataDir, 'local-params.json');
}

/** This machine's parameters ({} when none was set); a malformed file is a ConfigError naming it. */
export function readLocalParams(repo: Repository): Record<string, string> {
  const path = localParamsPath(repo);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, string>;
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`, { path });
  }
}

/** Sets one local parameter (temp file, fsync, rename). */
export function writeLocalParam(repo: Repository, name: string, value: string): void {
  writeFileDurable(
    localParamsPath(repo),
    JSON.stringify({ ...readLocalParams(repo), [name]: value }, null, 2) + '\n',
  );
}
