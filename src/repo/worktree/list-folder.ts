import { constants, readdirSync, type Dirent } from 'node:fs';
import { isUtf8Name } from './escape-name.js';

/** libuv's dirent types, which Node's listing reads (`fs.constants` has them, its types do not). */
const UV = constants as unknown as Readonly<Record<string, number | undefined>>;

/** What a folder listing says an entry is. */
export const KIND_UNKNOWN = UV.UV_DIRENT_UNKNOWN ?? 0;
export const KIND_FILE = UV.UV_DIRENT_FILE ?? 1;
export const KIND_DIR = UV.UV_DIRENT_DIR ?? 2;
export const KIND_LINK = UV.UV_DIRENT_LINK ?? 3;
const KIND_FIFO = UV.UV_DIRENT_FIFO ?? 4;
const KIND_SOCKET = UV.UV_DIRENT_SOCKET ?? 5;
const KIND_CHAR = UV.UV_DIRENT_CHAR ?? 6;
const KIND_BLOCK = UV.UV_DIRENT_BLOCK ?? 7;

/** The listing kind of a path of this mode (what lstat says, for entries a listing could not name). */
export function kindOfMode(mode: number): number {
  const kind = mode & constants.S_IFMT;
  if (kind === constants.S_IFREG) return KIND_FILE;
  if (kind === constants.S_IFDIR) return KIND_DIR;
  if (kind === constants.S_IFLNK) return KIND_LINK;
  if (kind === constants.S_IFIFO) return KIND_FIFO;
  if (kind === constants.S_IFSOCK) return KIND_SOCKET;
  if (kind === constants.S_IFCHR) return KIND_CHAR;
  if (kind === constants.S_IFBLK) return KIND_BLOCK;
  return KIND_UNKNOWN;
}

/** Why an entry a listing gives this kind cannot be versioned. */
export function skipReasonOfKind(kind: number): 'fifo' | 'socket' | 'device' | 'unsupported' {
  if (kind === KIND_FIFO) return 'fifo';
  if (kind === KIND_SOCKET) return 'socket';
  if (kind === KIND_CHAR || kind === KIND_BLOCK) return 'device';
  return 'unsupported';
}

/** One folder's entries: UTF-8 names with their kinds, and the names that are not UTF-8, raw. */
export interface FolderListing {
  readonly names: string[];
  readonly kinds: number[];
  readonly raw: Buffer[];
}

function kindOf(d: Dirent): number {
  if (d.isFile()) return KIND_FILE;
  if (d.isDirectory()) return KIND_DIR;
  if (d.isSymbolicLink()) return KIND_LINK;
  if (d.isFIFO()) return KIND_FIFO;
  if (d.isSocket()) return KIND_SOCKET;
  if (d.isCharacterDevice()) return KIND_CHAR;
  if (d.isBlockDevice()) return KIND_BLOCK;
  return KIND_UNKNOWN;
}

/** The public path: one `Dirent` per entry, and its kind tested method by method. */
function viaDirents(absDir: string): FolderListing {
  const names: string[] = [];
  const kinds: number[] = [];
  const raw: Buffer[] = [];
  let dirents: Dirent[] = readdirSync(absDir, { withFileTypes: true });
  // Node decodes names as UTF-8, replacing invalid bytes with U+FFFD: only then read raw names.
  if (dirents.some((d) => d.name.includes('\uFFFD'))) {
    dirents = [];
    for (const d of readdirSync(absDir, { withFileTypes: true, encoding: 'buffer' })) {
      if (!isUtf8Name(d.name)) raw.push(d.name);
      else dirents.push(Object.assign(d, { name: d.name.toString('utf8') }) as unknown as Dirent);
    }
  }
  for (const d of dirents) {
    names.push(d.name);
    kinds.push(kindOf(d));
  }
  return { names, kinds, raw };
}

type RawReaddir = (path: string, encoding: string, withTypes: boolean) => unknown;

function rawReaddir(): RawReaddir | undefined {
  try {
    const binding = (process as unknown as { binding?: (name: string) => unknown }).binding?.('fs') as
      { readdir?: RawReaddir } | undefined;
    return typeof binding?.readdir === 'function' ? binding.readdir.bind(binding) : undefined;
  } catch {
    return undefined;
  }
}

function viaBinding(raw: RawReaddir): (absDir: string) => FolderListing {
  return (absDir) => {
    const [names, kinds] = raw(absDir, 'utf8', true) as [string[], number[]];
    if (names.some((n) => n.includes('\uFFFD'))) return viaDirents(absDir);
    return { names, kinds, raw: [] };
  };
}

let chosen: ((absDir: string) => FolderListing) | undefined;

/**
 * The fastest listing that gives the same answers as `readdirSync(..., { withFileTypes: true })`:
 * Node's fs binding returns names and kinds as two arrays, where the public call then makes a
 * `Dirent` object per entry. Used only if it is there, answers in that shape and agrees with the
 * public listing on `probe` (a folder that exists); otherwise the public listing it is.
 */
export function chooseListing(probe: string): (absDir: string) => FolderListing {
  if (chosen) return chosen;
  chosen = viaDirents;
  const raw = rawReaddir();
  if (raw) {
    try {
      const answer = raw(probe, 'utf8', true);
      const fast = viaBinding(raw);
      const a = fast(probe);
      const b = viaDirents(probe);
      if (
        Array.isArray(answer) &&
        answer.length === 2 &&
        a.names.length === b.names.length &&
        a.names.every((n, i) => n === b.names[i] && a.kinds[i] === b.kinds[i])
      )
        chosen = fast;
    } catch {
      // An unexpected signature: the public listing it is.
    }
  }
  return chosen;
}
