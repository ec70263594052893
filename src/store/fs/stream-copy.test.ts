import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashBytes } from '../../util/hash.js';
import { copyWithHash, DIRECT_IO_MIN_SIZE } from './stream-copy.js';

test('a big copy (the O_DIRECT path) is byte for byte, with an unaligned tail', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-copy-'));
  try {
    const source = join(dir, 'big.bin');
    const size = DIRECT_IO_MIN_SIZE + 4 * 1024 * 1024 + 1234;
    const block = randomBytes(1024 * 1024);
    const fd = openSync(source, 'w');
    for (let written = 0; written < size;) {
      block[0] = written & 0xff;
      const n = Math.min(block.length, size - written);
      writeSync(fd, block, 0, n);
      written += n;
    }
    closeSync(fd);
    const result = await copyWithHash(source, join(dir, 'copy.bin'));
    assert.equal(result.size, size);
    assert.equal(statSync(join(dir, 'copy.bin')).size, size);
    const original = readFileSync(source);
    assert.equal(result.id, hashBytes(original));
    assert.ok(readFileSync(join(dir, 'copy.bin')).equals(original));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
