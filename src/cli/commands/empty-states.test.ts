import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RESOURCE_ROLES } from '../../api/index.js';
import { runCli } from '../test-support/run-cli.js';
import { RESOURCE_ROLES_HINT } from './resource-roles.js';

// Empty states that teach: a new user is told the next step instead of being left guessing.
const fresh = () => mkdtempSync(join(tmpdir(), 'strata-empty-'));

test('init prints the next step: how to register a folder, with the roles', () => {
  const r = runCli(fresh(), ['init']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Next: .*strata resource add \S+ --role source-data/);
  for (const role of RESOURCE_ROLES) assert.ok(r.stdout.includes(role), role);
});

test('init with --create-resources prints the next step: fill the folders and commit', () => {
  const r = runCli(fresh(), ['init', '--create-resources', 'code,results']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Next: .*code\/, results\/.*strata commit -m/);
});

test('status in a repository without resources says how to add one', () => {
  const dir = fresh();
  runCli(dir, ['init']);
  const empty = runCli(dir, ['status']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /No resources yet.*\n.*strata resource add DIR --role source-data/);
  mkdirSync(join(dir, 'data'));
  assert.equal(runCli(dir, ['resource', 'add', 'data', '--role', 'source-data']).code, 0);
  assert.doesNotMatch(runCli(dir, ['status']).stdout, /No resources yet/, 'the hint goes once there is one');
});

test('resource add without --role lists the roles (exit 1, E_INVALID_ARGUMENT data)', () => {
  const dir = fresh();
  runCli(dir, ['init']);
  mkdirSync(join(dir, 'data'));
  const r = runCli(dir, ['resource', 'add', 'data']);
  assert.equal(r.code, 1);
  for (const role of RESOURCE_ROLES) assert.ok(r.stderr.includes(role), `names the role ${role}`);
  assert.match(r.stderr, /strata resource add data --role source-data/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  assert.equal(runCli(dir, ['resource', 'list', '--json']).json<unknown[]>().length, 0, 'nothing added');
});

test('the roles shown in help texts are the library roles', () => {
  for (const role of RESOURCE_ROLES) assert.ok(RESOURCE_ROLES_HINT.includes(role), role);
});
