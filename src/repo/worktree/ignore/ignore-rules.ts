import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IgnoreRuleSet } from './rule-set.js';

/** The name of an ignore file, at the repository root and at the root of any resource. */
export const IGNORE_FILE = '.strataignore';

/**
 * Patterns every resource ignores before its own files are read: editor, OS and Python litter
 * that no one means to version. A `.strataignore` can take any of them back with `!pattern`.
 */
export const DEFAULT_IGNORES: readonly string[] = [
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '*.swp',
  '*.swo',
  '*.pyc',
  '__pycache__/',
  '.ipynb_checkpoints/',
];

/**
 * Decides which paths of one resource are ignored. Paths are relative to the resource root and
 * `/`-separated; folders are asked once, with `dir` set, and an ignored folder is not entered.
 */
export interface IgnoreMatcher {
  ignores(path: string, dir: boolean): boolean;
}

/** A matcher that ignores nothing (resources scanned outside status/commit/checkout). */
export const IGNORE_NOTHING: IgnoreMatcher = { ignores: () => false };

function readPatterns(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Missing, or not a file (a folder named .strataignore): no patterns.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw err;
  }
}

/** Options of `loadIgnoreRules`. */
export interface IgnoreRulesOptions {
  /** The resource's folder; its `.strataignore` applies to paths relative to it. */
  readonly resourceRoot: string;
  /** The repository root; its `.strataignore` applies to every resource. */
  readonly repoRoot: string;
  /**
   * Where the resource sits under the repository root (`data/raw`), so that the root file's
   * anchored patterns (`/data/raw/tmp/`) mean what they say; absent for resources elsewhere on
   * disk, which the root file's patterns then match relative to their own root.
   */
  readonly resourcePath?: string;
}

/**
 * Compiles a resource's ignore rules once (defaults, then the repository's `.strataignore`, then
 * the resource's own; a later `!pattern` re-includes), in gitignore syntax: `*`, `?`, `[...]`,
 * `**`, leading `/` anchors, trailing `/` matches folders only, `!` negates, `#` starts a comment.
 * Only the top of each resource is read: `.strataignore` files in subfolders are ordinary files.
 */
export function loadIgnoreRules(options: IgnoreRulesOptions): IgnoreMatcher {
  const rootText = readPatterns(join(options.repoRoot, IGNORE_FILE));
  const ownText = readPatterns(join(options.resourceRoot, IGNORE_FILE));
  if (options.resourcePath === undefined || rootText === undefined) {
    // One rule set: the resource's paths are what every pattern sees.
    const rules = IgnoreRuleSet.parse(DEFAULT_IGNORES.join('\n'), rootText ?? '', ownText ?? '');
    return { ignores: (path, dir) => rules.decide(path, dir) === true };
  }
  // The root file sees repository paths (`data/raw/x`), the resource's file and the defaults see
  // resource paths; the most specific file that says anything about a path has the last word.
  const defaults = IgnoreRuleSet.parse(DEFAULT_IGNORES.join('\n'));
  const root = IgnoreRuleSet.parse(rootText);
  const own = IgnoreRuleSet.parse(ownText ?? '');
  const prefix = `${options.resourcePath}/`;
  return {
    ignores: (path, dir) =>
      (own.decide(path, dir) ?? root.decide(prefix + path, dir) ?? defaults.decide(path, dir)) === true,
  };
}
