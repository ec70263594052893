import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrammar, DEFAULT_GRAMMAR } from './grammar.js';
import { formatName } from './format-name.js';
import { parseName, parseNameOrThrow, specificationOf } from './parse-name.js';

const EXAMPLE = 'p-cat001_s-spec001_d-running-cat_v001_c0000-0005_f0003.png';

test("parses the seed's example into its metadata, with x/y/z columns", () => {
  const parsed = parseNameOrThrow(EXAMPLE);
  assert.deepEqual(parsed.metadata, {
    project: 'cat001',
    specification: 'spec001',
    descriptor: 'running-cat',
    version: 1,
    coordinate: [0, 5],
    coordinate_x: 0,
    coordinate_y: 5,
    frame: 3,
    extension: 'png',
  });
  assert.deepEqual(parsed.fields, [
    'project',
    'specification',
    'descriptor',
    'version',
    'coordinate',
    'frame',
    'extension',
  ]);
  assert.equal(parsed.grammarVersion, 'hidebound-1');
});

test('format and parse round-trip', () => {
  const names = [
    EXAMPLE,
    'p-cat001_s-spec001_d-x_v999',
    'p-abcd1234_s-abc123_d-a-b-c_v010_c0001-0002-0003_f9999.EXR',
    's-spec001_d-0start_f0000.tif',
  ];
  for (const name of names) {
    const parsed = parseNameOrThrow(name);
    assert.equal(formatName(parsed.metadata, parsed.fields), name);
  }
  assert.equal(
    formatName({
      project: 'cat001',
      specification: 'spec001',
      descriptor: 'a',
      version: 7,
      coordinate: [1, 2],
      frame: 12,
      extension: 'png',
    }),
    'p-cat001_s-spec001_d-a_v007_c0001-0002_f0012.png',
  );
  assert.throws(() => formatName({ specification: 'spec001', version: 0 }), { code: 'E_INVALID_NAME' });
});

test('the specification is found by parsing fields, not by searching for s-', () => {
  assert.equal(specificationOf('p-cat001_d-xs-abc123_s-spec001_v001.png'), 'spec001');
  assert.equal(parseName('d-xs-abc123_s-spec001').metadata.descriptor, 'xs-abc123');
  // A bad descriptor still routes to the specification; the descriptor is the violation.
  const bad = parseName('p-cat001_s-spec001_d-final-cut_v001.png');
  assert.equal(bad.metadata.specification, 'spec001');
  assert.deepEqual(
    bad.violations.map((v) => [v.field, v.offset]),
    [['descriptor', 21]],
  );
});

test('each violation names field, offset, expected and found; one per field', () => {
  const cases: [string, [string, number, string][]][] = [
    ['p-ca001_s-spec001', [['project', 4, '0']]],
    ['p-cat00001_s-spec001', [['project', 9, '1']]],
    ['p-cat001_s-spec01', [['specification', 17, '']]],
    ['p-cat001_s-spec001_v000', [['version', 20, '000']]],
    ['p-cat001_s-spec001_v01', [['version', 22, '']]],
    ['p-cat001_s-spec001_c0001-0002-0003-0004', [['coordinate', 34, '-0004']]],
    ['p-cat001_s-spec001_c001', [['coordinate', 23, '']]],
    ['p-cat001_s-spec001_f00001', [['frame', 24, '1']]],
    ['p-cat001_s-spec001_d-Cat', [['descriptor', 21, 'C']]],
    ['p-cat001_s-spec001_d--cat', [['descriptor', 21, '-']]],
    ['p-cat001_s-spec001_d-cat-', [['descriptor', 24, '-']]],
    ['p-cat001_s-spec001.p_g', [['extension', 20, '_']]],
    [' p-cat001_s-spec001', [['name', 0, ' p']]],
    ['p-cat001_s-spec001 ', [['specification', 18, ' ']]],
    ['p-cat001__s-spec001', [['name', 9, '_']]],
    ['p-cat001_x-foo_s-spec001', [['name', 9, 'x-']]],
    ['p-cat001_d-cat', [['specification', 0, '']]],
    ['p-cat001_s-spec001_p-dog001', [['project', 19, 'p-dog001']]],
  ];
  for (const [name, expected] of cases) {
    const got = parseName(name).violations.map((v) => [v.field, v.offset, v.found]);
    assert.deepEqual(got, expected, name);
    for (const v of parseName(name).violations)
      assert.match(v.message, new RegExp(`^${v.field} at offset ${v.offset}: expected `));
  }
  const many = parseName('p-c1_s-sp1_v000_f1.PNG ');
  assert.deepEqual(
    many.violations.map((v) => v.field),
    ['project', 'specification', 'version', 'frame', 'extension'],
  );
  assert.throws(() => parseNameOrThrow('p-c1_s-spec001'), { code: 'E_INVALID_NAME' });
});

test('a config widens a rule without code changes, under its own grammar version', () => {
  assert.equal(parseName('p-cattle001_s-spec001').violations.length, 1);
  const wide = createGrammar({
    grammarVersion: 'wide-projects-1',
    project: { letters: { min: 3, max: 10 } },
  });
  const parsed = parseName('p-cattle001_s-spec001', wide);
  assert.deepEqual(parsed.violations, []);
  assert.equal(parsed.metadata.project, 'cattle001');
  assert.equal(parsed.grammarVersion, 'wide-projects-1');
  assert.equal(DEFAULT_GRAMMAR.project.letters.max, 4);
  assert.throws(() => createGrammar({ grammarVersion: 'hidebound-1' }), { code: 'E_CONFIG' });
  assert.throws(() => createGrammar({ grammarVersion: 'x', project: { letters: { min: 5, max: 2 } } }), {
    code: 'E_CONFIG',
  });
  assert.throws(() => createGrammar({ grammarVersion: 'x', nonsense: {} } as never), { code: 'E_CONFIG' });
});

test('field order: exactly the given fields, or any canonical subset with a specification', async () => {
  const { checkFieldOrder } = await import('./field-order.js');
  const check = (name: string, fields?: string[]) =>
    checkFieldOrder(name, parseName(name), fields as never)?.field ?? 'ok';
  assert.equal(check(EXAMPLE), 'ok');
  assert.equal(check('s-spec001_p-cat001'), 'project');
  assert.equal(
    check('p-cat001_s-spec001_d-x.png', ['project', 'specification', 'descriptor', 'extension']),
    'ok',
  );
  assert.equal(
    check('p-cat001_s-spec001.png', ['project', 'specification', 'descriptor', 'extension']),
    'extension',
  );
  assert.equal(
    check('p-cat001_s-spec001_d-x', ['project', 'specification', 'descriptor', 'extension']),
    'name',
  );
});
