/**
 * The remotes part of the quickstart tour: publish the demo repository to a bare one, clone it,
 * change the clone and push back, pull here; then a partial clone (`--no-data`) whose files come
 * from the remote only when a restore needs them. Called by scripts/quickstart.ts with its demo
 * folder and its `strata` and `note` helpers.
 */
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export function remotesTour(
  demo: string,
  strata: (...args: string[]) => string,
  note: (text: string) => void,
): void {
  const hub = `${demo}-hub`;
  const copy = `${demo}-copy`;
  const lazy = `${demo}-partial`;
  for (const dir of [hub, copy, lazy]) rmSync(dir, { recursive: true, force: true });
  note('Share the repository: publish it (remote add + push; a new path becomes a bare repository).');
  strata('remote', 'add', 'origin', hub);
  strata('push', '--tags');
  note('Clone it into a second folder, change a file there, commit and push back.');
  strata('clone', hub, copy);
  appendFileSync(join(copy, 'source-data/measurements.csv'), '21.00,64.000,0\n');
  strata('-C', copy, 'commit', '-m', 'One more measurement, from the copy');
  strata('-C', copy, 'push');
  note('Back in the first folder: pull brings the change in (a fast-forward here).');
  strata('pull');
  strata('log', '-n', '2');
  note('A partial clone: every commit and tree, no file contents; a restore fetches what it needs.');
  strata('clone', '--no-data', hub, lazy);
  strata('-C', lazy, 'restore', 'source-data');
  strata('-C', lazy, 'fsck');
}
