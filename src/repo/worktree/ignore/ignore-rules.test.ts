import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIgnoreRules, type IgnoreMatcher } from './ignore-rules.js';

function withFolders(files: Record<string, string>, body: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'strata-ignore-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    mkdirSync(join(root, 'data'), { recursive: true });
    body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const check = (m: IgnoreMatcher, cases: Record<string, boolean>) => {
  for (const [path, want] of Object.entries(cases)) {
    const dir = path.endsWith('/');
    assert.equal(m.ignores(dir ? path.slice(0, -1) : path, dir), want, path);
  }
};

test('.strataignore defaults: OS, editor and Python litter, anywhere in a resource', () => {
  withFolders({}, (root) => {
    const m = loadIgnoreRules({ resourceRoot: join(root, 'data'), repoRoot: root, resourcePath: 'data' });
    check(m, {
      '.DS_Store': true,
      'a/b/.DS_Store': true,
      'Thumbs.db': true,
      'x/.notes.txt.swp': true,
      'src/m.pyc': true,
      '__pycache__/': true,
      'pkg/__pycache__/': true,
      'nb/.ipynb_checkpoints/': true,
      'train.csv': false,
      __pycache__: false, // a file of that name is not a folder
      'model.py': false,
    });
  });
});

test('.strataignore patterns: *, **, ?, leading /, trailing /, ! negation and comments', () => {
  withFolders(
    {
      'data/.strataignore': [
        '# a comment line',
        '*.tmp',
        'logs/',
        '/top.txt',
        'cache/**/blob',
        'img?.png',
        '!keep.tmp',
        '!m.pyc',
        '\\#literal',
      ].join('\n'),
    },
    (root) => {
      const m = loadIgnoreRules({ resourceRoot: join(root, 'data'), repoRoot: root, resourcePath: 'data' });
      check(m, {
        'a.tmp': true,
        'deep/b.tmp': true,
        'keep.tmp': false,
        'logs/': true,
        'x/logs/': true,
        logs: false,
        'top.txt': true,
        'sub/top.txt': false,
        'cache/blob': true,
        'cache/a/b/blob': true,
        'img1.png': true,
        'img12.png': false,
        'm.pyc': false, // a default taken back
        'n.pyc': true,
        '# a comment line': false,
        '#literal': true,
      });
    },
  );
});

test('.strataignore at the root applies to every resource; the resource file has the last word', () => {
  withFolders(
    {
      '.strataignore': '*.log\n/data/scratch/\n!important.bak\n*.bak\n',
      'data/.strataignore': '!keep.log\n',
      'other/.strataignore': '',
    },
    (root) => {
      const data = loadIgnoreRules({
        resourceRoot: join(root, 'data'),
        repoRoot: root,
        resourcePath: 'data',
      });
      check(data, {
        'run.log': true,
        'keep.log': false,
        'scratch/': true, // anchored at the repository root: /data/scratch/
        'sub/scratch/': false,
        'x.bak': true,
        'x.pyc': true,
      });
      const other = loadIgnoreRules({
        resourceRoot: join(root, 'other'),
        repoRoot: root,
        resourcePath: 'other',
      });
      check(other, { 'run.log': true, 'keep.log': true, 'scratch/': false });
      // A resource elsewhere on disk matches the root file relative to its own root.
      const external = loadIgnoreRules({ resourceRoot: join(root, 'other'), repoRoot: root });
      check(external, { 'run.log': true, 'a/b.log': true, 'y.pyc': true });
    },
  );
});

test('.strataignore pattern syntax: classes, escapes, ** forms and trailing spaces', () => {
  withFolders(
    {
      'data/.strataignore': [
        'run[0-9].csv',
        'tmp[!a]',
        '\\!bang',
        'a/**/z',
        '**/deep.bin',
        'out/**',
        'spaced\\ ',
        'trail.txt   ',
        '*.ckpt\r',
      ].join('\n'),
    },
    (root) => {
      const m = loadIgnoreRules({ resourceRoot: join(root, 'data'), repoRoot: root, resourcePath: 'data' });
      check(m, {
        'run1.csv': true,
        'runx.csv': false,
        tmpb: true,
        tmpa: false,
        '!bang': true,
        'a/z': true,
        'a/b/c/z': true,
        'b/a/z': false,
        'deep.bin': true,
        'x/y/deep.bin': true,
        'out/': false,
        'out/f': true,
        'out/s/f': true,
        'spaced ': true,
        'trail.txt': true,
        'model.ckpt': true,
        'weird\nname.ckpt': true,
      });
    },
  );
});
