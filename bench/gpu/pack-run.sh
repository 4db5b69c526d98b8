#!/usr/bin/env bash
# The GPU pack's entry (pack.sh copies it to bench/gpu/pack/run.sh): `npm run bench:gpu` on a Linux x64
# machine with a GPU and no Node, no npm registry and no network, in one call of about 7 minutes at most.
#   OUT=<empty dir> bash bench/gpu/pack/run.sh             on the GPU machine
#   LOCAL=1 OUT=/tmp/gpu-local bash bench/gpu/pack/run.sh  here: SwiftShader, the carried Node, --small
# Writes to OUT: log.txt, probe.txt (each Vulkan driver tried), nvidia-smi.txt, gpu-<time>.json and .md.
# It unpacks into a work directory where files may be executed; nothing is installed system-wide (the
# Vulkan loader, when missing, is unpacked there and found through LD_LIBRARY_PATH).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-/tmp/gpu-bench-out}
LOCAL=${LOCAL:-0}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
exec > >(tee "$OUT/log.txt") 2>&1
START=$(date +%s)
say() { echo "[pack $(( $(date +%s) - START ))s] $*"; }

W=
for d in ${GPU_WORK:-} /tmp/lab-gpu-run /var/tmp/lab-gpu-run /dev/shm/lab-gpu-run "$HERE/.work"; do
  if mkdir -p "$d" 2>/dev/null && printf '#!/bin/sh\n' > "$d/.x" && chmod +x "$d/.x" && "$d/.x"; then W=$d; break; fi
done
[ -n "$W" ] || { say "no directory where files may be executed"; exit 1; }
rm -rf "$W/lab" "$W/vulkan"; mkdir -p "$W/lab" "$W/xdg"; chmod 700 "$W/xdg"
export XDG_RUNTIME_DIR="$W/xdg" __GL_SHADER_DISK_CACHE_PATH="$W" PATH="/usr/local/nvidia/bin:$PATH"
unxz() { if command -v xz >/dev/null; then xz -dc "$1"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi; }

# Node: the carried one unless a Node >= 20 is on PATH (LOCAL=1 always takes the carried one, to test it).
NODE=$(command -v node || true)
if [ "$LOCAL" = 1 ] || [ -z "$NODE" ] || [ "$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
  unxz "$HERE/node.xz" > "$W/node" && chmod +x "$W/node" && NODE="$W/node"
fi
say "node $("$NODE" --version) ($NODE)"
unxz "$HERE/lab.tar.xz" | tar -x -C "$W/lab"
say "lab $(cat "$W/lab/SNAPSHOT")"

# The Vulkan loader: the machine's, else the carried Debian package unpacked into the work directory.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  deb=$(ls "$HERE"/libvulkan1_*.deb | head -1)
  mkdir -p "$W/vulkan"
  if command -v dpkg >/dev/null; then dpkg -x "$deb" "$W/vulkan"
  else python3 - "$deb" "$W/vulkan" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read(); at = 8
while at < len(data):  # an ar archive: 60-byte headers, the data tarball among the members
    name = data[at:at + 16].decode().strip().rstrip('/'); size = int(data[at + 48:at + 58].decode().strip())
    if name.startswith('data.tar'): tarfile.open(fileobj=io.BytesIO(data[at + 60:at + 60 + size])).extractall(sys.argv[2])
    at += 60 + size + (size & 1)
PY
  fi
  export LD_LIBRARY_PATH="$W/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "Vulkan loader from $(basename "$deb")"
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH${LD_LIBRARY_PATH:+:}$d"; done

# The Vulkan driver (ICD): the first of these with which Dawn finds an adapter that is not a CPU rasteriser.
cd "$W/lab"
probe() { VK_ICD_FILENAMES="$1" VK_DRIVER_FILES="$1" timeout -k 3 40 "$NODE" bench/gpu/probe.mjs 2>&1 | tail -1 | tee -a "$OUT/probe.txt"; }
if [ "$LOCAL" = 1 ]; then
  ICD=/usr/lib/chromium/vk_swiftshader_icd.json; probe "$ICD"; SMALL=--small
else
  SMALL=
  glx=$(ls /usr/local/nvidia/lib64/libGLX_nvidia.so.0 /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0 2>/dev/null | head -1)
  [ -n "$glx" ] && printf '{"file_format_version":"1.0.1","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" > "$W/nvidia_icd.json"
  ICD=
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
           /usr/local/share/vulkan/icd.d/nvidia_icd.json $([ -n "$glx" ] && echo "$W/nvidia_icd.json"); do
    [ -f "$f" ] || continue
    if probe "$f" | grep -q '"cpu":false'; then ICD=$f; break; fi
  done
  [ -n "$ICD" ] || say "!! no NVIDIA Vulkan driver gave Dawn an adapter (see probe.txt); running on what Dawn finds by itself"
fi
[ -n "$ICD" ] && export VK_ICD_FILENAMES="$ICD" VK_DRIVER_FILES="$ICD"
say "Vulkan driver: ${ICD:-none named, the Vulkan loader picks}"
command -v nvidia-smi >/dev/null && timeout 15 nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1

timeout -k 5 "${BENCH_LIMIT_S:-460}" "$NODE" --import tsx --import ./src/cli/register-wgsl.js bench/gpu/run.ts $SMALL --out "$OUT" ${BENCH_ARGS:-}
say "bench exit code $?; OUT has: $(ls "$OUT" | tr '\n' ' ')"
