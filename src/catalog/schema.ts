/**
 * The catalog's tables as Kysely sees them. Everything mutable lives here; everything versioned
 * lives in the object store. Numbers that can exceed 2^31 (sizes, offsets) are plain JS numbers:
 * exact up to 2^53, which no file or pack reaches.
 */
export interface CatalogSchema {
  strata_migrations: { version: number; name: string; applied_at: string };
  refs: { name: string; target: string | null; symbolic: string | null; updated_at: string };
  scan_state: {
    resource: string;
    fingerprint: string;
    map_root: string;
    files: number;
    bytes: number;
    recorded_ms: number;
    /** JSON `[folder, digest][]`, see `ScanState.folders`; null in rows saved before version 6. */
    folders: string | null;
  };
  stat_cache: {
    resource: string;
    path: string;
    size: number;
    mtime_ms: number;
    ino: number;
    hash: string;
    recorded_ms: number;
  };
  pack_index: { id: string; pack: string; offset: number; length: number };
  locks: {
    name: string;
    pid: number;
    host: string;
    started_at: string;
    command: string;
    exclusive: number;
    /** The acquisition's token (migration 3); null on rows from before leases. */
    token: string | null;
    /** Lease end in ms since the epoch, by the catalog's clock (migration 3); null: no lease. */
    lease_until: number | null;
  };
  resources: {
    name: string;
    path: string;
    role: string;
    type: string;
    options: string;
    created_at: string;
  };
  config: { key: string; value: string };
  /** Staged section state per working folder and branch (migration 4). */
  staged_sections: {
    working_folder: string;
    branch: string;
    section: string;
    value: string;
    updated_at: string;
  };
  /** Current lineage per working folder and branch; `head` '' is the detached HEAD (migration 4). */
  current_lineage: { working_folder: string; head: string; state: string; updated_at: string };
  /** Parameters of one working folder (migration 4). */
  local_params: { working_folder: string; name: string; value: string };
  /** Bearer tokens of `strata serve` (migration 4): a hash of the secret, never the secret. */
  api_tokens: {
    name: string;
    hash: string;
    scope: string;
    created_at: string;
    expires_at: string | null;
    revoked_at: string | null;
  };
}
