import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempFolder, SPEC_MODULE } from '../traits/test-fixture.js';
import { createGrammar } from '../naming/grammar.js';
import { loadSpecifications } from './load-specifications.js';

async function withModules<T>(
  modules: Record<string, string>,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = tempFolder('strata-specs-');
  try {
    for (const [name, source] of Object.entries(modules)) writeFileSync(path.join(dir, name), source);
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SIMPLE = (name: string, extra = '') =>
  `{ name: '${name}', assetType: 'file', filenameFields: ['specification', 'extension'], assetNameFields: ['specification']${extra} }`;

test('loads default and named exports, lists and factories given the validator kit', async () => {
  await withModules(
    { 'a.mjs': SPEC_MODULE, 'b.js': `export const one = ${SIMPLE('one001')};\nexport default one;` },
    async (dir) => {
      const set = await loadSpecifications(['a.mjs', 'b.js'], dir);
      assert.deepEqual([...set.byName.keys()].sort(), ['cpx001', 'fil001', 'one001', 'seq001']);
      assert.equal(set.byName.get('seq001')!.modulePath, path.join(dir, 'a.mjs'));
      assert.equal(typeof set.byName.get('seq001')!.spec.fieldValidators!.version![0], 'function');
      const again = await loadSpecifications(['a.mjs', 'b.js'], dir);
      assert.equal(again.fingerprint, set.fingerprint);
    },
  );
});

test('bad modules are ConfigErrors naming the file and the problem', async () => {
  const cases: [string, string, RegExp][] = [
    ['syntax.mjs', 'export default {', /syntax\.mjs does not load/],
    ['throws.mjs', "throw new Error('kaput');", /throws\.mjs does not load: kaput/],
    ['empty.mjs', 'export const x = 1;', /empty\.mjs exports no specification/],
    ['name.mjs', `export default ${SIMPLE('Spec1')};`, /name\.mjs.*name: must be a specification token/],
    [
      'key.mjs',
      `export default ${SIMPLE('abc123', ', colour: 1')};`,
      /key\.mjs.*'abc123'.*colour: unknown key/,
    ],
    [
      'type.mjs',
      `export default ${SIMPLE('abc123').replace("'file'", "'folder'")};`,
      /assetType: must be one of/,
    ],
    [
      'cpx.mjs',
      `export default ${SIMPLE('abc123').replace("'file'", "'complex'")};`,
      /findAssetRoot: a complex specification needs a function/,
    ],
    [
      'fields.mjs',
      `export default ${SIMPLE('abc123').replace("['specification']", "['descriptor']")};`,
      /assetNameFields: 'descriptor' is not among the filenameFields/,
    ],
    [
      'trait.mjs',
      `export default ${SIMPLE('abc123', ", fileTraits: { w: 'widht' }")};`,
      /fileTraits\.w: must be a function or one of width/,
    ],
    [
      'validator.mjs',
      `export default ${SIMPLE('abc123', ', fieldValidators: { version: [1] }')};`,
      /fieldValidators\.version: must be a list of validator functions/,
    ],
    [
      'factory.mjs',
      'export default () => 42;',
      /factory\.mjs: export 'default' gives something that is not a specification/,
    ],
    [
      'dup.mjs',
      `export const a = ${SIMPLE('abc123')};\nexport const b = ${SIMPLE('abc123')};`,
      /'abc123' is defined twice/,
    ],
  ];
  for (const [file, source, message] of cases) {
    await withModules({ [file]: source }, async (dir) => {
      await assert.rejects(loadSpecifications([file], dir), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'E_CONFIG', file);
        assert.match(err.message, message, file);
        return true;
      });
    });
  }
});

test("paths: '..' refused, missing file named, TypeScript must be compiled first", async () => {
  await withModules({}, async (dir) => {
    await assert.rejects(loadSpecifications(['../x.mjs'], dir), /must not contain '\.\.'/);
    await assert.rejects(loadSpecifications(['missing.mjs'], dir), /missing\.mjs does not load/);
    await assert.rejects(loadSpecifications(['spec.ts'], dir), /TypeScript; compile it to \.js first/);
    await assert.rejects(loadSpecifications(['spec.py'], dir), /must be a \.js or \.mjs module/);
  });
});

test("a specification's name follows the config's grammar", async () => {
  await withModules({ 'wide.mjs': `export default ${SIMPLE('abcdef123')};` }, async (dir) => {
    await assert.rejects(loadSpecifications(['wide.mjs'], dir), { code: 'E_CONFIG' });
    const grammar = createGrammar({
      grammarVersion: 'wide-1',
      specification: { letters: { min: 3, max: 8 } },
    });
    const set = await loadSpecifications(['wide.mjs'], dir, grammar);
    assert.ok(set.byName.has('abcdef123'));
  });
});
