import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../errors/index.js';

/** A remote location, by kind. */
export type RemoteLocation =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'http'; readonly url: string };

/**
 * Parses what `remote add`, `clone` and `push` accept: a path (relative to `cwd`) or `file://` URL
 * of another repository, `s3://bucket/prefix`, or `http(s)://host:port/` (a Strata server).
 */
export function parseRemoteUrl(text: string, cwd = process.cwd()): RemoteLocation {
  const given = text.trim();
  if (given === '') throw new InvalidArgumentError('a remote URL must not be empty', { url: text });
  if (given.startsWith('file://')) return { kind: 'path', path: fileURLToPath(given) };
  if (given.startsWith('s3://')) {
    const rest = given.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw new InvalidArgumentError(`'${bucket}' is not a valid S3 bucket name (in ${given})`, {
        url: text,
      });
    return { kind: 's3', bucket, prefix };
  }
  if (/^https?:\/\//.test(given)) return { kind: 'http', url: given.replace(/\/*$/, '/') };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given))
    throw new InvalidArgumentError(
      `unsupported remote URL '${given}': use a path, file://, s3:// or http(s)://`,
      { url: text },
    );
  return { kind: 'path', path: resolve(cwd, given) };
}

/** How a remote is written in config and output: absolute paths, URLs as given. */
export function normalizeRemoteUrl(text: string, cwd = process.cwd()): string {
  const location = parseRemoteUrl(text, cwd);
  return location.kind === 'path' ? location.path : text.trim();
}
