import { CorruptObjectError, InvalidArgumentError } from '../../../../errors/index.js';

/** A bucket and a key prefix (no leading or trailing `/`; '' for the whole bucket). */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

const URL_FORM = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

function parse(url: string): S3Location | undefined {
  const match = URL_FORM.exec(url);
  if (!match || url.includes('\u0000')) return undefined;
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  const parts = prefix === '' ? [] : prefix.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return { bucket: match[1]!, prefix };
}

/** Parses `s3://BUCKET/PREFIX` as typed by a user; refuses anything else with the form to use. */
export function parseS3Url(url: string): S3Location {
  const location = parse(url.trim());
  if (!location) {
    throw new InvalidArgumentError(
      `'${url}' is not an S3 location; use s3://BUCKET or s3://BUCKET/PREFIX (no '.', '..' or empty segments)`,
      { url },
    );
  }
  return location;
}

/** The normalised URL a resource records. */
export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
}

/** Checks an S3 location read from a stored tree (a tree is data). */
export function checkStoredS3Url(path: string): string {
  if (!parse(path)) {
    throw new CorruptObjectError(`refusing unsafe S3 location '${path}' found in a stored tree`, { path });
  }
  return path;
}

/**
 * The path inside the local copy of an object key, or undefined for keys no file can stand for
 * (folder markers ending in `/`, and `.`, `..` or empty segments, which must never lead a write
 * outside the copy).
 */
export function keyToPath(location: S3Location, key: string): string | undefined {
  const rest = location.prefix === '' ? key : key.slice(location.prefix.length + 1);
  if (location.prefix !== '' && !key.startsWith(location.prefix + '/')) return undefined;
  const parts = rest.split('/');
  if (rest === '' || parts.some((p) => p === '' || p === '.' || p === '..' || p === '.strata'))
    return undefined;
  return rest;
}

/** The object key of a path inside the local copy. */
export function pathToKey(location: S3Location, path: string): string {
  return location.prefix === '' ? path : `${location.prefix}/${path}`;
}
