import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runFileOps, type FileOp } from './file-ops.js';

test('runFileOps: copies small and big files and writes strings, inline and in worker threads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-file-ops-'));
  try {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 9); // above the one-buffer limit: kernel copy
    writeFileSync(join(dir, 'big'), big);
    writeFileSync(join(dir, 'empty'), '');
    const ops: FileOp[] = [
      { copy: [join(dir, 'big'), join(dir, 'big.copy')] },
      { copy: [join(dir, 'empty'), join(dir, 'empty.copy')] },
    ];
    for (let i = 0; i < 2500; i++) {
      writeFileSync(join(dir, `s${i}`), `small ${i}`);
      ops.push(
        { copy: [join(dir, `s${i}`), join(dir, `s${i}.copy`)] },
        { write: [join(dir, `w${i}.json`), `{"i":${i}}`] },
      );
    }
    for (const threads of [1, 2]) {
      let last = 0;
      await runFileOps(ops, { threads, onProgress: (done) => (last = done) });
      assert.equal(last, ops.length);
      assert.deepEqual(readFileSync(join(dir, 'big.copy')), big);
      assert.equal(readFileSync(join(dir, 'empty.copy'), 'utf8'), '');
      assert.equal(readFileSync(join(dir, 's2499.copy'), 'utf8'), 'small 2499');
      assert.equal(readFileSync(join(dir, 'w1234.json'), 'utf8'), '{"i":1234}');
    }
    // A missing source fails the run with the errno code, from a worker as inline.
    const bad: FileOp[] = [...ops, { copy: [join(dir, 'missing'), join(dir, 'x')] }];
    for (const threads of [1, 2]) {
      await assert.rejects(runFileOps(bad, { threads }), { code: 'ENOENT' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
