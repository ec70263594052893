import { randomUUID } from 'node:crypto';
import type { Connection } from './kysely-connection.js';
import { byKey, now } from './order.js';
import type {
  CurrentLineageStore,
  LocalParamStore,
  StagedSection,
  StagedSectionStore,
  WorkingFolderIdentity,
  WriteOptions,
} from './ports/working-folder.js';

/** Staged sections as rows keyed by (working folder, branch, section). */
export class KyselyStagedSections implements StagedSectionStore {
  constructor(private readonly connection: Connection) {}

  async readStaged(workingFolder: string, branch: string, section: string): Promise<string | undefined> {
    const row = await this.connection()
      .selectFrom('staged_sections')
      .select('value')
      .where('working_folder', '=', workingFolder)
      .where('branch', '=', branch)
      .where('section', '=', section)
      .executeTakeFirst();
    return row?.value;
  }

  async writeStaged(
    workingFolder: string,
    branch: string,
    section: string,
    value: string,
    options: WriteOptions = {},
  ): Promise<void> {
    const updated_at = now();
    await this.connection()
      .insertInto('staged_sections')
      .values({ working_folder: workingFolder, branch, section, value, updated_at })
      .onConflict((oc) => {
        const key = oc.columns(['working_folder', 'branch', 'section']);
        return options.keepExisting ? key.doNothing() : key.doUpdateSet({ value, updated_at });
      })
      .execute();
  }

  async clearStaged(workingFolder: string, branch: string, section: string): Promise<void> {
    await this.connection()
      .deleteFrom('staged_sections')
      .where('working_folder', '=', workingFolder)
      .where('branch', '=', branch)
      .where('section', '=', section)
      .execute();
  }

  async listStaged(
    filter: { readonly workingFolder?: string; readonly branch?: string } = {},
  ): Promise<StagedSection[]> {
    let query = this.connection()
      .selectFrom('staged_sections')
      .select(['working_folder', 'branch', 'section', 'value']);
    if (filter.workingFolder !== undefined) query = query.where('working_folder', '=', filter.workingFolder);
    if (filter.branch !== undefined) query = query.where('branch', '=', filter.branch);
    const rows = await query.execute();
    return rows
      .map((r) => ({ workingFolder: r.working_folder, branch: r.branch, section: r.section, value: r.value }))
      .sort(byKey((s) => `${s.workingFolder}\0${s.branch}\0${s.section}`));
  }
}

/** Current lineages as rows keyed by (working folder, head). */
export class KyselyCurrentLineages implements CurrentLineageStore {
  constructor(private readonly connection: Connection) {}

  async readLineage(workingFolder: string, head: string): Promise<string | undefined> {
    const row = await this.connection()
      .selectFrom('current_lineage')
      .select('state')
      .where('working_folder', '=', workingFolder)
      .where('head', '=', head)
      .executeTakeFirst();
    return row?.state;
  }

  async writeLineage(
    workingFolder: string,
    head: string,
    state: string,
    options: WriteOptions = {},
  ): Promise<void> {
    const updated_at = now();
    await this.connection()
      .insertInto('current_lineage')
      .values({ working_folder: workingFolder, head, state, updated_at })
      .onConflict((oc) => {
        const key = oc.columns(['working_folder', 'head']);
        return options.keepExisting ? key.doNothing() : key.doUpdateSet({ state, updated_at });
      })
      .execute();
  }

  async removeLineage(workingFolder: string, head: string): Promise<void> {
    await this.connection()
      .deleteFrom('current_lineage')
      .where('working_folder', '=', workingFolder)
      .where('head', '=', head)
      .execute();
  }
}

/** Working-folder parameters as rows keyed by (working folder, name). */
export class KyselyLocalParams implements LocalParamStore {
  constructor(private readonly connection: Connection) {}

  async readLocalParams(workingFolder: string): Promise<Record<string, string>> {
    const rows = await this.connection()
      .selectFrom('local_params')
      .select(['name', 'value'])
      .where('working_folder', '=', workingFolder)
      .execute();
    return Object.fromEntries(rows.sort(byKey((r) => r.name)).map((r) => [r.name, r.value]));
  }

  async setLocalParam(
    workingFolder: string,
    name: string,
    value: string,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.connection()
      .insertInto('local_params')
      .values({ working_folder: workingFolder, name, value })
      .onConflict((oc) => {
        const key = oc.columns(['working_folder', 'name']);
        return options.keepExisting ? key.doNothing() : key.doUpdateSet({ value });
      })
      .execute();
  }
}

/** The config key holding the id of the working folder this catalog belongs to. */
const WORKING_FOLDER_KEY = 'strata.working-folder-id';

/**
 * The working folder's id, made once and kept in this catalog's config: the first caller's insert
 * wins (`do nothing` on conflict) and every caller then reads the one stored.
 */
export class KyselyWorkingFolderIdentity implements WorkingFolderIdentity {
  private id: Promise<string> | undefined;

  constructor(private readonly connection: Connection) {}

  workingFolderId(): Promise<string> {
    this.id ??= this.load();
    const id = this.id;
    id.catch(() => this.id === id && (this.id = undefined));
    return id;
  }

  private async load(): Promise<string> {
    // Read first: once made, the id is only ever read, and an insert is a write transaction (a
    // WAL sync) that every command asking for the id would otherwise pay.
    const existing = await this.read();
    if (existing !== undefined) return existing;
    await this.connection()
      .insertInto('config')
      .values({ key: WORKING_FOLDER_KEY, value: randomUUID() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.connection()
      .selectFrom('config')
      .select('value')
      .where('key', '=', WORKING_FOLDER_KEY)
      .executeTakeFirstOrThrow();
    return row.value;
  }

  private async read(): Promise<string | undefined> {
    const row = await this.connection()
      .selectFrom('config')
      .select('value')
      .where('key', '=', WORKING_FOLDER_KEY)
      .executeTakeFirst();
    return row?.value;
  }
}
