import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeName, isUtf8Name, unescapeName } from './escape-name.js';

test('non-UTF-8 names: escaped losslessly, valid UTF-8 kept as it is', () => {
  const names = [
    Buffer.from('plain.txt'),
    Buffer.from('données-日本語-🙂'),
    Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x74]),
    Buffer.from([0xc3]), // truncated sequence
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate is not UTF-8
    Buffer.from([0xc0, 0xaf]), // overlong '/'
    Buffer.concat([Buffer.from('back\\slash'), Buffer.from([0x80]), Buffer.from('\\x41')]),
  ];
  for (const name of names) {
    const escaped = escapeName(name);
    assert.deepEqual(unescapeName(escaped), name, escaped);
    if (isUtf8Name(name) && !name.includes(0x5c)) assert.equal(escaped, name.toString('utf8'));
    if (!isUtf8Name(name)) assert.match(escaped, /\\x[0-9a-f]{2}/);
  }
  assert.equal(escapeName(Buffer.from([0x61, 0xff])), 'a\\xff');
  // A name that looks like an escape stays distinct from the escaped byte.
  assert.notEqual(escapeName(Buffer.from('a\\xff')), escapeName(Buffer.from([0x61, 0xff])));
});
