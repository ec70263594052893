import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredAsset, StoredFile } from '../store/asset-store.js';
import { buildAssetGraph, checkGraphFormat, graphToDot } from './asset-graph.js';

const asset = (assetPath: string, valid: boolean): StoredAsset => ({
  assetId: assetPath,
  assetName: assetPath,
  assetPath,
  assetType: 'sequence',
  specification: 'seq001',
  valid,
  errors: [],
  fileIds: [],
  metadata: {},
});
const looseFile = (p: string) => ({ path: p, assetId: null }) as unknown as StoredFile;

test('the graph is the folder tree with assets valid or invalid and folders other', () => {
  const tree = buildAssetGraph(
    [looseFile('shots/notes.txt')],
    [asset('shots/p-cat001_s-seq001_d-a_v001', true), asset('shots/deep/p-cat001_s-seq001_d-b_v001', false)],
  );
  assert.deepEqual(tree, {
    name: '',
    path: '',
    kind: 'folder',
    status: 'other',
    children: [
      {
        name: 'shots',
        path: 'shots',
        kind: 'folder',
        status: 'other',
        children: [
          {
            name: 'deep',
            path: 'shots/deep',
            kind: 'folder',
            status: 'other',
            children: [
              {
                name: 'p-cat001_s-seq001_d-b_v001',
                path: 'shots/deep/p-cat001_s-seq001_d-b_v001',
                kind: 'asset',
                status: 'invalid',
                assetType: 'sequence',
                children: [],
              },
            ],
          },
          { name: 'notes.txt', path: 'shots/notes.txt', kind: 'file', status: 'invalid', children: [] },
          {
            name: 'p-cat001_s-seq001_d-a_v001',
            path: 'shots/p-cat001_s-seq001_d-a_v001',
            kind: 'asset',
            status: 'valid',
            assetType: 'sequence',
            children: [],
          },
        ],
      },
    ],
  });
  const dot = graphToDot(tree);
  assert.match(dot, /^digraph assets \{/);
  assert.match(dot, /"shots" -> "shots\/deep";/);
  assert.match(
    dot,
    /"shots\/p-cat001_s-seq001_d-a_v001" \[label="p-cat001_s-seq001_d-a_v001", fillcolor="#4caf50"/,
  );
  assert.match(dot, /"shots\/deep\/p-cat001_s-seq001_d-b_v001" \[[^\]]*fillcolor="#f44336"/);
  assert.equal(checkGraphFormat('dot'), 'dot');
  assert.throws(() => checkGraphFormat('svg'), { code: 'E_INVALID_ARGUMENT' });
});
