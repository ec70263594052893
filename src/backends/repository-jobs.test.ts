import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { DEFAULT_CONFIG, type RepositoryConfig } from '../repo/repository-config.js';
import { jobQueueLocation } from './repository-jobs.js';

const embedded = { strataDir: '/r/.strata', config: DEFAULT_CONFIG };
const shared = {
  strataDir: '/r/.strata',
  config: {
    ...DEFAULT_CONFIG,
    catalog: { type: 'postgres', url: 'postgres://strata:secret@db:5432/team', schema: 'team_a' },
  } as RepositoryConfig,
};

test('job tables: jobs.db beside an embedded catalog; the shared catalog, without its password', () => {
  const saved = process.env.STRATA_QUEUE;
  delete process.env.STRATA_QUEUE;
  try {
    assert.deepEqual(jobQueueLocation(embedded), { store: '/r/.strata/jobs.db', queue: 'local' });
    const location = jobQueueLocation(shared);
    assert.equal(location.store, 'postgres://strata@db:5432/team?schema=team_a');
    assert.doesNotMatch(location.store, /secret/);
  } finally {
    if (saved !== undefined) process.env.STRATA_QUEUE = saved;
  }
});

test('queue engine: --queue, then STRATA_QUEUE, then the config, then local', () => {
  const saved = process.env.STRATA_QUEUE;
  try {
    const configured = {
      ...embedded,
      config: { ...DEFAULT_CONFIG, jobs: 'redis://cfg:6379' } as RepositoryConfig,
    };
    delete process.env.STRATA_QUEUE;
    assert.equal(jobQueueLocation(configured).queue, 'redis://cfg:6379');
    process.env.STRATA_QUEUE = 'redis://env:6379';
    assert.equal(jobQueueLocation(configured).queue, 'redis://env:6379');
    assert.equal(jobQueueLocation(configured, { queue: 'local' }).queue, 'local');
    const broken = { ...embedded, config: { ...DEFAULT_CONFIG, jobs: 6379 } as unknown as RepositoryConfig };
    assert.throws(() => jobQueueLocation(broken), ConfigError);
  } finally {
    if (saved === undefined) delete process.env.STRATA_QUEUE;
    else process.env.STRATA_QUEUE = saved;
  }
});
