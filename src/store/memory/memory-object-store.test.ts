import { runObjectStoreConformance } from '../object-store-conformance.js';
import { MemoryObjectStore } from './memory-object-store.js';

runObjectStoreConformance('memory', async () => {
  const store = new MemoryObjectStore();
  return {
    store,
    corrupt: async (id) => store.corruptForTest(id),
    cleanup: () => store.close(),
  };
});
