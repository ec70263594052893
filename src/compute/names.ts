import { InvalidArgumentError } from '../errors/index.js';

const COLLECTION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/;
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Checks a collection name: 1-48 letters, digits, `.`, `_` or `-`, starting with a letter or a
 * digit (it names a folder under `computed/` and the resource `computed-NAME`).
 */
export function checkCollectionName(name: unknown): string {
  if (typeof name !== 'string' || !COLLECTION.test(name)) {
    throw new InvalidArgumentError(
      `invalid collection name ${JSON.stringify(name)}: use 1-48 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { name: String(name) },
    );
  }
  return name;
}

/**
 * Checks a resource id: any string (slashes, `..`, spaces, unicode) except one holding a lone
 * UTF-16 surrogate, which cannot be stored as text and would collide with other ids.
 */
export function checkId(id: unknown): string {
  if (typeof id !== 'string')
    throw new InvalidArgumentError(`a resource id must be a string, got ${typeof id}`, { id: String(id) });
  if (LONE_SURROGATE.test(id))
    throw new InvalidArgumentError('a resource id must be well-formed unicode (it has a lone surrogate)', {
      id,
    });
  return id;
}
