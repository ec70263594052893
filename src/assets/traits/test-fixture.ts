/**
 * Builds small ingress trees and specification modules for the asset tests (no test runner here,
 * so it may live beside the code). Every tree is made in a fresh temp folder the caller removes.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharpModule from 'sharp';

/** A PNG of the given size made once per process and reused. */
const pngs = new Map<string, Promise<Buffer>>();
export function tinyPng(width = 4, height = 3, channels: 3 | 4 = 3): Promise<Buffer> {
  const key = `${width}x${height}x${channels}`;
  let png = pngs.get(key);
  if (!png) {
    png = sharpModule({ create: { width, height, channels, background: '#204080' } })
      .png()
      .toBuffer();
    pngs.set(key, png);
  }
  return png;
}

/** A fresh temp folder. */
export function tempFolder(prefix = 'strata-assets-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export function writeTree(root: string, files: Readonly<Record<string, string | Buffer>>): void {
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(root, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/**
 * A specification module with a sequence spec `seq001` (PNG frames with width/height/channels
 * traits), a file spec `fil001`, and a complex spec `cpx001` whose root is the folder two levels
 * under the ingress root. Asset checks count their calls in `globalThis.__assetChecks`.
 */
export const SPEC_MODULE = `
export default ({ validators: v }) => [
  {
    name: 'seq001',
    assetType: 'sequence',
    filenameFields: ['project', 'specification', 'descriptor', 'version', 'frame', 'extension'],
    assetNameFields: ['project', 'specification', 'descriptor', 'version'],
    fileTraits: { width: 'width', height: 'height', channels: 'channels', bit_depth: 'bit_depth' },
    fieldValidators: { version: [v.isVersion], frame: [v.isFrame], extension: [v.eq('png')] },
    assetValidators: { frame: [v.framesNotMissing], width: [v.homogeneous] },
    assetChecks: [(asset) => { globalThis.__assetChecks = (globalThis.__assetChecks ?? 0) + 1; return undefined; }],
  },
  {
    name: 'fil001',
    assetType: 'file',
    filenameFields: ['project', 'specification', 'descriptor', 'version', 'extension'],
    assetNameFields: ['project', 'specification', 'descriptor', 'version'],
    fieldValidators: { extension: [v.oneOf(['txt', 'json'])] },
  },
];
export const complex = {
  name: 'cpx001',
  assetType: 'complex',
  filenameFields: ['project', 'specification', 'descriptor', 'version', 'extension'],
  assetNameFields: ['project', 'specification'],
  findAssetRoot: (p) => p.split('/').slice(0, 2).join('/'),
  fileTraits: { lines: (f) => { if (f.fields.descriptor === 'boom') throw new Error('cannot count'); return f.size; } },
};
`;

/** Writes SPEC_MODULE (or `source`) to `<root>/specs.mjs` and a config naming it; returns the config path. */
export function writeConfig(root: string, extra = '', source = SPEC_MODULE): string {
  writeFileSync(path.join(root, 'specs.mjs'), source);
  const config = path.join(root, 'strata-assets.yaml');
  writeFileSync(
    config,
    `ingress_directory: ingress\nstaging_directory: staging\nspecification_files: [specs.mjs]\n${extra}`,
  );
  return config;
}

/** The name of frame `f` of a seq001 asset. */
export const frameName = (descriptor: string, f: number, ext = 'png') =>
  `p-cat001_s-seq001_d-${descriptor}_v001_f${String(f).padStart(4, '0')}.${ext}`;
/** The folder of a seq001 asset. */
export const sequenceFolder = (descriptor: string) => `p-cat001_s-seq001_d-${descriptor}_v001`;
