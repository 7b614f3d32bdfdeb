#!/usr/bin/env bash
# Packs, on a machine with network access, everything scripts/install.sh
# fetches, into one folder to carry to a machine without it:
#   DIR/go/            the Go modules circc needs, laid out as a module proxy
#   DIR/*.tgz          the npm tarballs of onnxruntime (--gpu: the GPU build too)
# Then, on the other machine: scripts/install.sh --from DIR
set -euo pipefail
cd "$(dirname "$0")/.."
gpu=no
dir=
for a in "$@"; do
  case "$a" in
    --gpu) gpu=yes ;;
    -*) echo "usage: scripts/pack-offline.sh [--gpu] DIR" >&2; exit 2 ;;
    *) dir=$a ;;
  esac
done
[ -n "$dir" ] || { echo "usage: scripts/pack-offline.sh [--gpu] DIR" >&2; exit 2; }
mkdir -p "$dir/go"
dir=$(cd "$dir" && pwd)

# Go modules: each needed module's .info, .mod and .zip, at the paths a
# proxy serves them from (GOPROXY=file://DIR/go).
cache="$(go env GOMODCACHE)/cache/download"
go mod download -json | sed -n 's/^\t"\(Info\|GoMod\|Zip\)": "\(.*\)",\{0,1\}$/\2/p' | while read -r f; do
  rel=${f#"$cache"/}
  mkdir -p "$dir/go/$(dirname "$rel")"
  cp "$f" "$dir/go/$rel"
done
# The module graph also reads the go.mod of versions it does not build
# with: copy those too (escaped as the cache does: A -> !a).
go mod graph | tr ' ' '\n' | grep @ | sort -u | while read -r mv; do
  path=$(echo "${mv%@*}" | sed 's/[A-Z]/!\L&/g')
  for ext in mod info; do
    f="$cache/$path/@v/${mv##*@}.$ext"
    if [ -f "$f" ] && [ ! -f "$dir/go/$path/@v/${mv##*@}.$ext" ]; then
      mkdir -p "$dir/go/$path/@v"
      cp "$f" "$dir/go/$path/@v/"
    fi
  done
done
# list files let the proxy answer version queries.
find "$dir/go" -name '*.info' | while read -r info; do
  v=$(basename "$info" .info)
  grep -qx "$v" "$(dirname "$info")/list" 2>/dev/null || echo "$v" >> "$(dirname "$info")/list"
done
echo "pack-offline: Go modules in $dir/go ($(du -sh "$dir/go" | cut -f1))" >&2

# npm tarballs, by the versions the installers pin.
pin() { sed -n "s/^$2=//p" "scripts/$1"; }
pack() { (cd "$dir" && npm pack --silent "$1" >/dev/null); }
pack "onnxruntime-node@$(pin install-onnxruntime.sh VERSION)"
if [ "$gpu" = yes ]; then
  pack "onnxruntime-node@$(pin install-onnxruntime-gpu.sh VERSION)"
  pack "$(pin install-onnxruntime-gpu.sh GPU_PKG)@$(pin install-onnxruntime-gpu.sh GPU_VERSION)"
fi
echo "pack-offline: npm tarballs in $dir: $(cd "$dir" && ls *.tgz | tr '\n' ' ')" >&2
