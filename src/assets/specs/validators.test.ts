import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import * as v from './validators.js';

test('field validators accept good values and explain bad ones', () => {
  assert.equal(v.isVersion(1), undefined);
  assert.match(v.isVersion(0)!, /between 1 and 999/);
  assert.match(v.isVersion(1000)!, /between 1 and 999/);
  assert.equal(v.isFrame(0), undefined);
  assert.match(v.isFrame(10000)!, /between 0 and 9999/);
  assert.equal(v.isCoordinate([0, 5]), undefined);
  assert.match(v.isCoordinate([1, 2, 3, 4])!, /1 to 3/);
  assert.equal(v.isProject('cat001'), undefined);
  assert.match(v.isProject('ca001')!, /3-4 lowercase letters/);
  assert.equal(v.isDescriptor('running-cat'), undefined);
  assert.match(v.isDescriptor('final-cut')!, /begins with 'final'/);
  assert.match(v.isDescriptor('a--b')!, /hyphens/);
  assert.equal(v.isLowercaseExtension('png'), undefined);
  assert.match(v.isLowercaseExtension('PNG')!, /lowercase/);
  assert.equal(v.eq(3)(3), undefined);
  assert.match(v.eq(3)(4)!, /not equal/);
  assert.equal(v.lt(3)(2), undefined);
  assert.match(v.lt(3)(3)!, /not less/);
  assert.equal(v.gt(3)(4), undefined);
  assert.match(v.lte(3)(4)!, /greater/);
  assert.match(v.gte(3)(2)!, /less/);
  assert.equal(v.oneOf(['png', 'exr'])('exr'), undefined);
  assert.match(v.oneOf(['png', 'exr'])('jpg')!, /not one of/);
  assert.equal(v.isFolder(tmpdir()), undefined);
  assert.match(v.isFile(tmpdir())!, /not a file/);
  assert.match(v.isFolder('/no/such/path')!, /not a folder/);
});

test('asset validators see all files of an asset at once', () => {
  assert.equal(v.homogeneous(['png', 'png']), undefined);
  assert.match(v.homogeneous(['png', 'exr'])!, /differ/);
  assert.equal(v.framesNotMissing([3, 1, 2]), undefined);
  assert.equal(v.framesNotMissing([1, 2, 5])!, 'frames missing: 3, 4');
  assert.equal(
    v.uniformCoordinateCount([
      [0, 0],
      [0, 1],
    ]),
    undefined,
  );
  assert.match(v.uniformCoordinateCount([[0], [0, 1]])!, /different numbers of axes/);
  assert.equal(
    v.denseCoordinates([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]),
    undefined,
  );
  assert.match(
    v.denseCoordinates([
      [0, 0],
      [2, 0],
    ])!,
    /axis x: missing 1/,
  );
  assert.equal(
    v.coordinatesBeginAt()([
      [0, 0],
      [1, 1],
    ]),
    undefined,
  );
  assert.match(
    v.coordinatesBeginAt()([
      [1, 0],
      [2, 0],
    ])!,
    /begin at \[1,0\]/,
  );
  assert.equal(
    v.coordinatesBeginAt([1, 1])([
      [1, 1],
      [2, 2],
    ]),
    undefined,
  );
});
