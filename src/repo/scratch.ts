import { mkdirSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { readLocalParams, writeLocalParam } from './local-params.js';
import type { Repository } from './repository.js';

/** The local parameter holding this machine's scratch folder. */
export const SCRATCH_PARAM = 'scratch.directory';
/** The scratch folder when none is set, relative to the repository (as Data Workspaces has it). */
export const DEFAULT_SCRATCH = 'scratch';

/**
 * This machine's scratch folder (absolute, created if missing): where `strata run` and lineage
 * steps put temporary outputs (the command gets it as `STRATA_SCRATCH_DIR`). It is local to this
 * machine and never versioned: no resource may hold it.
 */
export async function scratchDirectory(repo: Repository): Promise<string> {
  const dir = resolve(repo.root, (await readLocalParams(repo))[SCRATCH_PARAM] ?? DEFAULT_SCRATCH);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Sets this machine's scratch folder (a path relative to `cwd`, or absolute). */
export async function setScratchDirectory(
  repo: Repository,
  path: string,
  cwd = process.cwd(),
): Promise<string> {
  if (path.trim() === '' || path.includes('\u0000'))
    throw new InvalidArgumentError(`invalid scratch directory '${path}'`, { path });
  const abs = resolve(cwd, path);
  const rel = relative(resolve(repo.root), abs);
  if (rel === '' || rel === '.strata') {
    throw new InvalidArgumentError(`the scratch directory cannot be the repository or its .strata folder`, {
      path: abs,
    });
  }
  await writeLocalParam(repo, SCRATCH_PARAM, abs);
  mkdirSync(abs, { recursive: true });
  return abs;
}

/** True when the resource folder `abs` is, holds or lies inside the scratch folder. */
export async function overlapsScratch(repo: Repository, abs: string): Promise<boolean> {
  const scratch = resolve(repo.root, (await readLocalParams(repo))[SCRATCH_PARAM] ?? DEFAULT_SCRATCH);
  const inside = (a: string, b: string) => {
    const rel = relative(b, a);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  return inside(abs, scratch) || inside(scratch, abs);
}
