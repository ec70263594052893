import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashBytes } from '../../util/hash.js';
import { planRangeReads } from './pack-ranges.js';

const id = (n: number) => hashBytes(Buffer.from(String(n)));
const read = (n: number, pack: string, offset: number, length: number) => ({
  id: id(n),
  location: { pack, offset, length },
});

describe('planRangeReads', () => {
  const options = { maxGap: 100, maxSpan: 1000 };

  it('merges neighbours of one pack into one range, records with their 36-byte headers', () => {
    const ranges = planRangeReads(
      [read(2, 'p', 148, 50), read(1, 'p', 48, 64), read(3, 'q', 48, 10)],
      options,
    );
    assert.deepEqual(
      ranges.map((r) => [r.pack, r.start, r.end, r.reads.length]),
      [
        ['p', 12, 198, 2],
        ['q', 12, 58, 1],
      ],
    );
  });

  it('splits at gaps wider than maxGap and at maxSpan', () => {
    const far = planRangeReads([read(1, 'p', 48, 10), read(2, 'p', 300, 10)], options);
    assert.equal(far.length, 2);
    const long = planRangeReads(
      Array.from({ length: 10 }, (_, i) => read(i, 'p', 48 + i * 236, 200)),
      options,
    );
    assert.ok(long.length > 1);
    for (const range of long) assert.ok(range.end - range.start <= 1000);
    assert.equal(
      long.reduce((n, r) => n + r.reads.length, 0),
      10,
    );
  });

  it('refuses index rows that cannot point into a pack', () => {
    for (const [offset, length] of [
      [10, 5],
      [48, -1],
      [48, 2 ** 33],
      [1.5, 3],
    ] as const) {
      assert.throws(() => planRangeReads([read(1, 'p', offset, length)], options), {
        code: 'E_CORRUPT_OBJECT',
      });
    }
  });
});
