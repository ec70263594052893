import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, tempDir } from './project.js';

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  [key: string]: unknown;
}

/**
 * The documented way to use Strata from another project: `npm pack` here, `npm install` of the
 * tarball there. Offline, as the test must stay: the consumer gets a lockfile made from this
 * project's (so npm needs no registry metadata, only the tarballs already in the npm cache), and
 * the native SQLite driver built here is reused instead of compiled again.
 */
test(
  'the tarball npm pack makes installs offline into another project, and `strata` imports there',
  { timeout: 240_000 },
  () => {
    const packDir = tempDir('pack');
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir, '--json'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename;

    const consumer = tempDir('consumer');
    copyFileSync(join(packDir, tarball), join(consumer, tarball));
    const own = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    const root = {
      name: 'consumer',
      version: '1.0.0',
      type: 'module',
      dependencies: { strata: `file:${tarball}` },
    };
    const packages: Record<string, unknown> = {
      '': root,
      'node_modules/strata': {
        version: own.version,
        resolved: `file:${tarball}`,
        dependencies: own.dependencies,
        bin: own.bin,
        engines: own.engines,
      },
    };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path.startsWith('node_modules/') || entry.dev) continue;
      const { devOptional, ...rest } = entry;
      packages[path] = devOptional ? { ...rest, optional: true } : rest;
    }
    writeFileSync(join(consumer, 'package.json'), JSON.stringify(root, null, 2));
    writeFileSync(
      join(consumer, 'package-lock.json'),
      JSON.stringify(
        { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages },
        null,
        2,
      ),
    );
    const install = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: consumer,
      encoding: 'utf8',
    });
    assert.equal(install.status, 0, `npm ci --offline: ${install.stderr}`);
    symlinkSync(
      join(PROJECT_ROOT, 'node_modules/better-sqlite3/build'),
      join(consumer, 'node_modules/better-sqlite3/build'),
    );

    const use = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const s = await import('strata'); const repo = await s.initRepository('repo'); await repo.close(); console.log(typeof s.openCheckout);",
      ],
      { cwd: consumer, encoding: 'utf8' },
    );
    assert.equal(use.status, 0, use.stderr);
    assert.equal(use.stdout.trim(), 'function');
    const cli = spawnSync(join(consumer, 'node_modules/.bin/strata'), ['status'], {
      cwd: join(consumer, 'repo'),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /On branch main/);
  },
);
