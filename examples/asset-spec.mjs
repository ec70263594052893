// An asset specification module for `strata assets update`: a sequence of text frames whose
// names follow the naming convention (docs/assets.md). It needs no import of Strata: the
// function receives the validators.
//
// Used by examples/asset-ingest.sh, which the tests run:
//   specification_files: [asset-spec.mjs]   (in strata-assets.yaml)
export default ({ validators: v }) => [
  {
    name: 'txt001', // the s- token of the names this specification validates
    assetType: 'sequence', // one folder of frames
    filenameFields: ['project', 'specification', 'descriptor', 'version', 'frame', 'extension'],
    assetNameFields: ['project', 'specification', 'descriptor', 'version'],
    fileTraits: { bytes: (file) => file.size },
    fieldValidators: { extension: [v.eq('txt')], version: [v.isVersion] },
    assetValidators: { frame: [v.framesNotMissing] },
    assetChecks: [(asset) => (asset.files.length > 100 ? 'more than 100 frames' : undefined)],
  },
];
