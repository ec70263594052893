import { StrataError } from './strata-error.js';

/**
 * A new branch or tag name that a revision could mean two ways: a branch named like a commit id
 * prefix (4 to 64 hex digits), or a tag named like a branch (and the reverse). Refused, so
 * `checkout NAME` or `log NAME` never picks one meaning silently. `data.clashesWith` is
 * `'commit'`, `'branch'` or `'tag'`.
 */
export class RefNameClashError extends StrataError {
  constructor(message: string, data: { name: string; kind: 'branch' | 'tag'; clashesWith: string }) {
    super('E_REF_NAME_CLASH', message, data, true);
  }
}
