import { after, before } from 'node:test';
import { runObjectStoreConformance } from '../object-store-conformance.js';
import { S3TestBed } from './test-support/s3-test-store.js';

let bed: S3TestBed;
before(async () => {
  bed = await S3TestBed.start();
});
after(() => bed.stop());

for (const cache of [true, false]) {
  runObjectStoreConformance(cache ? 's3 (with read cache)' : 's3 (no cache)', async () => {
    const t = await bed.createStore({ cache });
    return { store: t.store, corrupt: (id) => bed.corrupt(t, id), cleanup: () => t.cleanup() };
  });
}
