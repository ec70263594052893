import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The URL of a module of the compiled tree (dist/src/), for code that loads a module by path: a
 * worker thread's script or a pipeline kept outside the CLI bundle. `path` is relative to src/,
 * e.g. `compute/fetch-many-worker.js`.
 *
 * Code that uses `new URL('./x-worker.js', import.meta.url)` works from dist/src but not from the
 * bundle (dist/strata.js, the file package.json's `bin` points to), where `import.meta.url` is the
 * bundle itself. This function is bundled too, so its own `import.meta.url` tells where it runs:
 * beside dist/src/ (the bundle) or inside dist/src/util/ (the compiled tree).
 *
 * @example new Worker(compiledModuleUrl('compute/fetch-many-worker.js'), { workerData })
 */
export function compiledModuleUrl(path: string): URL {
  const fromBundle = new URL(`./src/${path}`, import.meta.url);
  if (existsSync(fileURLToPath(fromBundle))) return fromBundle;
  return new URL(`../${path}`, import.meta.url);
}
