import { basename } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import { ancestry } from './ancestry.js';
import { checkOutputOverlap } from './consistency.js';
import {
  readCurrentLineage,
  updateCurrentLineage,
  type LineageState,
  type PinnedRef,
  type StepRecord,
} from './lineage-state.js';
import { hashRef } from './ref-hash.js';
import type { ResourceRef } from './resource-ref.js';

const EXPORT_TYPE = 'strata/lineage-export@1';
const ORIGIN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The lineage of one resource, written by `exportLineage` for another repository to import. */
export interface LineageExport {
  readonly type: typeof EXPORT_TYPE;
  /** A short name of the exporting repository (default: its folder's name). */
  readonly origin: string;
  readonly exportedAt: string;
  /** The resource, pinned to its content hash at export. */
  readonly resource: PinnedRef;
  /** Every step that led to it, nearest first. */
  readonly steps: readonly StepRecord[];
}

function checkOrigin(origin: string): string {
  if (!ORIGIN.test(origin)) {
    throw new InvalidArgumentError(
      `invalid origin '${origin}': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { origin },
    );
  }
  return origin;
}

/**
 * The lineage that produced `resource` (current lineage, or `lineage` if given, e.g. a
 * snapshot's), with the resource's content hash now, ready to be written as JSON.
 */
export async function exportLineage(
  repo: Repository,
  options: { resource: string; origin?: string; lineage?: LineageState },
): Promise<LineageExport> {
  const record = (await repo.catalog.listResources()).find((r) => r.name === options.resource);
  if (!record) {
    throw new NotFoundError(`no resource named '${options.resource}'`, {
      what: 'resource',
      name: options.resource,
    });
  }
  const origin = checkOrigin(options.origin ?? basename(repo.root).replace(/[^A-Za-z0-9._-]/g, '_'));
  const ref: ResourceRef = { resource: record.name };
  const state = options.lineage ?? (await readCurrentLineage(repo));
  return {
    type: EXPORT_TYPE,
    origin,
    exportedAt: new Date().toISOString(),
    resource: { ...ref, hash: await hashRef(repo, record, ref) },
    steps: ancestry(state, ref),
  };
}

/** Parses and checks an export file's content. */
export function parseLineageExport(text: string, where: string): LineageExport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`${where} is not valid JSON`, { where });
  }
  const v = value as Partial<LineageExport> | null;
  if (v?.type !== EXPORT_TYPE || typeof v.origin !== 'string' || !Array.isArray(v.steps) || !v.resource) {
    throw new InvalidArgumentError(`${where} is not a Strata lineage export (${EXPORT_TYPE})`, { where });
  }
  return v as LineageExport;
}

/** What `importLineage` recorded. */
export interface ImportResult {
  readonly resource: string;
  readonly steps: readonly string[];
  /** True when the local resource's content is what was exported. */
  readonly matches: boolean;
}

/**
 * Records an export's steps in this repository as `imported` steps, so lineage crosses projects:
 * refs to the exported resource now name the local resource `options.resource` (default: the
 * same name), every other foreign ref becomes `origin:name`, step names `origin:step`. Importing
 * again replaces the earlier import; an imported output overlapping a local step's is refused.
 */
export async function importLineage(
  repo: Repository,
  data: LineageExport,
  options: { resource?: string; origin?: string } = {},
): Promise<ImportResult> {
  const origin = checkOrigin(options.origin ?? data.origin);
  const local = options.resource ?? data.resource.resource;
  const record = (await repo.catalog.listResources()).find((r) => r.name === local);
  if (!record) {
    throw new NotFoundError(`no resource named '${local}' to import lineage for`, {
      what: 'resource',
      name: local,
    });
  }
  const exported = data.resource.resource;
  const rename = <T extends PinnedRef>(ref: T): T => {
    if (ref.resource.includes(':')) return ref;
    return { ...ref, resource: ref.resource === exported ? local : `${origin}:${ref.resource}` };
  };
  const steps: StepRecord[] = data.steps.map((s) => ({
    ...s,
    name: s.name.includes(':') ? s.name : `${origin}:${s.name}`,
    status: 'imported',
    origin: s.origin ?? origin,
    inputs: s.inputs.map(rename),
    code: s.code.map(rename),
    outputs: s.outputs.map(rename),
  }));
  const names = new Set(steps.map((s) => s.name));
  await updateCurrentLineage(repo, (state) => {
    const kept: LineageState = { steps: state.steps.filter((s) => !names.has(s.name)) };
    for (const step of steps) checkOutputOverlap(kept, step.name, step.outputs);
    return { steps: [...kept.steps, ...steps] };
  });
  const hash = await hashRef(repo, record, { resource: local });
  return { resource: local, steps: [...names], matches: hash === data.resource.hash };
}
