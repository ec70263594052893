import { InvalidArgumentError } from '../../errors/index.js';

/**
 * Branch and tag names follow git's rules, so names that work there work here: no control
 * characters or spaces, none of `~ ^ : ? * [ \`, no `..`, `@{` or `//`, not starting with `-`, `/`
 * or `.`, not ending with `/`, `.` or `.lock`, at most 200 characters.
 */
export function checkRefName(name: string, kind: 'branch' | 'tag' = 'branch'): string {
  const problem = refNameProblem(name);
  if (problem) {
    throw new InvalidArgumentError(`invalid ${kind} name '${name}': ${problem}`, { name, kind, problem });
  }
  return name;
}

function refNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 200) return 'it is longer than 200 characters';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name))
    return 'it contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..')) return "it contains '..'";
  if (name.includes('@{')) return "it contains '@{'";
  if (name.includes('//')) return "it contains '//'";
  if (/^[-/.]/.test(name)) return "it starts with '-', '/' or '.'";
  if (/[/.]$/.test(name) || name.endsWith('.lock')) return "it ends with '/', '.' or '.lock'";
  if (name === 'HEAD' || name === '@') return 'it is reserved';
  if (/^[0-9a-f]{64}$/.test(name)) return 'it looks like a commit id';
  return undefined;
}

export const BRANCH_PREFIX = 'refs/heads/';
export const TAG_PREFIX = 'refs/tags/';

export function branchRef(name: string): string {
  return BRANCH_PREFIX + name;
}

export function tagRef(name: string): string {
  return TAG_PREFIX + name;
}
