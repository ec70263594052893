import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempPathFor, writeFileDurable } from './durable-fs.js';

test('issue 10: a file name near the 255-byte limit gets a temporary name the filesystem accepts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-durable-'));
  try {
    const long = 'ü'.repeat(126); // 252 bytes of UTF-8
    assert.ok(Buffer.byteLength(tempPathFor(join(dir, long)).slice(dir.length + 1)) < 64);
    writeFileDurable(join(dir, long), 'kept');
    assert.equal(readFileSync(join(dir, long), 'utf8'), 'kept');
    assert.deepEqual(readdirSync(dir), [long], 'no temporary file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
