import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../../errors/index.js';
import { stagingLayout, type MetadataType, type StagingLayout } from '../staging/staging-layout.js';

/** One staged content file. */
export interface StagedFile {
  /** Relative to `content/`, `/`-separated. */
  readonly path: string;
  readonly abs: string;
}

/** One metadata file of a type: `<id>.json` for asset/file, a chunk file for the chunk types. */
export interface StagedMetadataFile {
  readonly name: string;
  readonly abs: string;
}

/**
 * A read-only view of a staging folder, which is all an exporter gets: exporters never write to
 * staging, so a failed export leaves it exactly as it was.
 */
export interface StagedSource {
  readonly layout: StagingLayout;
  contentFiles(): StagedFile[];
  metadataFiles(type: MetadataType): StagedMetadataFile[];
  /** The JSON records of a type (a chunk file's array is flattened). */
  records(type: MetadataType): Promise<Record<string, unknown>[]>;
}

function walk(root: string, rel = '', out: StagedFile[] = []): StagedFile[] {
  for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) walk(root, path, out);
    else if (d.isFile()) out.push({ path, abs: join(root, path) });
  }
  return out;
}

/** Opens the staging at `stagingRoot`; a staging with neither content nor metadata is an error. */
export function openStagedSource(stagingRoot: string): StagedSource {
  const layout = stagingLayout(stagingRoot);
  if (!existsSync(layout.content) && !existsSync(layout.metadata)) {
    throw new NotFoundError(`nothing staged in ${stagingRoot}: run 'strata assets create' first`, {
      what: 'staging',
      path: stagingRoot,
    });
  }
  const metadataFiles = (type: MetadataType): StagedMetadataFile[] => {
    const dir = layout.metadataDir(type);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((name) => ({ name, abs: join(dir, name) }));
  };
  return {
    layout,
    contentFiles: () => (existsSync(layout.content) ? walk(layout.content) : []),
    metadataFiles,
    async records(type) {
      const out: Record<string, unknown>[] = [];
      for (const f of metadataFiles(type)) {
        const value = JSON.parse(await readFile(f.abs, 'utf8')) as unknown;
        if (Array.isArray(value)) out.push(...(value as Record<string, unknown>[]));
        else out.push(value as Record<string, unknown>);
      }
      return out;
    },
  };
}

/** Reads a small metadata file synchronously (tests and the disk exporter's checks). */
export function readJsonFile(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
