/**
 * `npm run docs:cli`: writes docs/cli.md from the commander definitions of the `strata` command.
 * `--check` exits 1 when the file is stale instead of writing it (the tests run this).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createProgram } from '../src/cli/main.js';
import { describeCommand } from '../src/cli/reference/command-tree.js';
import { renderCliReference } from '../src/cli/reference/cli-reference.js';

const target = fileURLToPath(new URL('../../docs/cli.md', import.meta.url));
const text = renderCliReference(describeCommand(createProgram()));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing file is stale too
  }
  if (current !== text) {
    console.error('docs/cli.md is stale: run `npm run docs:cli`');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
