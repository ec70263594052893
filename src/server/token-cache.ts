import { hashToken, judgeToken, type TokenCheck, type TokenRecord } from '../api/index.js';

/** Where the cache reads stored tokens and learns of revocations made through this process. */
export interface TokenSource {
  /** The stored token with this hash (revoked and expired ones too), or none. */
  find(hash: string): Promise<TokenRecord | undefined>;
  /** Changes whenever a token is revoked through this process's repository. */
  revocations(): number;
}

interface Entry {
  readonly record: TokenRecord;
  readonly readAt: number;
}

/** Milliseconds a token record read from the catalog is trusted before it is read again. */
export const TOKEN_CACHE_TTL_MS = 5_000;
/** Entries kept at most; past it the cache starts over (a bound, not an eviction policy). */
const MAX_ENTRIES = 10_000;

/**
 * Token checks without a catalog query per request: the record a hash names is kept for a short
 * TTL. Expiry is judged on every check against the clock. A revocation through this process (the
 * same repository object) drops every entry at once; one made elsewhere (the CLI, another server
 * on a shared catalog) takes effect within the TTL. Unknown hashes are not kept, so a token
 * created meanwhile works at once and wrong guesses cannot fill the cache.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private seenRevocations: number;

  constructor(
    private readonly source: TokenSource,
    private readonly ttlMs = TOKEN_CACHE_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {
    this.seenRevocations = source.revocations();
  }

  async check(secret: string): Promise<TokenCheck> {
    const revocations = this.source.revocations();
    if (revocations !== this.seenRevocations) {
      this.entries.clear();
      this.seenRevocations = revocations;
    }
    const hash = hashToken(secret);
    const now = this.clock();
    const cached = this.entries.get(hash);
    if (cached && now - cached.readAt < this.ttlMs) return judgeToken(cached.record, new Date(now));
    const record = await this.source.find(hash);
    // A revocation that landed while the query ran may not be in `record`: keep it only if none did.
    if (record && this.source.revocations() === this.seenRevocations) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(hash, { record, readAt: now });
    } else this.entries.delete(hash);
    return judgeToken(record, new Date(now));
  }
}
