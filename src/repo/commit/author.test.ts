import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCommit, encodeCommit } from '../objects/commit-object.js';
import { writeLocalParam } from '../local-params.js';
import { osUserName } from '../repository.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { authorFields, parseAuthor, resolveAuthor } from './author.js';
import { commit } from './create-commit.js';
import { readCommit } from '../objects/read-objects.js';

test('issue 10 point 4: the author comes from STRATA_AUTHOR, else user.name and user.email, else the system user', async () => {
  const t = await createTempRepo();
  try {
    const env = {} as NodeJS.ProcessEnv;
    assert.deepEqual(await resolveAuthor(t.repo, env), { name: osUserName(), email: null });
    await writeLocalParam(t.repo, 'user.name', 'Ada Lovelace');
    await writeLocalParam(t.repo, 'user.email', 'ada@example.org');
    assert.deepEqual(await resolveAuthor(t.repo, env), { name: 'Ada Lovelace', email: 'ada@example.org' });
    assert.deepEqual(await resolveAuthor(t.repo, { STRATA_AUTHOR: 'Bot <bot@ci.example>' }), {
      name: 'Bot',
      email: 'bot@ci.example',
    });
    // A bare name in the environment keeps the configured email.
    assert.deepEqual(await resolveAuthor(t.repo, { STRATA_AUTHOR: 'Bot' }), {
      name: 'Bot',
      email: 'ada@example.org',
    });
    await assert.rejects(resolveAuthor(t.repo, { STRATA_AUTHOR: '<a@b>' }), { code: 'E_INVALID_ARGUMENT' });
    assert.deepEqual(parseAuthor('  Jo  Doe <j@d.org> ', 'x'), { name: 'Jo  Doe', email: 'j@d.org' });
  } finally {
    await t.done();
  }
});

test('issue 10 point 4: commits record name and email; commits without email still read', async () => {
  const t = await createTempRepo();
  try {
    await writeLocalParam(t.repo, 'user.name', 'Ada Lovelace');
    await writeLocalParam(t.repo, 'user.email', 'ada@example.org');
    const saved = process.env.STRATA_AUTHOR;
    delete process.env.STRATA_AUTHOR;
    let id: string;
    try {
      t.write('data/a', 'a');
      id = (await commit(t.repo, { message: 'one' })).id;
    } finally {
      if (saved !== undefined) process.env.STRATA_AUTHOR = saved;
    }
    const c = await readCommit(t.repo, id);
    assert.equal(c.author, 'Ada Lovelace');
    assert.equal(c.authorEmail, 'ada@example.org');
    // An explicit author without email records none; older commits carry no field at all.
    assert.deepEqual(await authorFields(t.repo, { author: 'x' }), { author: 'x' });
    const old = { tree: 'f'.repeat(64), parents: [], message: 'm', author: 'old', time: 't', tags: [] };
    const decoded = decodeCommit(encodeCommit(old), 'id');
    assert.equal(decoded.author, 'old');
    assert.equal('authorEmail' in decoded, false);
  } finally {
    await t.done();
  }
});
