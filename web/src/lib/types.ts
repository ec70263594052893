// Shapes of the API's answers as the UI reads them. They mirror the library's types (history
// report, asset graph, lineage graph, column summary); fields the UI does not read are left out.

export interface RefsAnswer {
  readonly head?: { readonly branch?: string | null; readonly commit?: string | null } | null;
  readonly branches: readonly { readonly name: string; readonly commit?: string; readonly id?: string }[];
  readonly tags: readonly { readonly name: string; readonly commit?: string; readonly id?: string }[];
}

export interface SearchPage {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
  /** Rows of the whole result. */
  readonly total: number;
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
export type MetricValue = number | string | boolean;

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
  readonly directions: Readonly<Record<string, 'max' | 'min' | undefined>>;
  readonly baseline?: string;
  readonly rows: readonly HistoryRow[];
}

export interface FileChange {
  readonly path: string;
  readonly kind: string;
  readonly [key: string]: unknown;
}

export interface TreeEntry {
  readonly name: string;
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | string;
  readonly size?: number;
  readonly hash?: string;
}

export interface TreePage {
  readonly entries: readonly TreeEntry[];
  readonly total?: number;
}

export interface ColumnSummary {
  readonly name: string;
  readonly kind: 'ndarray' | 'bytes' | 'str';
  readonly dtype?: string;
  readonly shape?: readonly number[];
  readonly variable: boolean;
  readonly layout: 'flat' | 'nested';
  readonly compression: string;
  readonly count: number;
  readonly rawBytes?: number;
  readonly storedBytes?: number;
}

export interface SamplePage {
  readonly keys: readonly string[];
  readonly total?: number;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | string;

export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly state: JobState;
  /** Work done and total, when the job knows them. */
  readonly progress?: { readonly done: number; readonly total?: number | null; readonly message?: string };
  readonly createdAt?: string;
  readonly finishedAt?: string | null;
  readonly error?: { readonly code?: string; readonly message: string } | null;
  readonly result?: unknown;
}
