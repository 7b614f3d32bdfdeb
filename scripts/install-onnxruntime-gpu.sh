#!/usr/bin/env bash
# Installs the GPU build of onnxruntime for circc's --device cuda: the core
# library of onnxruntime-node@1.29.0 and, beside it (onnxruntime requires
# the same folder and version), the CUDA provider libraries of the npm
# package com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 (built for
# CUDA 13 and cuDNN 9). About 290 MB is downloaded (see npm-package.sh:
# `npm pack`, or --from DIR on a machine without network access); every
# file is checked against a pinned sha256.
#
# Destination: $CIRCC_HOME/onnxruntime/1.29.0-gpu/ (CIRCC_HOME defaults to
# ~/.local/share/circc), where the runtime looks for it with --device cuda.
# CUDA 13 and cuDNN 9 themselves are not installed here: circc finds them
# in the nvidia-* Python packages of a PyTorch install, or in the folders
# listed in CIRCC_CUDA_LIBS (see circc doctor).
#
# Idempotent: prints nothing and exits 0 when everything is already there.
set -euo pipefail
. "$(dirname "$0")/npm-package.sh"
parse_from_flag "$@"

VERSION=1.29.0
CORE_TGZ_SHA256=cfdfb45ec4044b1fdca43e5d2e180fb6817e649ff8ad1e0dfc90e18e51b67037
GPU_PKG=com.github.asus4.onnxruntime.linux-x64-gpu
GPU_VERSION=0.4.9
GPU_TGZ_SHA256=2b459e0c17f340c92970c10ed86de4f37a3009f93c14053e6ad4334cbb6be412
declare -A LIBS=(
  [libonnxruntime.so.1]=89688f5cf51c7e31befbb7b9101bc027799009b18d1baa9a5b1146a72e69538d
  [libonnxruntime_providers_cuda.so]=56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037
  [libonnxruntime_providers_shared.so]=c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772
)

dest="${CIRCC_HOME:-$HOME/.local/share/circc}/onnxruntime/$VERSION-gpu"
ok=1
for lib in "${!LIBS[@]}"; do
  if ! { [ -f "$dest/$lib" ] && echo "${LIBS[$lib]}  $dest/$lib" | sha256sum -c --status; }; then ok=0; fi
done
[ $ok = 1 ] && exit 0

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "install-onnxruntime-gpu: the GPU build is packaged for linux-x64 only" >&2; exit 1 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${CIRCC_PACKAGES:-}" ]; then
  echo "install-onnxruntime-gpu: copying onnxruntime-node@$VERSION and $GPU_PKG@$GPU_VERSION from $CIRCC_PACKAGES" >&2
else
  echo "install-onnxruntime-gpu: fetching onnxruntime-node@$VERSION and $GPU_PKG@$GPU_VERSION (about 290 MB)" >&2
fi
fetch_package onnxruntime-node "$VERSION" "$CORE_TGZ_SHA256" "$work"
fetch_package "$GPU_PKG" "$GPU_VERSION" "$GPU_TGZ_SHA256" "$work"
tar -xzf "$work/onnxruntime-node-$VERSION.tgz" -C "$work" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
tar -xzf "$work/$GPU_PKG-$GPU_VERSION.tgz" -C "$work" \
  package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so package/Plugins/Linux/x64/libonnxruntime_providers_shared.so
mkdir -p "$dest"
for lib in "${!LIBS[@]}"; do
  src=$(find "$work/package" -name "$lib" -type f | head -n 1)
  check_sha256 "$src" "${LIBS[$lib]}"
  install_file "$src" "$dest/$lib"
done
echo "install-onnxruntime-gpu: installed $dest" >&2
