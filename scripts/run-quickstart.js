#!/usr/bin/env node
// `npm run quickstart`: runs the compiled tour. `npm ci` has built everything already (its
// `prepare` step runs `npm run build`), so this builds only when the build output is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOUR = path.join(ROOT, 'dist', 'scripts', 'quickstart.js');
const CLI = path.join(ROOT, 'dist', 'strata.js');

if (!existsSync(TOUR) || !existsSync(CLI)) {
  console.log('quickstart: dist/ is missing, building first: npm run build');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
// With --serve the tour ends by serving until Ctrl-C: the server handles it, this waits for it.
if (process.argv.includes('--serve')) process.on('SIGINT', () => undefined);
const tour = spawnSync(process.execPath, [TOUR, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(tour.status ?? 1);
