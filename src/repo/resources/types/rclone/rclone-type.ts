import { InvalidArgumentError } from '../../../../errors/index.js';
import {
  checkInnerOrExternalLocation,
  checkInnerOrExternalPath,
  locateInnerOrExternal,
  openInnerOrExternal,
} from '../inner-or-external.js';
import type { ResourceType } from '../resource-type.js';
import { runRclone, type SyncMode } from './run-rclone.js';

/**
 * A local copy of an rclone remote (`REMOTE:PATH`, any of rclone's backends), kept in step with
 * the remote and versioned like a folder: the copy is brought up to date when the resource is
 * added and before every snapshot (`rclone copy`, or `rclone sync` with `syncMode: 'sync'`), and
 * its files are stored in the object store, so a restore brings the copy back. The remote is the
 * master: Strata never writes to it.
 */
export const rcloneType: ResourceType = {
  type: 'rclone',
  checkPath: checkInnerOrExternalPath,
  locate: locateInnerOrExternal,
  open: openInnerOrExternal,
  checkStoredLocation: checkInnerOrExternalLocation,
  contentMode: () => 'stored',
  skip: [],
  async refresh(abs, record) {
    const remote = record.options.remote;
    if (typeof remote !== 'string') {
      throw new InvalidArgumentError(`rclone resource '${record.name}' has no remote recorded`, {
        resource: record.name,
      });
    }
    const mode: SyncMode = record.options.syncMode === 'sync' ? 'sync' : 'copy';
    await runRclone({ from: remote, to: abs, mode, sizeOnly: record.options.sizeOnly === true });
  },
};
