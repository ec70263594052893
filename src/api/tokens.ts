import { createHash, randomBytes } from 'node:crypto';
import { tokenStoreOf } from '../backends/token-stores.js';
import type { TokenRecord, TokenScope } from '../catalog/tokens/token-store.js';
import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';

export type { TokenRecord, TokenScope } from '../catalog/tokens/token-store.js';

export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];
const PREFIX = 'strata_';
const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** `30d`, `12h`, `90m`, `45s`, `2w` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new InvalidArgumentError(`not a duration: ${text} (use e.g. 30d, 12h, 90m)`, { found: text });
  return ms;
}

/** Secrets are 256 random bits, so a fast hash is enough: nothing can be guessed to match it. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Creates a token; the secret is returned this once and only its hash is stored. */
export async function createToken(
  repo: Repository,
  options: { name: string; scope: string; expiresIn?: string; now?: Date },
): Promise<{ token: string; record: TokenRecord }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(options.name))
    throw new InvalidArgumentError('a token name is 1-64 letters, digits, dots, dashes or underscores', {
      found: options.name,
    });
  if (!TOKEN_SCOPES.includes(options.scope as TokenScope))
    throw new InvalidArgumentError(`scope must be one of ${TOKEN_SCOPES.join(', ')}`, {
      found: options.scope,
    });
  const now = options.now ?? new Date();
  const record: TokenRecord = {
    name: options.name,
    scope: options.scope as TokenScope,
    createdAt: now.toISOString(),
    expiresAt: options.expiresIn
      ? new Date(now.getTime() + parseDuration(options.expiresIn)).toISOString()
      : null,
    revokedAt: null,
  };
  const token = PREFIX + randomBytes(32).toString('base64url');
  await tokenStoreOf(repo.catalog).add({ ...record, hash: hashToken(token) });
  return { token, record };
}

export async function listTokens(repo: Repository): Promise<TokenRecord[]> {
  return tokenStoreOf(repo.catalog).list();
}

/** Revocations made through each open repository, so a cache of token checks can drop its entries. */
const revocations = new WeakMap<Repository, number>();

export async function revokeToken(repo: Repository, name: string): Promise<void> {
  // Counted before and after the write: a check racing with it re-reads the store either way.
  revocations.set(repo, (revocations.get(repo) ?? 0) + 1);
  const found = await tokenStoreOf(repo.catalog).revoke(name, new Date().toISOString());
  revocations.set(repo, (revocations.get(repo) ?? 0) + 1);
  if (!found) throw new NotFoundError(`no token named ${name}`, { what: 'token', name });
}

/**
 * How many revocations went through this repository object: a cache of token checks drops its
 * entries when this changes, so revoking through the serving process takes effect at once.
 */
export function tokenRevocationCount(repo: Repository): number {
  return revocations.get(repo) ?? 0;
}

/** Why a presented secret does not authenticate, or the token it names. */
export type TokenCheck =
  | { readonly ok: true; readonly token: TokenRecord }
  | { readonly ok: false; readonly reason: 'unknown' | 'revoked' | 'expired' };

export async function checkToken(repo: Repository, secret: string, now = new Date()): Promise<TokenCheck> {
  return judgeToken(await findTokenByHash(repo, hashToken(secret)), now);
}

/** The stored token whose secret hashes to `hash`, revoked and expired ones included. */
export async function findTokenByHash(repo: Repository, hash: string): Promise<TokenRecord | undefined> {
  return tokenStoreOf(repo.catalog).findByHash(hash);
}

/** Whether a stored token (or none) authenticates at `now`. */
export function judgeToken(token: TokenRecord | undefined, now = new Date()): TokenCheck {
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revokedAt !== null) return { ok: false, reason: 'revoked' };
  if (token.expiresAt !== null && token.expiresAt <= now.toISOString())
    return { ok: false, reason: 'expired' };
  return { ok: true, token };
}

/** How many tokens could authenticate now: the server refuses a non-loopback bind with none. */
export async function usableTokenCount(repo: Repository): Promise<number> {
  return tokenStoreOf(repo.catalog).countUsable(new Date().toISOString());
}

/** Whether a scope covers what a route needs (admin ⊃ write ⊃ read). */
export function scopeAllows(held: TokenScope, needed: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(held) >= TOKEN_SCOPES.indexOf(needed);
}
