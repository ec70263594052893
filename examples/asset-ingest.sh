#!/bin/sh
# Asset ingest with the specification module examples/asset-spec.mjs: one valid sequence, one
# with a missing frame; update, search, then stage and commit the valid one.
#
#   sh examples/asset-ingest.sh DIR     (DIR: an empty folder; strata on PATH)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" && cd "$1"
strata init
cp "$here/asset-spec.mjs" asset-spec.mjs
for d in walk run; do
  folder=ingress/p-demo1_s-txt001_d-${d}_v001
  mkdir -p "$folder"
  for f in 0001 0002 0003; do
    [ "$d-$f" = run-0002 ] && continue # the run sequence misses frame 2
    echo "$d frame $f" > "$folder/p-demo1_s-txt001_d-${d}_v001_f$f.txt"
  done
done
printf 'ingress_directory: ingress\nstaging_directory: staging\nspecification_files: [asset-spec.mjs]\n' > strata-assets.yaml
strata assets update
strata assets search "SELECT asset_name, asset_valid, asset_error FROM data" --group-by asset
strata assets create
strata log -n 1
