#!/usr/bin/env bash
# Installs the onnxruntime C library (CPU, linux-x64) that circc's runtime loads.
#
# The library comes from the npm package onnxruntime-node, fetched with `npm pack`
# (never `npm install`: its install script downloads from a host this project cannot
# reach). Both the tarball and the library are checked against pinned sha256 sums.
#
# Destination: $CIRCC_HOME/onnxruntime/$VERSION/libonnxruntime.so.1
# (CIRCC_HOME defaults to ~/.local/share/circc). The runtime looks there by default;
# ONNXRUNTIME_LIB overrides the path at run time.
#
# Idempotent: prints nothing and exits 0 when the verified library is already there.
set -euo pipefail

VERSION=1.24.3
TGZ_SHA256=aa1bb5fa261ea68de05dd53efbba210cd7adf2d2850f4c3a201054c74cc78040
LIB_SHA256=92ba8e44d31b80a34f5e805076a044122c3be1fffe0d88ed790de7267b0b2682
LIB_IN_TGZ=package/bin/napi-v6/linux/x64/libonnxruntime.so.1

home="${CIRCC_HOME:-$HOME/.local/share/circc}"
dest="$home/onnxruntime/$VERSION"
lib="$dest/libonnxruntime.so.1"

if [ -f "$lib" ] && echo "$LIB_SHA256  $lib" | sha256sum -c --status; then
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "install-onnxruntime: only linux-x64 is packaged here; set ONNXRUNTIME_LIB to your own onnxruntime >= 1.24 library" >&2; exit 1 ;;
esac
command -v npm >/dev/null || { echo "install-onnxruntime: npm is needed (apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "install-onnxruntime: fetching onnxruntime-node@$VERSION" >&2
(cd "$work" && npm pack --silent "onnxruntime-node@$VERSION" >/dev/null)
tgz="$work/onnxruntime-node-$VERSION.tgz"
echo "$TGZ_SHA256  $tgz" | sha256sum -c --status || { echo "install-onnxruntime: sha256 mismatch for $tgz" >&2; exit 1; }
tar -xzf "$tgz" -C "$work" "$LIB_IN_TGZ"
echo "$LIB_SHA256  $work/$LIB_IN_TGZ" | sha256sum -c --status || { echo "install-onnxruntime: sha256 mismatch for libonnxruntime.so.1" >&2; exit 1; }

mkdir -p "$dest"
tmp="$dest/.libonnxruntime.so.1.$$"
cp "$work/$LIB_IN_TGZ" "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$lib"
echo "install-onnxruntime: installed $lib" >&2
