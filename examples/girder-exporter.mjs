// A custom exporter module for `strata assets export` (config: `name: module`). Strata has no
// Girder adapter and no Girder server runs here, so this one writes what a Girder upload would
// hold — one item per asset, under a collection folder, with the asset's metadata — into a
// folder. A real one would call Girder's REST API in `export` instead; nothing else changes.
//
// Used by examples/asset-export-custom.sh, which the tests run:
//   exporters:
//     - name: module
//       module: girder-exporter.mjs
//       options: { root: girder, collection: demo }
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export function createExporter(options) {
  const root = join(options.root, 'collection', options.collection ?? 'default');
  return {
    name: 'girder',
    // source: the staging (read-only); metadataTypes: what the config asked for.
    async export(source, { metadataTypes, onProgress }) {
      const assets = metadataTypes.includes('asset') ? await source.records('asset') : [];
      const files = source.contentFiles();
      let bytes = 0;
      for (const asset of assets) {
        const item = join(root, String(asset.asset_name));
        mkdirSync(item, { recursive: true });
        writeFileSync(
          join(item, 'item.json'),
          JSON.stringify({ name: asset.asset_name, meta: asset }, null, 2),
        );
        for (const file of files.filter((f) => f.path.includes(String(asset.asset_name)))) {
          copyFileSync(file.abs, join(item, basename(file.path)));
          bytes += 1;
        }
      }
      onProgress?.(assets.length, assets.length);
      return { files: files.length, bytes, metadata: assets.length };
    },
    async close() {},
  };
}
