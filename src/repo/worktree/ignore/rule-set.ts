import { compilePattern, type IgnorePattern } from './compile-pattern.js';

/** Consecutive patterns of one sign, merged into at most two regular expressions per kind. */
interface Segment {
  readonly negate: boolean;
  readonly file: { readonly name?: RegExp; readonly path?: RegExp };
  readonly dir: { readonly name?: RegExp; readonly path?: RegExp };
}

function merge(patterns: readonly IgnorePattern[]): RegExp | undefined {
  if (patterns.length === 0) return undefined;
  // `s`: a `*` may match a newline in a file name; `u`: `?` is one character, not half of one.
  return new RegExp(`^(?:${patterns.map((p) => p.source).join('|')})$`, 'su');
}

function segmentOf(patterns: readonly IgnorePattern[]): Segment {
  const files = patterns.filter((p) => !p.dirOnly);
  return {
    negate: patterns[0]!.negate,
    file: { name: merge(files.filter((p) => p.basename)), path: merge(files.filter((p) => !p.basename)) },
    dir: {
      name: merge(patterns.filter((p) => p.basename)),
      path: merge(patterns.filter((p) => !p.basename)),
    },
  };
}

/**
 * The patterns of one or more ignore files, compiled once: a path is tested against a handful of
 * merged regular expressions (one per run of patterns of the same sign), never pattern by pattern,
 * so ignoring costs next to nothing per file of a scan.
 */
export class IgnoreRuleSet {
  private readonly segments: readonly Segment[];

  constructor(lines: readonly string[]) {
    const patterns = lines.flatMap((l) => compilePattern(l) ?? []);
    const segments: Segment[] = [];
    let start = 0;
    for (let i = 1; i <= patterns.length; i++) {
      if (i === patterns.length || patterns[i]!.negate !== patterns[start]!.negate) {
        segments.push(segmentOf(patterns.slice(start, i)));
        start = i;
      }
    }
    this.segments = segments;
  }

  /** The patterns of an ignore file's text. */
  static parse(...texts: readonly string[]): IgnoreRuleSet {
    return new IgnoreRuleSet(texts.flatMap((t) => t.split('\n')));
  }

  /**
   * What the last matching pattern says about `path` (relative to the ignore file's folder):
   * true ignored, false taken back by `!`, undefined when no pattern matches.
   */
  decide(path: string, dir: boolean): boolean | undefined {
    const name = path.slice(path.lastIndexOf('/') + 1);
    for (let s = this.segments.length - 1; s >= 0; s--) {
      const seg = this.segments[s]!;
      const set = dir ? seg.dir : seg.file;
      if (set.name?.test(name) || set.path?.test(path)) return !seg.negate;
    }
    return undefined;
  }
}
