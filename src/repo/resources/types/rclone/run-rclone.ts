import { execFile } from 'node:child_process';
import { InvalidArgumentError, NotFoundError } from '../../../../errors/index.js';

/** How the local copy follows the remote: `copy` adds and overwrites, `sync` also deletes. */
export type SyncMode = 'copy' | 'sync';

/** Options of one rclone transfer. */
export interface RcloneTransfer {
  readonly from: string;
  readonly to: string;
  readonly mode: SyncMode;
  /** Compare by size only, not modification time (`--size-only`). */
  readonly sizeOnly?: boolean;
}

/**
 * Runs `rclone copy|sync FROM TO` with an argument array (never a shell). A missing `rclone`
 * binary is a `NotFoundError` naming how to install it; a failed transfer an `InvalidArgumentError`
 * with rclone's own last line, since it is nearly always a wrong remote or path.
 */
export function runRclone(transfer: RcloneTransfer): Promise<void> {
  const args = [transfer.mode, transfer.from, transfer.to, ...(transfer.sizeOnly ? ['--size-only'] : [])];
  return new Promise((resolve, reject) => {
    execFile('rclone', args, { maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as { code?: unknown }).code === 'ENOENT') {
        return reject(
          new NotFoundError(
            'the rclone command is not installed (or not on PATH); install it, e.g. apt-get install rclone',
            { what: 'rclone' },
          ),
        );
      }
      const lines = String(stderr).trim().split('\n').filter(Boolean);
      reject(
        new InvalidArgumentError(
          `rclone ${args.join(' ')} failed: ${lines[lines.length - 1] ?? err.message}`,
          { args },
        ),
      );
    });
  });
}

/** Checks the `REMOTE:PATH` form rclone takes (`name:path`, or `:backend:path`). */
export function checkRemote(remote: string): string {
  if (!/^:?[A-Za-z0-9_. -]*[A-Za-z0-9_.-]:/.test(remote) || remote.includes('\u0000')) {
    throw new InvalidArgumentError(
      `'${remote}' is not an rclone remote; use REMOTE:PATH (see 'rclone config')`,
      {
        remote,
      },
    );
  }
  return remote;
}
