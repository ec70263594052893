import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { addResource } from '../resources/resources.js';
import { openSqliteCatalog } from '../../catalog/sqlite/sqlite-catalog.js';
import { FsObjectStore } from '../../store/fs/fs-object-store.js';
import { DEFAULT_CONFIG } from '../repository-config.js';
import { Repository, STRATA_DIR } from '../repository.js';
import { writeFileDurable } from '../../util/durable-fs.js';

/**
 * An embedded repository in `root`, built the way `initRepository` (src/backends/) builds one:
 * tests of this layer may not import the composition root, which sits above it.
 */
async function initEmbeddedRepository(root: string): Promise<Repository> {
  const strataDir = join(root, STRATA_DIR);
  mkdirSync(join(strataDir, 'objects'), { recursive: true });
  const catalog = await openSqliteCatalog({ path: join(strataDir, 'catalog.db'), create: true });
  const store = new FsObjectStore({ dir: join(strataDir, 'objects'), index: catalog.packIndex });
  await catalog.setSymbolicRef('HEAD', { symbolic: 'refs/heads/main' });
  writeFileDurable(join(strataDir, 'config.json'), JSON.stringify(DEFAULT_CONFIG, null, 2) + '\n');
  return new Repository(root, DEFAULT_CONFIG, catalog, store);
}

/** A fresh repository in a temp folder with a `data` (source-data) resource; `done()` removes it. */
export async function createTempRepo(roles: Record<string, string> = { data: 'source-data' }): Promise<{
  repo: Repository;
  root: string;
  write(path: string, content: string | Buffer): void;
  done(): Promise<void>;
}> {
  const root = mkdtempSync(join(tmpdir(), 'strata-test-'));
  const repo = await initEmbeddedRepository(root);
  for (const [path, role] of Object.entries(roles))
    await addResource(repo, { path, role, cwd: root, create: true });
  return {
    repo,
    root,
    write(path, content) {
      const abs = join(root, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    },
    async done() {
      await repo.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
