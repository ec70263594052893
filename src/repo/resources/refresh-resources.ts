import type { ResourceRecord } from '../../catalog/catalog.js';
import type { Repository } from '../repository.js';
import { resourceType } from './types/index.js';

/**
 * Brings every local copy of files kept elsewhere (rclone remotes, S3 prefixes) in step with its
 * origin; a snapshot calls it first, so it records what the origins hold. Returns the names
 * refreshed.
 */
export async function refreshResources(
  repo: Repository,
  options: { readonly only?: readonly string[] } = {},
): Promise<string[]> {
  const done: string[] = [];
  for (const record of await repo.catalog.listResources()) {
    if (options.only && !options.only.includes(record.name)) continue;
    const type = resourceType(record.type);
    if (!type.refresh) continue;
    await type.refresh(type.locate(repo.root, record.path), record);
    done.push(record.name);
  }
  return done;
}

/**
 * Sends restored local copies back to their origins (S3: the snapshot's objects go back into the
 * bucket). Read-only resources and those a restore left alone are skipped. Returns the names sent.
 */
export async function publishResources(
  repo: Repository,
  include: (record: ResourceRecord) => boolean = () => true,
): Promise<string[]> {
  const done: string[] = [];
  for (const record of await repo.catalog.listResources()) {
    const type = resourceType(record.type);
    if (!type.publish || record.options.readOnly === true || !include(record)) continue;
    await type.publish(type.locate(repo.root, record.path), record);
    done.push(record.name);
  }
  return done;
}
