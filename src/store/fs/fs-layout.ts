import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectId } from '../../util/hash.js';
import { registerTempFolder } from '../../util/interrupt-cleanup.js';

const PACK_NAME = /^pack-[0-9a-f]{32}\.pack$/;
const isOwnTemp = (name: string) => tempFileOwner(name) === process.pid;

/** The pid of the process that made a temp file of `FsLayout.tempPath`, from its name. */
export function tempFileOwner(name: string): number | undefined {
  const pid = /^(?:pack|object)-(\d+)-/.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** True when `pid` is a live process on this machine (EPERM: alive, owned by another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Where `FsObjectStore` keeps things under its folder:
 *
 * ```
 * packs/pack-<32 hex>.pack   append-only pack files of small objects
 * loose/aa/<62 hex>          one file per big object, fanned out by the first id byte
 * tmp/                       temp files of writers; renamed into packs/ or loose/ at commit
 * ```
 *
 * Everything in tmp/ is garbage once no writer is running, so recovery may empty it.
 */
export class FsLayout {
  readonly packs: string;
  readonly loose: string;
  readonly tmp: string;

  constructor(readonly dir: string) {
    this.packs = join(dir, 'packs');
    this.loose = join(dir, 'loose');
    this.tmp = join(dir, 'tmp');
  }

  /** Creates the three folders if needed. */
  create(): void {
    for (const dir of [this.packs, this.loose, this.tmp]) mkdirSync(dir, { recursive: true });
  }

  /** The loose file of `id`; the caller has checked that `id` is an object id. */
  loosePath(id: ObjectId): string {
    return join(this.loose, id.slice(0, 2), id.slice(2));
  }

  /** The folder that holds the loose file of `id`. */
  looseDir(id: ObjectId): string {
    return join(this.loose, id.slice(0, 2));
  }

  /** A pack file's path; throws when `name` is not a pack name, so a bad index row cannot escape. */
  packPath(name: string): string {
    if (!isPackName(name)) throw new RangeError(`not a pack file name: ${JSON.stringify(name)}`);
    return join(this.packs, name);
  }

  /** A fresh temp file path in tmp/ (random, so concurrent writers never collide). */
  tempPath(kind: 'pack' | 'object'): string {
    // An interrupted writer (SIGINT, SIGTERM) removes its own temp files before it exits.
    registerTempFolder(this.tmp, isOwnTemp);
    return join(this.tmp, `${kind}-${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
  }
}

/** A new random pack file name. */
export function newPackName(): string {
  return `pack-${randomBytes(16).toString('hex')}.pack`;
}

/** True when `name` is a pack file name made by `newPackName`. */
export function isPackName(name: string): boolean {
  return PACK_NAME.test(name);
}
