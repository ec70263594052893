import { branchLockName } from '../catalog/catalog.js';
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  NothingToCommitError,
} from '../errors/index.js';
import { commitTree } from '../repo/commit/commit-tree.js';
import { acquireLocks } from '../repo/commit/locks.js';
import { buildMap } from '../repo/merkle/build-map.js';
import { createNodeSource, createReadNodes, type NodeSource } from '../repo/merkle/read-map.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { branchRef } from '../repo/refs/ref-name.js';
import { readHead, resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import { ChunkCache } from './chunks.js';
import { Column } from './column.js';
import type { ColumnContext } from './column-context.js';
import {
  applyStage,
  clearColumnStage,
  columnsSection,
  COLUMNS_SECTION,
  readColumns,
  readColumnStage,
  writeColumnStage,
  type ColumnRecord,
  type ColumnStage,
} from './column-record.js';
import { rebaseColumnStage } from './column-stage-rebase.js';
import { diffColumnRecords, type ColumnChange } from './column-diff.js';
import { checkColumnSpec, type ColumnSpec } from './schema.js';
import { canonicalJson } from '../util/canonical-json.js';

/** Options of `openCheckout`. */
export interface CheckoutOptions {
  /** A writer holds the branch's writer lock and can stage and commit. */
  readonly write?: boolean;
  /** Writers: the branch (default: HEAD's). Readers: any branch, tag or commit (default HEAD). */
  readonly branch?: string;
  readonly revision?: string;
  /** Readers of HEAD on a branch: include the branch's staged (uncommitted) column changes. */
  readonly staged?: boolean;
  /** Writers: drop the branch's staged changes before opening (what `column reset` does). */
  readonly dropStaged?: boolean;
  /** Bytes of decoded chunks kept in memory (default 512 MiB). */
  readonly cacheBytes?: number;
}

/**
 * A view of the columns at one commit (reader) or of a branch with its staged changes (writer).
 * Opening reads one commit and one root tree, whatever the column sizes; samples are read on
 * demand. A closed checkout refuses every call.
 */
export class Checkout {
  private closed = false;
  private readonly open = new Map<string, Column>();
  private readonly context: ColumnContext;
  private removed = new Set<string>();
  /** Inside `bulk`: nothing is staged until it succeeds. */
  private inBulk = false;

  private constructor(
    readonly repo: Repository,
    readonly writable: boolean,
    /** The branch a writer works on (readers: the branch they named, if any). */
    readonly branch: string | null,
    /** The commit this checkout started from (null on an unborn branch). */
    readonly commit: ObjectId | null,
    private committed: Record<string, ColumnRecord>,
    private records: Record<string, ColumnRecord>,
    private readonly release: () => Promise<void>,
    nodes: NodeSource,
    cacheBytes: number | undefined,
  ) {
    this.context = {
      repo,
      nodes,
      nodeCache: new Map(),
      chunks: new ChunkCache(repo.store, cacheBytes),
      writable,
      assertOpen: () => this.assertOpen(),
    };
  }

  static async open(repo: Repository, options: CheckoutOptions = {}): Promise<Checkout> {
    const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 16 });
    if (!options.write) {
      const resolved = options.revision ?? options.branch ?? 'HEAD';
      const head = await readHead(repo);
      let commit: ObjectId | null;
      let branch: string | null;
      if (resolved === 'HEAD' && head.commit === null) {
        commit = null;
        branch = head.branch;
      } else {
        const r = await resolveRevision(repo, resolved);
        commit = r.commit;
        branch = r.branch ?? (resolved === 'HEAD' ? head.branch : null);
      }
      let records = readColumns(await readCommitTree(repo, commit), `commit ${commit}`);
      if (options.staged && resolved === 'HEAD' && branch)
        records = applyStage(records, await stagedOnHead(repo, branch, commit, records, false));
      return new Checkout(
        repo,
        false,
        branch,
        commit,
        records,
        { ...records },
        async () => undefined,
        nodes,
        options.cacheBytes,
      );
    }
    const head = await readHead(repo);
    const branch = options.branch ?? head.branch;
    if (!branch) {
      throw new InvalidArgumentError('HEAD is detached: a writer checkout needs a branch', {});
    }
    const commit = (await repo.catalog.getRef(branchRef(branch)))?.target ?? null;
    if (commit === null && branch !== head.branch) {
      throw new NotFoundError(`no branch '${branch}'`, { branch });
    }
    const release = await acquireLocks(repo, [branchLockName(branch)]);
    try {
      const committed = readColumns(await readCommitTree(repo, commit), `commit ${commit}`);
      // `column reset` must work whatever the staging holds (even an unreadable file or a base
      // from elsewhere): it drops the staging before reading it.
      if (options.dropStaged) await clearColumnStage(repo, branch);
      const stage = await stagedOnHead(repo, branch, commit, committed, true);
      const records = applyStage(committed, stage);
      const checkout = new Checkout(
        repo,
        true,
        branch,
        commit,
        committed,
        records,
        release,
        nodes,
        options.cacheBytes,
      );
      for (const [name, record] of Object.entries(stage?.columns ?? {}))
        if (record === null) checkout.removed.add(name);
      return checkout;
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** The index node source of this checkout (cached). */
  get nodes(): NodeSource {
    return this.context.nodes;
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the checkout is closed', {});
  }

  private assertWriter(verb: string): void {
    this.assertOpen();
    if (!this.writable) throw new InvalidArgumentError(`${verb} needs a writer checkout`, {});
  }

  /** Names of the columns, sorted. */
  columnNames(): string[] {
    this.assertOpen();
    return Object.keys(this.records).sort();
  }

  hasColumn(name: string): boolean {
    this.assertOpen();
    return name in this.records;
  }

  /** A column by name. */
  column(name: string): Column {
    this.assertOpen();
    let column = this.open.get(name);
    if (!column) {
      const record = this.records[name];
      if (!record) throw new NotFoundError(`no column '${name}'`, { column: name });
      column = new Column(this.context, record);
      this.open.set(name, column);
    }
    return column;
  }

  /** Creates an empty column (staged); its schema is fixed from now on. */
  async createColumn(spec: ColumnSpec): Promise<Column> {
    this.assertWriter('creating a column');
    const schema = checkColumnSpec(spec);
    if (schema.name in this.records) {
      throw new AlreadyExistsError(`column '${schema.name}' exists already`, {
        what: 'column',
        name: schema.name,
      });
    }
    const empty = buildMap([]);
    const writer = this.repo.store.createWriter();
    for (const node of empty.nodes) await writer.add(node.bytes);
    await writer.commit();
    this.records[schema.name] = { schema, index: empty.root, count: 0, chunks: [] };
    this.removed.delete(schema.name);
    await this.publish();
    return this.column(schema.name);
  }

  /** Removes a column (staged). */
  async removeColumn(name: string): Promise<void> {
    this.assertWriter('removing a column');
    if (!(name in this.records)) throw new NotFoundError(`no column '${name}'`, { column: name });
    await this.open.get(name)?.discard();
    this.open.delete(name);
    delete this.records[name];
    this.removed.add(name);
    await this.publish();
  }

  /** Folds pending writes of every column in and stages the result (one atomic file replace). */
  async flush(): Promise<void> {
    this.assertWriter('flush');
    await this.applyAll();
    await this.publish();
  }

  /**
   * Folds every open column's pending writes into its index (durable, not staged). Columns apply
   * side by side: each has its own object writer, and one's pack fsync and catalog rows overlap
   * the next one's index building (an import of images and labels waited for each in turn).
   */
  private async applyAll(): Promise<void> {
    const columns = [...this.open.values()];
    const settled = await Promise.allSettled(columns.map((column) => column.applyPending()));
    // A column whose apply failed keeps its record as it was.
    for (const column of columns) this.records[column.name] = column.record;
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
  }

  /**
   * Runs `work` as one bulk step: writes stay in memory and in open files until it returns, then
   * are staged at once. If it throws, nothing it wrote is staged and the checkout is back where it
   * was (the previous staging stays as it is): writes folded into an index midway to bound memory
   * are dropped with the rest.
   */
  async bulk<T>(work: (checkout: Checkout) => Promise<T>): Promise<T> {
    this.assertWriter('bulk');
    if (this.inBulk) return work(this);
    // Writes made before the bulk step are staged first: a failure below rolls back to here.
    await this.flush();
    const records = { ...this.records };
    const removed = new Set(this.removed);
    const opened = new Map(this.open);
    this.inBulk = true;
    let result: T;
    try {
      result = await work(this);
      await this.applyAll();
    } catch (err) {
      this.inBulk = false;
      for (const column of this.open.values()) await column.discard();
      this.records = records;
      this.removed = removed;
      this.open.clear();
      for (const [name, column] of opened) {
        column.replaceRecord(records[name]!);
        this.open.set(name, column);
      }
      throw err;
    }
    this.inBulk = false;
    await this.publish();
    return result;
  }

  private async publish(): Promise<void> {
    if (this.inBulk) return;
    const columns: Record<string, ColumnRecord | null> = {};
    for (const [name, record] of Object.entries(this.records)) {
      if (canonicalJson(record) !== canonicalJson(this.committed[name])) columns[name] = record;
    }
    for (const name of this.removed) if (name in this.committed) columns[name] = null;
    if (Object.keys(columns).length === 0) await clearColumnStage(this.repo, this.branch!);
    else await writeColumnStage(this.repo, { branch: this.branch!, base: this.commit, columns });
  }

  /** Staged changes against the commit the writer started from, per column and key. */
  async status(): Promise<ColumnChange[]> {
    this.assertOpen();
    if (this.writable) await this.flush();
    return diffColumnRecords(
      this.context.nodes,
      this.committed,
      this.records,
      createReadNodes((ids) => this.repo.store.getMany(ids)),
    );
  }

  /** Drops staged and pending changes: the columns are as the branch head has them. */
  async reset(): Promise<void> {
    this.assertWriter('reset');
    for (const column of this.open.values()) await column.discard();
    this.open.clear();
    this.records = { ...this.committed };
    this.removed.clear();
    await clearColumnStage(this.repo, this.branch!);
  }

  /** Commits the staged columns on the branch; the working folders are not part of this commit. */
  async commitChanges(message: string, options: { author?: string } = {}): Promise<ObjectId> {
    this.assertWriter('commit');
    await this.flush();
    const changed =
      canonicalJson(columnsSection(this.records)) !== canonicalJson(columnsSection(this.committed));
    if (!changed) throw new NothingToCommitError('nothing to commit: no column changes staged', {});
    const id = await commitTree(this.repo, {
      branch: this.branch!,
      message,
      author: options.author,
      sections: { [COLUMNS_SECTION]: columnsSection(this.records) },
      parents: this.commit ? [this.commit] : [],
    });
    await clearColumnStage(this.repo, this.branch!);
    // The checkout goes on from the new commit.
    (this as { commit: ObjectId | null }).commit = id;
    this.committed = { ...this.records };
    this.removed.clear();
    return id;
  }

  /** Stages pending writes (writers), releases the lock; every later call is refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.writable) await this.flush();
    } finally {
      this.closed = true;
      await this.release();
    }
  }
}

/**
 * The branch's staging carried onto its head (see `rebaseColumnStage`); a writer holding the
 * branch lock (`persist`) replaces the staging file with the rebased one.
 */
async function stagedOnHead(
  repo: Repository,
  branch: string,
  head: ObjectId | null,
  committed: Readonly<Record<string, ColumnRecord>>,
  persist: boolean,
): Promise<ColumnStage | undefined> {
  const stage = await readColumnStage(repo, branch);
  if (!stage || stage.base === head) return stage;
  const rebased = await rebaseColumnStage(repo, stage, head, committed);
  if (persist) {
    if (rebased) await writeColumnStage(repo, rebased);
    else await clearColumnStage(repo, branch);
  }
  return rebased;
}

/** Opens a checkout: `write: true` for a writer on a branch, else a reader at any revision. */
export function openCheckout(repo: Repository, options: CheckoutOptions = {}): Promise<Checkout> {
  return Checkout.open(repo, options);
}
