import type { ObjectId } from '../../util/hash.js';
import { isPackName } from '../fs/fs-layout.js';

/**
 * The `pack` an index row names for a big object stored alone under its own key. Pack names are
 * `pack-<32 hex>.pack`, so it cannot clash with one. Keeping big objects in the index too makes the
 * index the one record of what is stored: `has`, `size` and `list` never ask S3.
 */
export const LOOSE_PACK = 'loose';

/**
 * The keys of `S3ObjectStore` under its prefix:
 *
 * ```
 * PREFIX/packs/pack-<32 hex>.pack   one pack per commit: the small objects (fs store's pack format)
 * PREFIX/objects/aa/<62 hex>        one object per big object, named by its id
 * ```
 *
 * Both are written only as whole objects (a PUT, or a completed multipart upload), so a key either
 * holds everything or nothing.
 */
export class S3Layout {
  /** `''` or the prefix with exactly one trailing slash. */
  readonly prefix: string;

  constructor(prefix = '') {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    this.prefix = trimmed === '' ? '' : `${trimmed}/`;
  }

  /** Where packs live (for listing). */
  get packsPrefix(): string {
    return `${this.prefix}packs/`;
  }

  /** The key of a pack; throws when `name` is not a pack name, so a bad index row cannot escape. */
  packKey(name: string): string {
    if (!isPackName(name)) throw new RangeError(`not a pack name: ${JSON.stringify(name)}`);
    return `${this.packsPrefix}${name}`;
  }

  /** The key of a big object; the caller has checked that `id` is an object id. */
  looseKey(id: ObjectId): string {
    return `${this.prefix}objects/${id.slice(0, 2)}/${id.slice(2)}`;
  }
}
