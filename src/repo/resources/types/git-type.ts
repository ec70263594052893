import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DirtyResourceError, InvalidArgumentError, NotFoundError } from '../../../errors/index.js';
import {
  checkInnerOrExternalLocation,
  checkInnerOrExternalPath,
  locateInnerOrExternal,
  openInnerOrExternal,
} from './inner-or-external.js';
import type { ResourceExtra, ResourceType } from './resource-type.js';

/** Runs git with an argument array (never a shell) in `dir`. */
export function runGit(dir: string, args: readonly string[]): string {
  try {
    return execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new NotFoundError('the git command is not installed', { what: 'git' });
    throw new InvalidArgumentError(
      `git ${args.join(' ')} failed in ${dir}: ${(e.stderr ?? e.message).trim()}`,
      {
        dir,
        args,
      },
    );
  }
}

/** The state a snapshot records for a git repository. */
export interface GitState {
  /** HEAD's commit, or null before the first git commit. */
  readonly commit: string | null;
  /** True when `git status` shows uncommitted or untracked files. */
  readonly dirty: boolean;
  /** The branch the resource follows (`resource add git --branch B`); absent otherwise. */
  readonly branch?: string;
}

/** Reads a git repository's HEAD commit and whether it has uncommitted or untracked files. */
export function readGitState(dir: string): GitState {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['-C', dir, 'rev-parse', '--verify', '-q', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = null;
  }
  const dirty = runGit(dir, ['status', '--porcelain']).trim() !== '';
  return { commit: commit || null, dirty };
}

/** The branch checked out in `dir`, or null on a detached HEAD. */
export function currentBranch(dir: string): string | null {
  try {
    return (
      execFileSync('git', ['-C', dir, 'symbolic-ref', '-q', '--short', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || null
    );
  } catch {
    return null;
  }
}

/**
 * Puts a git repository on `branch` when it is registered with `--branch`: a clean repository is
 * switched to it; a dirty one is refused rather than carrying changes over to another branch.
 */
export function checkOutBranch(dir: string, branch: string): void {
  if (currentBranch(dir) === branch) return;
  runGit(dir, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`]);
  if (readGitState(dir).dirty) {
    throw new DirtyResourceError(
      `git repository ${dir} has uncommitted changes; commit or stash them before switching it to branch '${branch}'`,
      { path: dir, branch },
    );
  }
  runGit(dir, ['checkout', '--quiet', branch]);
}

/**
 * A git repository, elsewhere on disk (recorded by absolute path) or inside the repository's
 * folder (recorded relative to it, like a folder resource, so a clone finds it in the same place).
 * Git versions its files; a snapshot records its HEAD commit and whether it was dirty, and a
 * restore checks that commit out (refusing a dirty repository). Registered with `--branch`, it
 * follows that branch: a restore of the branch's tip checks the branch out rather than a detached
 * commit.
 */
export const gitType: ResourceType = {
  type: 'git',
  checkPath(repoRoot, path, cwd) {
    const recorded = checkInnerOrExternalPath(repoRoot, path, cwd);
    if (!existsSync(join(locateInnerOrExternal(repoRoot, recorded), '.git'))) {
      throw new InvalidArgumentError(`'${path}' is not the top folder of a git repository (no .git)`, {
        path: locateInnerOrExternal(repoRoot, recorded),
      });
    }
    return recorded;
  },
  locate: locateInnerOrExternal,
  open: openInnerOrExternal,
  checkStoredLocation: checkInnerOrExternalLocation,
  // Git holds the contents; the map records hashes so status and diff show changed files.
  contentMode: () => 'hashed',
  skip: ['.git'],
  describe: (abs, options): ResourceExtra => {
    const branch = typeof options?.branch === 'string' ? options.branch : undefined;
    return { git: { ...readGitState(abs), ...(branch ? { branch } : {}) } };
  },
  restoreExtra(abs, name, extra) {
    const recorded = extra?.git as GitState | undefined;
    const wanted = recorded?.commit;
    if (!wanted) return false;
    const now = readGitState(abs);
    // At the recorded commit already: uncommitted changes are carried over, as git does.
    if (now.commit === wanted) return false;
    if (now.dirty) {
      throw new DirtyResourceError(
        `git resource '${name}' at ${abs} has uncommitted changes; commit or stash them before restoring`,
        { resource: name, path: abs, commit: wanted },
      );
    }
    // The followed branch when the snapshot's commit is its tip; the bare commit otherwise (a
    // branch is never moved by a restore).
    const branch = recorded.branch;
    const tip = branch ? runGit(abs, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`]).trim() : '';
    runGit(abs, ['checkout', '--quiet', tip === wanted ? branch! : wanted]);
    return true;
  },
};
