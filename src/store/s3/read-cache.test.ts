import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hashBytes } from '../../util/hash.js';
import { ReadCache } from './read-cache.js';

/** Bytes of every cached entry under `dir`. */
function cachedBytes(dir: string): number {
  let total = 0;
  for (const sub of readdirSync(dir)) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    for (const file of readdirSync(join(dir, sub))) total += statSync(join(dir, sub, file)).size;
  }
  return total;
}

describe('ReadCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-read-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns verified bytes, and drops an entry that no longer hashes to its id', () => {
    const cache = new ReadCache({ dir });
    const data = Buffer.from('cached');
    const id = hashBytes(data);
    assert.equal(cache.read(id), undefined);
    cache.write(id, data);
    assert.deepEqual(cache.read(id), data);
    writeFileSync(join(dir, id.slice(0, 2), id.slice(2)), 'cacheD');
    assert.equal(cache.read(id), undefined, 'a corrupt entry is a miss');
    assert.deepEqual(readdirSync(join(dir, id.slice(0, 2))), [], 'and it is deleted');
  });

  it('stays within its size limit, evicting the least recently used entries first', () => {
    const maxBytes = 200 * 1024;
    const cache = new ReadCache({ dir, maxBytes });
    const objects = Array.from({ length: 100 }, () => randomBytes(4096));
    const ids = objects.map((data) => hashBytes(data));
    // Entries written long ago, except that the first one is read again (used) last.
    objects.forEach((data, i) => {
      cache.write(ids[i]!, data);
      const path = join(dir, ids[i]!.slice(0, 2), ids[i]!.slice(2));
      const old = new Date(Date.now() - (1000 - i) * 1000);
      utimesSync(path, old, old);
      if (i === 0 || cachedBytes(dir) <= maxBytes) return;
      // Over the limit only by what this process wrote since its last trim (a tenth of the limit).
      assert.ok(cachedBytes(dir) <= maxBytes * 1.1 + 4096, `${cachedBytes(dir)} bytes cached`);
    });
    assert.ok(cache.read(ids[99]!), 'the newest entry is kept');
    cache.read(ids[60]!); // used now: the most recent
    assert.ok(cache.trim() <= maxBytes);
    assert.ok(cachedBytes(dir) <= maxBytes);
    assert.equal(cache.read(ids[1]!), undefined, 'an old unused entry is gone');
    assert.ok(cache.read(ids[60]!), 'a recently used entry is kept');
  });

  it('does not cache objects bigger than a quarter of its limit', () => {
    const cache = new ReadCache({ dir, maxBytes: 1000 });
    const data = randomBytes(251);
    cache.write(hashBytes(data), data);
    assert.equal(cache.read(hashBytes(data)), undefined);
  });
});
