import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDType, dtypeFromNumpy, numpyDescr, viewAs, DTYPES } from './dtype.js';
import { checkShapeSpec, parseShape, shapeMismatch } from './shape.js';
import { encodeNpyHeader, parseNpyHeader } from './formats/npy.js';
import { parseIdxHeader } from './formats/idx.js';
import { parsePyLiteral } from './formats/py-literal.js';

test('dtypes map to numpy descr and back', () => {
  for (const d of DTYPES) assert.equal(dtypeFromNumpy(numpyDescr(d)).dtype, d);
  assert.deepEqual(dtypeFromNumpy('>i4'), { dtype: 'int32', bigEndian: true });
  assert.deepEqual(dtypeFromNumpy('=f8'), { dtype: 'float64', bigEndian: false });
  assert.throws(() => dtypeFromNumpy('<c16'), { code: 'E_INVALID_ARGUMENT' });
  assert.throws(() => checkDType('float128'), { code: 'E_INVALID_ARGUMENT' });
  assert.deepEqual([...viewAs('int16', new Uint8Array([1, 0, 255, 255]))], [1, -1]);
});

test('shapes: parse, limits, fixed and variable schemas', () => {
  assert.deepEqual(parseShape('28,28'), [28, 28]);
  assert.deepEqual(parseShape('(3, 4)'), [3, 4]);
  assert.deepEqual(parseShape('()'), []);
  assert.throws(() => parseShape('3,x'), { code: 'E_INVALID_ARGUMENT' });
  assert.throws(() => checkShapeSpec(new Array(32).fill(1)), { code: 'E_INVALID_ARGUMENT' });
  assert.equal(shapeMismatch({ shape: [28, 28], variable: false }, [28, 28]), undefined);
  assert.match(shapeMismatch({ shape: [28, 28], variable: false }, [28, 27])!, /\[28, 28\] is expected/);
  assert.match(shapeMismatch({ shape: [28, 28], variable: false }, [784])!, /rank 1/);
  assert.equal(shapeMismatch({ shape: [10, 10], variable: true }, [3, 10]), undefined);
  assert.match(shapeMismatch({ shape: [10, 10], variable: true }, [11, 1])!, /exceeds the max shape/);
});

test('npy headers: written as numpy does, read back, lies and truncation refused', () => {
  const header = encodeNpyHeader('float32', [3, 4]);
  assert.equal(header.length % 64, 0);
  assert.match(header.toString('latin1'), /\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 4\), \}/);
  const parsed = parseNpyHeader(header, header.length + 48, 'x.npy');
  assert.deepEqual(parsed, {
    dtype: 'float32',
    bigEndian: false,
    shape: [3, 4],
    dataOffset: header.length,
    dataLength: 48,
  });
  const small = encodeNpyHeader('uint8', [5]);
  assert.match(small.toString('latin1'), /'shape': \(5,\)/);
  assert.deepEqual(parseNpyHeader(small, small.length + 5).shape, [5]);
  assert.throws(() => parseNpyHeader(header, header.length + 47, 'x.npy'), /truncated/);
  assert.throws(() => parseNpyHeader(header, header.length + 49, 'x.npy'), /header says 48 bytes/);
  assert.throws(() => parseNpyHeader(Buffer.from('hello world'), 11), { code: 'E_INVALID_ARGUMENT' });
  const fortran = Buffer.from(header.toString('latin1').replace('False', 'True '), 'latin1');
  assert.throws(() => parseNpyHeader(fortran, fortran.length + 48), /Fortran/);
  const broken = Buffer.from(header.toString('latin1').replace("'shape'", "'shap' "), 'latin1');
  assert.throws(() => parseNpyHeader(broken, broken.length + 48), /shape/);
  assert.throws(() => parseNpyHeader(header.subarray(0, 20), 1000), /truncated/);
});

test('IDX headers (MNIST): shapes, types, and a lying size', () => {
  const head = Buffer.alloc(16);
  head.set([0, 0, 0x08, 3]);
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(28, 8);
  head.writeUInt32BE(28, 12);
  assert.deepEqual(parseIdxHeader(head, 16 + 2 * 784), {
    dtype: 'uint8',
    shape: [2, 28, 28],
    dataOffset: 16,
    dataLength: 1568,
  });
  assert.throws(() => parseIdxHeader(head, 16 + 1567), /header says shape \[2, 28, 28\]/);
  assert.throws(() => parseIdxHeader(Buffer.from([1, 0, 8, 1]), 10), /magic/);
  assert.throws(() => parseIdxHeader(Buffer.from([0, 0, 7, 1, 0, 0, 0, 1]), 9), /type code/);
});

test('the Python literal subset of npy headers', () => {
  assert.deepEqual(parsePyLiteral("{'a': (1, 2,), \"b\": [True, False, None], 'c': -3}"), {
    a: [1, 2],
    b: [true, false, null],
    c: -3,
  });
  assert.throws(() => parsePyLiteral('{a: 1}'), SyntaxError);
  assert.throws(() => parsePyLiteral("{'a': 1} x"), SyntaxError);
});
