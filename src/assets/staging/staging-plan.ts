/** One file of a valid asset, as staging needs it. */
export interface StagingFile {
  /** Stable file id (from path and content). */
  readonly id: string;
  /** Path relative to the ingress folder, `/`-separated; the same path under `content/`. */
  readonly path: string;
  /** Parsed name fields and traits: written to `metadata/file/<id>.json`. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Size in bytes as `update` saw it; when given, copy mode trusts it instead of a stat. */
  readonly size?: number;
}

/** One valid asset with its files. */
export interface StagingAsset {
  readonly id: string;
  /** Path of the asset (its file, folder or root) relative to the ingress folder. */
  readonly path: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly files: readonly StagingFile[];
}

/** How files get into staging: copied (ingress unchanged) or moved (ingress emptied). */
export type WriteMode = 'copy' | 'move';
