// Shapes of the API's answers as the UI reads them. They mirror the library's types (history
// report, asset graph, lineage graph, column summary); fields the UI does not read are left out.

export interface RefsAnswer {
  readonly head: { readonly branch: string | null; readonly commit: string | null };
  readonly branches: readonly { readonly name: string; readonly head: string; readonly current: boolean }[];
  readonly tags: readonly { readonly name: string; readonly commit: string }[];
}

export interface SearchPage {
  readonly rows: readonly Record<string, unknown>[];
  /** Rows of the whole result (null when asked not to count). */
  readonly total: number | null;
  readonly offset: number;
}

export type SearchGrouping = 'file' | 'asset';

export interface AssetNode {
  readonly name: string;
  readonly path: string;
  readonly kind: 'folder' | 'asset' | 'file';
  readonly status: 'valid' | 'invalid' | 'other';
  readonly assetType?: string;
  readonly children: readonly AssetNode[];
}

export interface LineageNode {
  readonly id: string;
  readonly kind: 'step' | 'ref';
  readonly label: string;
  readonly status?: string;
  readonly layer: number;
}

export interface LineageGraph {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly kind: string }[];
}

export type Comparison = 'better' | 'same' | 'worse' | 'changed';
export type MetricValue = number | string | boolean | null;

export interface HistoryRow {
  readonly id: string;
  readonly tags: readonly string[];
  readonly time: string;
  readonly message: string;
  readonly branches: readonly string[];
  readonly metrics: Readonly<Record<string, MetricValue>>;
  readonly compared?: Readonly<Record<string, Comparison>>;
}

export interface HistoryReport {
  readonly columns: readonly string[];
  readonly directions?: Readonly<Record<string, 'max' | 'min' | undefined>>;
  readonly baseline: string | null;
  readonly rows: readonly HistoryRow[];
}

/** One changed file, as `strata diff --json` prints it. */
export interface FileChange {
  readonly resource: string;
  readonly path: string;
  readonly change: 'added' | 'modified' | 'deleted' | string;
  readonly size_before?: number;
  readonly size_after?: number;
}

export interface CommitDetails {
  readonly id: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly author: string;
  readonly time: string;
  readonly tags: readonly string[];
  readonly resources: readonly {
    readonly name: string;
    readonly role: string;
    readonly path: string;
    readonly files: number;
    readonly bytes: number;
  }[];
  readonly columns: readonly { readonly name: string; readonly count: number }[];
}

export interface TreeFile {
  readonly path: string;
  readonly hash: string;
  readonly size: number;
  readonly executable: boolean;
  readonly symlink: boolean;
}

/** A page of a resource's files in path order; `next` is the cursor of the following page. */
export interface TreePage {
  readonly commit: string;
  readonly resource: string;
  readonly files: readonly TreeFile[];
  readonly next: string | null;
}

export interface ColumnSchema {
  readonly name: string;
  readonly kind: 'ndarray' | 'bytes' | 'str';
  readonly dtype?: string;
  readonly shape?: readonly number[];
  readonly variable?: boolean;
  readonly layout?: 'flat' | 'nested';
  readonly compression?: string;
}

export interface ColumnSummary {
  readonly name: string;
  readonly count: number;
  readonly schema: ColumnSchema;
}

/** A page of samples in key order; `next` is the cursor of the following page. */
export interface SamplePage {
  readonly samples: readonly {
    readonly key: string;
    readonly dtype: string;
    readonly shape: readonly number[];
  }[];
  readonly next: string | null;
}

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'completed_with_errors';

/** A job as `GET /api/jobs` lists it: the jobs layer's record plus its running task's progress. */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly state: JobState;
  /** Tasks of the job. */
  readonly counts: { readonly total: number; readonly done: number; readonly failed: number };
  /** Work done in the running task, when it reports any. */
  readonly progress: { readonly done: number; readonly total: number } | null;
  readonly errors: readonly { readonly code?: string; readonly message: string }[];
  readonly createdAt: string;
  readonly finishedAt?: string;
}
