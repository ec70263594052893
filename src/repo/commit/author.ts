import { InvalidArgumentError } from '../../errors/index.js';
import { readLocalParams } from '../local-params.js';
import { osUserName, type Repository } from '../repository.js';

/** Who a commit records as its author. */
export interface Author {
  readonly name: string;
  /** Null when none is configured (commits then record the name only, as older versions did). */
  readonly email: string | null;
}

/** The environment variable naming the author (`Name <email>` or `Name`); it wins over config. */
export const AUTHOR_ENV = 'STRATA_AUTHOR';

/**
 * Parses `Name <email>` (or a bare `Name`). A malformed value is refused rather than recorded:
 * it would sit in every commit.
 */
export function parseAuthor(text: string, where: string): { name: string; email: string | null } {
  const m = /^\s*([^<>]*?)\s*(?:<([^<>\s]*)>)?\s*$/.exec(text);
  if (!m || m[1] === '' || /[\r\n]/.test(text))
    throw new InvalidArgumentError(`${where} must look like 'Name <email>' or 'Name', got '${text}'`, {
      where,
      value: text,
    });
  return { name: m[1]!, email: m[2] ? m[2] : null };
}

/**
 * A commit's `author` and `authorEmail` fields: the ones given, else `resolveAuthor`'s. No email
 * leaves the field out, so such commits read as before.
 */
export async function authorFields(
  repo: Repository,
  given: { readonly author?: string; readonly authorEmail?: string },
): Promise<{ author: string; authorEmail?: string }> {
  const { name, email } =
    given.author !== undefined
      ? { name: given.author, email: given.authorEmail ?? null }
      : await resolveAuthor(repo);
  return email ? { author: name, authorEmail: email } : { author: name };
}

/**
 * The author of the next commit: `STRATA_AUTHOR` (`Name <email>`; a bare name takes the email
 * from `user.email`), else the `user.name` and `user.email` parameters of this machine, else the
 * operating-system user with no email.
 */
export async function resolveAuthor(repo: Repository, env: NodeJS.ProcessEnv = process.env): Promise<Author> {
  const local = await readLocalParams(repo);
  const configuredEmail = local['user.email'] ? local['user.email'] : null;
  const fromEnv = env[AUTHOR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const parsed = parseAuthor(fromEnv, AUTHOR_ENV);
    return { name: parsed.name, email: parsed.email ?? configuredEmail };
  }
  return { name: local['user.name'] || osUserName(), email: configuredEmail };
}
