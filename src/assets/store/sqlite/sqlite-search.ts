import { fork, type ChildProcess } from 'node:child_process';
import { compiledModuleUrl } from '../../../util/compiled-module-url.js';
import { fileURLToPath } from 'node:url';
import type { SearchGrouping } from '../asset-store.js';
import { searchTimeoutError, type SearchLimits } from '../search-limits.js';
import {
  InvalidArgumentError,
  QueryTimeoutError,
  QueryTooLargeError,
  StrataError,
} from '../../../errors/index.js';
import type { SearchChildError, SearchChildMessage, SearchJob } from './sqlite-search-child.js';

/** Options of `runSqliteSearch`. */
export interface SqliteSearchOptions {
  /** The database file (WAL mode: the search reads a snapshot while writers go on). */
  readonly location: string;
  readonly sql: string;
  readonly grouping: SearchGrouping;
  readonly limits: SearchLimits;
  /** Called once the statement is prepared, checked and about to run. */
  readonly onRunning?: () => void;
  /** Called as rows arrive, with the count so far (the first row comes alone, as soon as it is read). */
  readonly onRows?: (count: number) => void;
}

/** How long the child may take to start and prepare the statement, on top of the time limit. */
const CHILD_START_MS = 30_000;
/** How long after the time limit the child's own watchdog kills it, should this process be gone. */
const CHILD_GRACE_MS = 2_000;

/**
 * The child's script: beside this file in the compiled tree (dist/src/catalog/sqlite/), or under
 * dist/src/ when this code runs from the CLI bundle (dist/strata.js), as for the scan workers.
 */
function childScript(): string {
  return fileURLToPath(compiledModuleUrl('assets/store/sqlite/sqlite-search-child.js'));
}

const ERROR_CLASSES: Record<string, new (message: string, data: Record<string, unknown>) => StrataError> = {
  E_INVALID_ARGUMENT: InvalidArgumentError,
  E_QUERY_TOO_LARGE: QueryTooLargeError,
  E_QUERY_TIMEOUT: QueryTimeoutError,
};

function fromChildError(e: SearchChildError): Error {
  if (e.code === undefined || e.userError === undefined) return new Error(`search failed: ${e.message}`);
  const known = ERROR_CLASSES[e.code];
  return known ? new known(e.message, e.data ?? {}) : new StrataError(e.code, e.message, e.data, e.userError);
}

/** Warm search processes kept between searches (a page and its count run side by side). */
const POOL_SIZE = 2;
const idle: ChildProcess[] = [];

function usable(child: ChildProcess): boolean {
  return child.connected && child.exitCode === null && child.signalCode === null;
}

/** A warm child does not keep this process running: `strata assets search` still exits. */
function park(child: ChildProcess, parked: boolean): void {
  const handles = [child, child.channel, child.stderr as unknown as { ref?(): void; unref?(): void }];
  for (const h of handles) (parked ? h?.unref : h?.ref)?.call(h);
}

function spawnChild(): ChildProcess {
  const child = fork(childScript(), [], {
    serialization: 'advanced', // blobs stay Buffers, big integers stay exact
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [],
  });
  child.stderr!.setEncoding('utf8');
  child.once('exit', () => {
    const at = idle.indexOf(child);
    if (at >= 0) idle.splice(at, 1);
  });
  return child;
}

/** A search process: a warm one when there is, else a new one (kept warm afterwards). */
function takeChild(): ChildProcess {
  let child: ChildProcess | undefined;
  while ((child = idle.pop()) && !usable(child));
  if (!child) child = spawnChild();
  park(child, false);
  return child;
}

/** Back to the pool after a clean answer (done, or the search's own error); else ended. */
function giveBack(child: ChildProcess): void {
  if (usable(child) && idle.length < POOL_SIZE) {
    park(child, true);
    idle.push(child);
  } else child.kill('SIGKILL');
}

/** Ends the warm search processes (tests that count processes; a clean shutdown). */
export function closeIdleSearchProcesses(): void {
  for (const child of idle.splice(0)) child.kill('SIGKILL');
}

/**
 * Runs one read-only search over a SQLite asset database in a child process, which is killed
 * (SIGKILL) at the time limit: better-sqlite3 has no interrupt, and a worker thread cannot be
 * terminated while SQLite is inside one long step (a recursive CTE that never yields a row), so a
 * process is the unit that can always be stopped. The child counts rows and bytes against the
 * limits and stops at the first one too many (E_QUERY_TOO_LARGE); the time limit runs from the
 * statement's start to its last row (E_QUERY_TIMEOUT). The calling process stays usable either way.
 *
 * Starting a Node process costs about a second on a loaded machine, far more than a page of rows:
 * children that answered cleanly are kept warm (at most POOL_SIZE) and run the next searches; one
 * stopped at a limit, or that crashed, is killed and never reused.
 */
export function runSqliteSearch(options: SqliteSearchOptions): Promise<Record<string, unknown>[]> {
  const { limits } = options;
  return new Promise((resolve, reject) => {
    const child = takeChild();
    let stderr = '';
    const onStderr = (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    };
    child.stderr!.on('data', onStderr);
    const rows: Record<string, unknown>[] = [];
    // The outcome is decided once (answer, error or time limit); the promise settles only when
    // the child is gone or back in the pool, so a stopped search leaves no process behind.
    let outcome: { readonly err?: Error; readonly reuse: boolean } | undefined;
    let closed = false;
    const detach = () => {
      child.stderr!.off('data', onStderr);
      child.off('message', onMessage);
      child.off('error', onError);
      child.off('close', onClose);
    };
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (outcome!.err) reject(outcome!.err);
      else resolve(rows);
    };
    const decide = (err: Error | undefined, reuse: boolean): void => {
      if (outcome) return;
      outcome = { err, reuse };
      clearTimeout(timer);
      if (reuse) {
        detach();
        giveBack(child);
        return finish();
      }
      if (!closed) child.kill('SIGKILL');
      if (closed) finish();
    };
    // The time limit counts from the statement's start: the child's own start (a Node process,
    // slow on a loaded machine) gets a separate allowance, so a small limit still means the query.
    let timer = setTimeout(
      () => decide(searchTimeoutError(limits), false),
      CHILD_START_MS + limits.timeoutMs,
    );
    const onMessage = (message: SearchChildMessage) => {
      if (outcome) return;
      if (message.type === 'rows') {
        for (const row of message.rows) rows.push(row);
        options.onRows?.(rows.length);
      } else if (message.type === 'running') {
        clearTimeout(timer);
        timer = setTimeout(() => decide(searchTimeoutError(limits), false), limits.timeoutMs);
        options.onRunning?.();
      } else if (message.type === 'done') decide(undefined, true);
      else decide(fromChildError(message.error), true);
    };
    const onError = (err: Error) => {
      decide(err, false);
      if (child.pid === undefined) finish(); // never started: no 'close' to wait for
    };
    // 'close' comes after the last message: a child that ends without `done` or `error` crashed.
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      closed = true;
      detach();
      decide(
        new Error(`search process ended without an answer (${signal ?? `exit ${code}`}): ${stderr.trim()}`),
        false,
      );
      finish();
    };
    child.on('message', onMessage);
    child.on('error', onError);
    child.on('close', onClose);
    const job: SearchJob = {
      location: options.location,
      sql: options.sql,
      grouping: options.grouping,
      limits,
      graceMs: CHILD_START_MS + CHILD_GRACE_MS,
    };
    child.send(job);
  });
}
