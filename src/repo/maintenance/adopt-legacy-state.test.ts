import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DETACHED_HEAD } from '../../catalog/catalog.js';
import { hashBytes } from '../../util/hash.js';
import { readLocalParams } from '../local-params.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { adoptLegacyWorkingFolderFiles } from './adopt-legacy-state.js';
import { readStagedSection, writeStagedSection } from './staged-roots.js';

type Temp = Awaited<ReturnType<typeof createTempRepo>>;

function legacy(t: Temp, path: string, content: string): void {
  const file = join(t.repo.strataDir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
}

const lineage = (step: string) =>
  JSON.stringify({ type: 'strata/current-lineage@1', steps: [{ name: step }] });

test('issue 12: the files older versions kept (stage/, lineage/, local-params.json) move into catalog rows of this working folder, once', async () => {
  const t = await createTempRepo({});
  try {
    const folder = await t.repo.catalog.workingFolderId();
    const long = 'ß'.repeat(100);
    await t.repo.catalog.updateRef(`refs/heads/${long}`, 'c'.repeat(64), null);
    legacy(t, 'stage/columns-main.json', '{"branch":"main","columns":{}}');
    legacy(t, `stage/columns-${encodeURIComponent('team/x')}.json`, '{"branch":"team/x","columns":{}}');
    legacy(t, `lineage/branches/${encodeURIComponent('team/x')}.json`, lineage('x'));
    legacy(t, `lineage/branches/%~${hashBytes(Buffer.from(long, 'utf8'))}.json`, lineage('long'));
    legacy(t, `lineage/branches/%~${'0'.repeat(64)}.json`, lineage('of a deleted branch'));
    legacy(t, 'lineage/detached.json', lineage('d'));
    // The one global lineage of still older versions goes to the branch HEAD follows.
    legacy(t, 'lineage/current.json', lineage('global'));
    legacy(t, 'local-params.json', JSON.stringify({ 'user.name': 'Ada', hostname: 'old-host' }));
    // A row written since (by this version) is never overwritten by a file.
    await t.repo.catalog.setLocalParam(folder, 'hostname', 'new-host');

    await adoptLegacyWorkingFolderFiles(t.repo);

    assert.equal(await readStagedSection(t.repo, 'main', 'columns'), '{"branch":"main","columns":{}}');
    assert.equal(await readStagedSection(t.repo, 'team/x', 'columns'), '{"branch":"team/x","columns":{}}');
    assert.equal(await t.repo.catalog.readLineage(folder, 'team/x'), lineage('x'));
    assert.equal(await t.repo.catalog.readLineage(folder, long), lineage('long'));
    assert.equal(await t.repo.catalog.readLineage(folder, DETACHED_HEAD), lineage('d'));
    assert.equal(await t.repo.catalog.readLineage(folder, 'main'), lineage('global'));
    assert.deepEqual(await readLocalParams(t.repo), { hostname: 'new-host', 'user.name': 'Ada' });
    for (const name of ['stage', 'lineage', 'local-params.json']) {
      assert.equal(existsSync(join(t.repo.strataDir, name)), false, `${name} is still there`);
      assert.ok(existsSync(join(t.repo.strataDir, `${name}.adopted`)), `${name} was not kept aside`);
    }

    // Adopted once: later changes are never undone by another open.
    await writeStagedSection(t.repo, 'main', 'columns', '{"newer":true}');
    await adoptLegacyWorkingFolderFiles(t.repo);
    assert.equal(await readStagedSection(t.repo, 'main', 'columns'), '{"newer":true}');
  } finally {
    await t.done();
  }
});

test('issue 12: files claimed by a process that stopped before importing them are imported by the next open', async () => {
  const t = await createTempRepo({});
  try {
    legacy(t, 'stage.adopting/columns-main.json', '{"branch":"main","columns":{}}');
    legacy(t, 'local-params.json.adopting', JSON.stringify({ 'user.email': 'ada@example.org' }));
    await adoptLegacyWorkingFolderFiles(t.repo);
    assert.equal(await readStagedSection(t.repo, 'main', 'columns'), '{"branch":"main","columns":{}}');
    assert.deepEqual(await readLocalParams(t.repo), { 'user.email': 'ada@example.org' });
    assert.equal(existsSync(join(t.repo.strataDir, 'stage.adopting')), false);
    assert.equal(existsSync(join(t.repo.strataDir, 'local-params.json.adopting')), false);
  } finally {
    await t.done();
  }
});

test('issue 12: a malformed local-params.json is a config error naming the file, and stays for the user to fix', async () => {
  const t = await createTempRepo({});
  try {
    legacy(t, 'local-params.json', '[1, 2]');
    await assert.rejects(adoptLegacyWorkingFolderFiles(t.repo), (err: unknown) => {
      const e = err as { code?: string; message?: string };
      assert.equal(e.code, 'E_CONFIG');
      assert.match(e.message ?? '', /local-params\.json/);
      return true;
    });
    assert.ok(existsSync(join(t.repo.strataDir, 'local-params.json.adopting')));
  } finally {
    await t.done();
  }
});
