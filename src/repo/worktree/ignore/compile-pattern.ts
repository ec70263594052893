/** One line of a `.strataignore`, compiled once. */
export interface IgnorePattern {
  /** A regular expression source matching the whole path (or, for `basename`, the last name). */
  readonly source: string;
  /** `!pattern`: takes back what an earlier pattern ignored. */
  readonly negate: boolean;
  /** `pattern/`: matches folders only. */
  readonly dirOnly: boolean;
  /** No `/` in the pattern: it matches a name at any depth, so only the last name is tested. */
  readonly basename: boolean;
}

const SPECIAL = /[\\^$.*+?()[\]{}|/]/g;
const escapeRegex = (text: string) => text.replace(SPECIAL, '\\$&');

/** Drops trailing spaces unless escaped with a backslash (`foo\ ` keeps one), as git does. */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ' && line[end - 2] !== '\\') end--;
  return line.slice(0, end);
}

/** A `[...]` class starting at `i` as a regex (never matching `/`), or undefined if unclosed. */
function translateClass(pattern: string, i: number): { source: string; next: number } | undefined {
  let j = i + 1;
  let negate = false;
  if (pattern[j] === '!' || pattern[j] === '^') {
    negate = true;
    j++;
  }
  let body = '';
  // A `]` right after the opening (or after `!`) is a member, not the end.
  if (pattern[j] === ']') {
    body += '\\]';
    j++;
  }
  for (; j < pattern.length; j++) {
    const c = pattern[j]!;
    if (c === ']') return { source: `(?:(?!/)[${negate ? '^' : ''}${body}])`, next: j + 1 };
    if (c === '\\' && j + 1 < pattern.length) {
      body += escapeRegex(pattern[++j]!);
    } else body += c === '-' ? '-' : escapeRegex(c);
  }
  return undefined;
}

/** The body of a pattern as a regex source: `*`, `?`, `[...]`, `**` and `\x` escapes. */
function translate(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const atSegmentStart = i === 0 || pattern[i - 1] === '/';
    if (atSegmentStart && pattern.startsWith('**/', i)) {
      out += '(?:.*/)?'; // any number of leading folders, none included
      i += 3;
    } else if (pattern.startsWith('/**', i) && i + 3 === pattern.length) {
      out += '/.+'; // everything inside, not the folder itself
      i += 3;
    } else if (pattern.startsWith('/**/', i)) {
      out += '(?:/.+)?/'; // zero or more folders in between
      i += 4;
    } else {
      const c = pattern[i]!;
      if (c === '*') {
        out += '[^/]*';
        while (pattern[i] === '*') i++;
        continue;
      }
      if (c === '?') out += '[^/]';
      else if (c === '[') {
        const cls = translateClass(pattern, i);
        if (cls) {
          out += cls.source;
          i = cls.next;
          continue;
        }
        out += '\\[';
      } else if (c === '\\' && i + 1 < pattern.length) out += escapeRegex(pattern[++i]!);
      else out += escapeRegex(c);
      i++;
    }
  }
  return out;
}

/**
 * Compiles one line in gitignore syntax; undefined for blank lines and `#` comments. A pattern
 * with a `/` before its end is anchored to the ignore file's folder (a leading `/` only says so);
 * one without matches a name at any depth.
 */
export function compilePattern(line: string): IgnorePattern | undefined {
  let p = trimTrailingSpaces(line.endsWith('\r') ? line.slice(0, -1) : line);
  if (p === '' || p.startsWith('#')) return undefined;
  let negate = false;
  if (p.startsWith('!')) {
    negate = true;
    p = p.slice(1);
  } else if (p.startsWith('\\!') || p.startsWith('\\#')) p = p.slice(1);
  let dirOnly = false;
  while (p.endsWith('/') && !p.endsWith('\\/')) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  if (p === '') return undefined;
  const basename = !p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  return { source: translate(p), negate, dirOnly, basename };
}
