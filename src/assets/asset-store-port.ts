import { portKey } from '../repo/capability-ports.js';
import type { AssetStore } from './store/asset-store.js';

/**
 * How the asset capability reaches its tables: the composition root (`src/backends/`) picks the
 * adapter from the repository config (`.strata/assets.db` on an embedded repository, the shared
 * PostgreSQL catalog's database and schema on a shared one) and hands this down.
 */
export interface AssetStoreOpener {
  /** Opens the tables, creating them if needed (the caller closes the store). */
  open(): Promise<AssetStore>;
  /** Whether `assets update` ever ran here, without creating anything. */
  updated(): Promise<boolean>;
  /** The SQL dialect of `assets search`: SQLite's on an embedded repository, PostgreSQL's on a shared one. */
  readonly dialect: 'SQLite' | 'PostgreSQL';
}

/** The asset store port of a repository (`repo.ports.get(ASSET_STORE)`). */
export const ASSET_STORE = portKey<AssetStoreOpener>('asset store');

/** Set by every `update`: present once the tables hold an update's result. */
export const UPDATED_META_KEY = 'grammar_version';
