import type { Connection } from './kysely-connection.js';
import { byKey } from './order.js';
import type { ConfigStore } from './ports/config.js';

/** Config entries as key/value rows. */
export class KyselyConfigStore implements ConfigStore {
  constructor(private readonly connection: Connection) {}

  async getConfig(key: string): Promise<string | undefined> {
    const row = await this.connection()
      .selectFrom('config')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async setConfig(key: string, value: string): Promise<void> {
    await this.connection()
      .insertInto('config')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async listConfig(): Promise<Record<string, string>> {
    const rows = await this.connection().selectFrom('config').selectAll().execute();
    return Object.fromEntries(rows.sort(byKey((r) => r.key)).map((r) => [r.key, r.value]));
  }
}
