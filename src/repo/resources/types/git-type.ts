import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DirtyResourceError, InvalidArgumentError, NotFoundError } from '../../../errors/index.js';
import { checkExternalPath, openExternalPath } from './external-path.js';
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

/**
 * A git repository anywhere on disk. Git versions its files; a snapshot records its HEAD commit
 * and whether it was dirty, and a restore checks that commit out (refusing a dirty repository).
 */
export const gitType: ResourceType = {
  type: 'git',
  checkPath(repoRoot, path, cwd) {
    const abs = checkExternalPath(repoRoot, path, cwd);
    if (!existsSync(join(abs, '.git'))) {
      throw new InvalidArgumentError(`'${path}' is not the top folder of a git repository (no .git)`, {
        path: abs,
      });
    }
    return abs;
  },
  locate: (_repoRoot, path) => path,
  open: openExternalPath,
  // Git holds the contents; the map records hashes so status and diff show changed files.
  contentMode: () => 'hashed',
  skip: ['.git'],
  describe: (abs): ResourceExtra => ({ git: readGitState(abs) }),
  restoreExtra(abs, name, extra) {
    const wanted = (extra?.git as GitState | undefined)?.commit;
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
    runGit(abs, ['checkout', '--quiet', wanted]);
    return true;
  },
};
