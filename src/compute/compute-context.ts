import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ComputeKey } from './store/compute-store.js';
import { createComputeLogger, LOG_FILE, type ComputeLogger } from './compute-logger.js';
import { outputDirOf } from './output-dir.js';

/** What a compute function gets besides id and args. */
export interface ComputeContext {
  /** The repository root (for reading the files a resource is computed from). */
  readonly root: string;
  readonly collection: string;
  readonly id: string;
  readonly argsHash: string;
  /** The attempt number of this key (1 on a first compute; retries and recomputes count up). */
  readonly attempt: number;
  /**
   * The resource's output folder, absolute: `<repo>/computed/<collection>/<slug>-<hash12>/`. It is
   * created (empty) when first read; a recompute starts from an empty folder.
   */
  readonly dir: string;
  /** Writes `ISO-time LEVEL message` lines to `log.txt` in `dir`. */
  readonly log: ComputeLogger;
}

/** A context plus what the runner needs to know afterwards. */
export interface ContextHandle {
  readonly ctx: ComputeContext;
  /** The output folder relative to the root, if the function (or its log) created it. */
  createdDir(): string | null;
  setAttempt(attempt: number): void;
}

/** Makes the context of one claimed compute. Nothing touches the disk until `dir` or `log` is used. */
export function createComputeContext(root: string, key: ComputeKey, attempt: number): ContextHandle {
  let relative: string | undefined;
  let created = false;
  let current = attempt;
  const dir = (): string => {
    relative ??= outputDirOf(key);
    const abs = join(root, relative);
    if (!created) {
      // Leftovers of a killed earlier attempt must not pass for this one's output.
      rmSync(abs, { recursive: true, force: true });
      mkdirSync(abs, { recursive: true });
      created = true;
    }
    return abs;
  };
  const log = createComputeLogger(() => join(dir(), LOG_FILE));
  const ctx: ComputeContext = {
    root,
    collection: key.collection,
    id: key.id,
    argsHash: key.argsHash,
    get attempt() {
      return current;
    },
    get dir() {
      return dir();
    },
    log,
  };
  return {
    ctx,
    createdDir: () => (created ? relative! : null),
    setAttempt: (n) => (current = n),
  };
}
