import { AlreadyExistsError } from '../errors/index.js';
import type { Connection } from './kysely-connection.js';
import { byKey } from './order.js';
import type { ResourceRecord, ResourceRegistry } from './ports/resources.js';

/**
 * Resource registrations as rows. Removing one also forgets its stat cache and scan state, in the
 * same transaction, where the catalog keeps them (a shared catalog's are local and outlive it harmlessly).
 */
export class KyselyResourceRegistry implements ResourceRegistry {
  constructor(private readonly connection: Connection) {}

  async addResource(resource: ResourceRecord): Promise<void> {
    const result = await this.connection()
      .insertInto('resources')
      .values({
        name: resource.name,
        path: resource.path,
        role: resource.role,
        type: resource.type,
        options: JSON.stringify(resource.options),
        created_at: resource.createdAt,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) {
      throw new AlreadyExistsError(`resource ${resource.name} exists already`, { resource: resource.name });
    }
  }

  async removeResource(name: string): Promise<void> {
    await this.connection()
      .transaction()
      .execute(async (trx) => {
        await trx.deleteFrom('resources').where('name', '=', name).execute();
        await trx.deleteFrom('stat_cache').where('resource', '=', name).execute();
        await trx.deleteFrom('scan_state').where('resource', '=', name).execute();
      });
  }

  async setResourceOptions(name: string, options: ResourceRecord['options']): Promise<boolean> {
    const result = await this.connection()
      .updateTable('resources')
      .set({ options: JSON.stringify(options) })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async listResources(): Promise<ResourceRecord[]> {
    const rows = await this.connection().selectFrom('resources').selectAll().execute();
    const resources = rows.map((r) => ({
      name: r.name,
      path: r.path,
      role: r.role,
      type: r.type,
      options: JSON.parse(r.options) as Record<string, unknown>,
      createdAt: r.created_at,
    }));
    return resources.sort(byKey((r) => r.name));
  }
}
