import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, binFolder, tempDir, userEnv } from './project.js';

test('examples/asset-export-custom.sh: a custom exporter module plugs into the exporter port (Girder-style)', () => {
  const dir = join(tempDir('example'), 'repo');
  const r = spawnSync('sh', [join('examples', 'asset-export-custom.sh'), dir], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: userEnv(binFolder()),
  });
  assert.equal(r.status, 0, r.stderr);
  const item = join(dir, 'girder/collection/demo/p-demo1_s-txt001_d-walk_v001');
  const meta = JSON.parse(readFileSync(join(item, 'item.json'), 'utf8')) as { name: string };
  assert.equal(meta.name, 'p-demo1_s-txt001_d-walk_v001');
  assert.equal(
    readFileSync(join(item, 'p-demo1_s-txt001_d-walk_v001_f0002.txt'), 'utf8'),
    'walk frame 0002\n',
  );
  assert.match(r.stdout, /"name": "girder"/);
});
