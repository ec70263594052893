import { sql } from 'kysely';
import { ConflictError } from '../errors/index.js';
import type { Connection } from './kysely-connection.js';
import { byKey, now } from './order.js';
import type { RefRecord, RefStore } from './ports/refs.js';

/** Refs as rows; moving one is a single conditional UPDATE (compare-and-swap). */
export class KyselyRefStore implements RefStore {
  constructor(private readonly connection: Connection) {}

  async getRef(name: string): Promise<RefRecord | undefined> {
    return this.connection()
      .selectFrom('refs')
      .select(['name', 'target', 'symbolic'])
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async listRefs(prefix = ''): Promise<RefRecord[]> {
    let query = this.connection().selectFrom('refs').select(['name', 'target', 'symbolic']);
    // substr avoids LIKE, whose `_` and `%` would need escaping in ref names. Both backends count
    // characters (code points), not UTF-16 units.
    if (prefix) query = query.where(sql<string>`substr(name, 1, ${[...prefix].length})`, '=', prefix);
    const rows = await query.execute();
    return rows.sort(byKey((r) => r.name));
  }

  async updateRef(name: string, target: string, expected: string | null): Promise<void> {
    if (expected === null) {
      const result = await this.connection()
        .insertInto('refs')
        .values({ name, target, symbolic: null, updated_at: now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) {
        throw new ConflictError(`ref ${name} exists already`, { ref: name, expected });
      }
      return;
    }
    const result = await this.connection()
      .updateTable('refs')
      .set({ target, updated_at: now() })
      .where('name', '=', name)
      .where('target', '=', expected)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new ConflictError(`ref ${name} moved while this operation ran; try again`, {
        ref: name,
        expected,
      });
    }
  }

  async setSymbolicRef(name: string, value: { symbolic: string } | { target: string }): Promise<void> {
    const row = {
      name,
      symbolic: 'symbolic' in value ? value.symbolic : null,
      target: 'target' in value ? value.target : null,
      updated_at: now(),
    };
    await this.connection()
      .insertInto('refs')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ symbolic: row.symbolic, target: row.target, updated_at: row.updated_at }),
      )
      .execute();
  }

  async deleteRef(name: string, expected?: string): Promise<void> {
    let query = this.connection().deleteFrom('refs').where('name', '=', name);
    if (expected !== undefined) query = query.where('target', '=', expected);
    const result = await query.executeTakeFirst();
    if (expected !== undefined && Number(result.numDeletedRows) !== 1) {
      throw new ConflictError(`ref ${name} moved while this operation ran; try again`, {
        ref: name,
        expected,
      });
    }
  }
}
