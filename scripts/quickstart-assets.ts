/**
 * The asset-ingest part of the quickstart tour: a small ingress tree with valid and invalid
 * assets, a config and a specification module, then `strata assets workflow` (delete, update,
 * create, export), the errors (`assets search`) and the committed staging (`log`, `show`).
 * Called by scripts/quickstart.ts with its demo folder and its `strata` and `note` helpers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Frames of a sequence asset of spec `seq001` (text frames: no image library needed). */
const frameName = (descriptor: string, frame: number) =>
  `p-cat001_s-seq001_d-${descriptor}_v001_f${String(frame).padStart(4, '0')}.txt`;
const sequenceFolder = (descriptor: string) => `p-cat001_s-seq001_d-${descriptor}_v001`;

const SPECIFICATIONS = `// Asset specifications for the quickstart: a sequence of text frames, and single JSON files.
export default ({ validators: v }) => [
  {
    name: 'seq001',
    assetType: 'sequence',
    filenameFields: ['project', 'specification', 'descriptor', 'version', 'frame', 'extension'],
    assetNameFields: ['project', 'specification', 'descriptor', 'version'],
    fieldValidators: { extension: [v.eq('txt')] },
    assetValidators: { frame: [v.framesNotMissing] },
  },
  {
    name: 'fil001',
    assetType: 'file',
    filenameFields: ['project', 'specification', 'descriptor', 'version', 'extension'],
    assetNameFields: ['project', 'specification', 'descriptor', 'version'],
    fieldValidators: { extension: [v.eq('json')] },
  },
];
`;

function write(demo: string, path: string, text: string): void {
  mkdirSync(dirname(join(demo, path)), { recursive: true });
  writeFileSync(join(demo, path), text);
}

/** Two valid sequences, one with a missing frame, one badly named file, one valid file asset. */
function generateIngress(demo: string): void {
  for (const descriptor of ['running-cat', 'jumping-cat']) {
    for (let f = 1; f <= 4; f++) {
      write(
        demo,
        `ingress/cat001/${sequenceFolder(descriptor)}/${frameName(descriptor, f)}`,
        `${descriptor} ${f}\n`,
      );
    }
  }
  for (const f of [1, 2, 4]) {
    write(
      demo,
      `ingress/cat001/${sequenceFolder('sleeping-cat')}/${frameName('sleeping-cat', f)}`,
      `zzz ${f}\n`,
    );
  }
  write(demo, 'ingress/cat001/p-cat001_s-fil001_d-labels_v001.json', '{"labels": ["cat"]}\n');
  write(demo, 'ingress/cat001/p-cat001_s-fil001_d-Labels_v002.json', '{"labels": ["CAT"]}\n');
}

/** Runs the asset-ingest tour inside the demo repository. */
export function assetsTour(
  demo: string,
  strata: (...args: string[]) => string,
  note: (text: string) => void,
): void {
  note(
    'Asset ingest: an ingress folder of files named by the convention, specifications that say what a\n' +
      '# valid asset is, and a workflow that validates, stages (copy), commits and exports them.',
  );
  generateIngress(demo);
  write(demo, 'asset-specs.mjs', SPECIFICATIONS);
  write(
    demo,
    'strata-assets.yaml',
    [
      'ingress_directory: ingress',
      'staging_directory: staged-assets',
      'specification_files: [asset-specs.mjs]',
      'write_mode: copy',
      'workflow: [delete, update, create, export]',
      'exporters:',
      '  - name: disk',
      '    target_directory: asset-archive',
      '    metadata_types: [asset, file, asset-chunk]',
      '',
    ].join('\n'),
  );
  note(
    'The workflow: delete the old staging, update the tables, stage and commit the valid assets, export them.',
  );
  strata('assets', 'workflow');
  note('What is wrong with the invalid assets: a missing frame, and a descriptor with a capital letter.');
  strata(
    'assets',
    'search',
    'SELECT filename, file_error, asset_error FROM data WHERE NOT asset_valid ORDER BY filename',
  );
  note("The staging is a commit of the resource 'staged-assets' (role assets): every staging is versioned.");
  strata('log', '-n', '2');
  strata('show', 'HEAD');
  note('Staging again with nothing changed makes no new commit.');
  strata('assets', 'create');
}
