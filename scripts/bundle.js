// Bundles the CLI into one file, dist/strata.js, so that a command loads one module instead of
// several hundred (Kysely alone is ~400 files): module loading was a third of `strata status`.
// Native and optional drivers stay external and load from node_modules as usual.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/strata.js';
await build({
  entryPoints: ['dist/src/cli/bin.js'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: [
    'better-sqlite3',
    '@napi-rs/blake-hash',
    'pg',
    'pg-native',
    'cli-progress',
    'sharp',
    'lz4-napi',
    '@bokuweb/zstd-wasm',
    '@aws-sdk/*',
    'hash-wasm',
    'yauzl',
    'yazl',
    'fastify',
    '@fastify/*',
  ],
  // Bundled CommonJS code may call require(); give it one in ESM.
  banner: {
    js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
  minify: true,
});
chmodSync(outfile, 0o755);
