import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createProgram } from '../main.js';
import { describeCommand } from '../reference/command-tree.js';
import { installedBin, tempDir } from './project.js';

const hasShell = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const TOP_LEVEL = describeCommand(createProgram()).subcommands.map((c) => c.path.at(-1)!);

for (const shell of ['bash', 'zsh', 'fish']) {
  const available = hasShell(shell);
  test(
    `strata completion ${shell} prints a script that parses and names every command`,
    { skip: available ? false : `${shell} is not installed here, so its syntax check cannot run` },
    () => {
      const r = spawnSync(process.execPath, [installedBin(), 'completion', shell], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      // fish names long options as `-l role`, the others as `--role`.
      const long = (o: string) => (shell === 'fish' ? `-l ${o}` : `--${o}`);
      for (const name of [...TOP_LEVEL, 'add', 'import', long('role'), long('message')]) {
        assert.ok(r.stdout.includes(name), `the ${shell} script names '${name}'`);
      }
      const file = join(tempDir('completion'), `strata.${shell}`);
      writeFileSync(file, r.stdout);
      const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${shell} -n: ${check.stderr}`);
    },
  );
}

test(
  'bash completion offers subcommands and options of the command being typed',
  { skip: !hasShell('bash') },
  () => {
    const script = spawnSync(process.execPath, [installedBin(), 'completion', 'bash'], {
      encoding: 'utf8',
    }).stdout;
    const complete = (line: string) => {
      const words = line.split(' ');
      const r = spawnSync(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _strata_complete; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim().split(/\s+/);
    };
    assert.deepEqual(complete('strata resource a'), ['add']);
    assert.ok(complete('strata resource add --r').includes('--role'));
    assert.ok(complete('strata snapshot --').includes('--message'), 'an alias completes like its command');
    assert.ok(complete('strata co').includes('column'));
  },
);

test('strata completion refuses an unknown shell with exit 1 and the known ones', () => {
  const r = spawnSync(process.execPath, [installedBin(), 'completion', 'tcsh'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bash, zsh, fish/);
});
