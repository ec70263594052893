// Bundles the CLI into dist/strata.js and a few chunks beside it (dist/strata-chunk-*.js), so that
// a command loads a handful of modules instead of several hundred (Kysely alone is ~400 files):
// module loading was a third of `strata status`. Code splitting keeps what a command imports
// lazily (`await import(...)`: the library behind every verb) out of the entry chunk, so that
// `strata --version` or `--help` compiles only Commander and the command table.
// Chunks stay in dist/ itself: compiledModuleUrl() finds dist/src/ relative to the running file.
// Native and optional drivers stay external and load from node_modules as usual.
import { build } from 'esbuild';
import { chmodSync, readdirSync, rmSync } from 'node:fs';

const outfile = 'dist/strata.js';
const CHUNK_PREFIX = 'strata-chunk-';
// Chunks of an earlier build have other hashes: remove them, so dist/ holds one build's files.
for (const name of readdirSync('dist')) if (name.startsWith(CHUNK_PREFIX)) rmSync(`dist/${name}`);
await build({
  entryPoints: { strata: 'dist/src/cli/bin.js' },
  outdir: 'dist',
  chunkNames: `${CHUNK_PREFIX}[hash]`,
  splitting: true,
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
