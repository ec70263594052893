import type { Kysely } from 'kysely';
import { AlreadyExistsError } from '../../errors/index.js';
import type { CatalogSchema } from '../schema.js';

/** What a token may do: read routes, write routes too, or everything (tokens and admin routes). */
export type TokenScope = 'read' | 'write' | 'admin';

/** One stored token: its name, scope and dates. The secret itself is never stored, only its hash. */
export interface TokenRecord {
  readonly name: string;
  readonly scope: TokenScope;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/**
 * The catalog's bearer tokens: a small port beside `Catalog` (the server needs nothing else of the
 * catalog to authenticate a request), implemented once over Kysely for SQLite and PostgreSQL.
 */
export interface TokenStore {
  add(record: TokenRecord & { readonly hash: string }): Promise<void>;
  /** The token whose secret hashes to `hash`, revoked or expired ones included. */
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  list(): Promise<TokenRecord[]>;
  /** Marks the token revoked; false when no token has that name. */
  revoke(name: string, at: string): Promise<boolean>;
  /** How many tokens could still authenticate (neither revoked nor expired at `now`). */
  countUsable(now: string): Promise<number>;
}

type Row = CatalogSchema['api_tokens'];

const toRecord = (r: Omit<Row, 'hash'>): TokenRecord => ({
  name: r.name,
  scope: r.scope as TokenScope,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

const COLUMNS = ['name', 'scope', 'created_at', 'expires_at', 'revoked_at'] as const;

export class KyselyTokenStore implements TokenStore {
  /** `db` is a getter so a closed catalog's connection is never used (it throws instead). */
  constructor(private readonly db: () => Kysely<CatalogSchema>) {}

  async add(record: TokenRecord & { readonly hash: string }): Promise<void> {
    const existing = await this.db()
      .selectFrom('api_tokens')
      .select('name')
      .where('name', '=', record.name)
      .executeTakeFirst();
    if (existing) throw new AlreadyExistsError(`a token named ${record.name} exists`, { token: record.name });
    await this.db()
      .insertInto('api_tokens')
      .values({
        name: record.name,
        hash: record.hash,
        scope: record.scope,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
        revoked_at: record.revokedAt,
      })
      .execute();
  }

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = await this.db()
      .selectFrom('api_tokens')
      .select(COLUMNS)
      .where('hash', '=', hash)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async list(): Promise<TokenRecord[]> {
    const rows = await this.db().selectFrom('api_tokens').select(COLUMNS).execute();
    return rows.map(toRecord).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async revoke(name: string, at: string): Promise<boolean> {
    const result = await this.db()
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return true;
    const row = await this.db()
      .selectFrom('api_tokens')
      .select('name')
      .where('name', '=', name)
      .executeTakeFirst();
    return row !== undefined;
  }

  async countUsable(now: string): Promise<number> {
    const rows = await this.db()
      .selectFrom('api_tokens')
      .select(['expires_at'])
      .where('revoked_at', 'is', null)
      .execute();
    return rows.filter((r) => r.expires_at === null || r.expires_at > now).length;
  }
}
