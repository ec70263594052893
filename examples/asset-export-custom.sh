#!/bin/sh
# Asset export through a custom exporter module (examples/girder-exporter.mjs): update, create,
# then export the staged asset as a Girder upload would hold it; every step prints JSON.
#
#   sh examples/asset-export-custom.sh DIR     (DIR: an empty folder; strata on PATH)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" && cd "$1"
strata init
cp "$here/asset-spec.mjs" asset-spec.mjs
cp "$here/girder-exporter.mjs" girder-exporter.mjs
folder=ingress/p-demo1_s-txt001_d-walk_v001
mkdir -p "$folder"
for f in 0001 0002; do echo "walk frame $f" > "$folder/p-demo1_s-txt001_d-walk_v001_f$f.txt"; done
cat > strata-assets.yaml <<'YAML'
ingress_directory: ingress
staging_directory: staging
specification_files: [asset-spec.mjs]
exporters:
  - name: module
    module: girder-exporter.mjs
    options: { root: girder, collection: demo }
    metadata_types: [asset]
YAML
strata assets update --json
strata assets graph --json
strata assets create --json
strata assets export --json
ls girder/collection/demo
