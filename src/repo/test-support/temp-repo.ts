import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { addResource } from '../resources/resources.js';
import { initRepository, type Repository } from '../repository.js';

/** A fresh repository in a temp folder with a `data` (source-data) resource; `done()` removes it. */
export async function createTempRepo(roles: Record<string, string> = { data: 'source-data' }): Promise<{
  repo: Repository;
  root: string;
  write(path: string, content: string | Buffer): void;
  done(): Promise<void>;
}> {
  const root = mkdtempSync(join(tmpdir(), 'strata-test-'));
  const repo = await initRepository(root);
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
