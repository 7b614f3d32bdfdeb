#!/usr/bin/env bash
# Installs the onnxruntime C library (CPU, linux-x64) that circc's runtime loads.
#
# The library comes from the npm package onnxruntime-node (see npm-package.sh:
# `npm pack`, or --from DIR on a machine without network access). Both the
# tarball and the library are checked against pinned sha256 sums.
#
# Destination: $CIRCC_HOME/onnxruntime/$VERSION/libonnxruntime.so.1
# (CIRCC_HOME defaults to ~/.local/share/circc). The runtime looks there by default;
# ONNXRUNTIME_LIB overrides the path at run time.
#
# Idempotent: prints nothing and exits 0 when the verified library is already there.
set -euo pipefail
. "$(dirname "$0")/npm-package.sh"
parse_from_flag "$@"

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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${CIRCC_PACKAGES:-}" ]; then
  echo "install-onnxruntime: copying onnxruntime-node@$VERSION from $CIRCC_PACKAGES" >&2
else
  echo "install-onnxruntime: fetching onnxruntime-node@$VERSION" >&2
fi
fetch_package onnxruntime-node "$VERSION" "$TGZ_SHA256" "$work"
tar -xzf "$work/onnxruntime-node-$VERSION.tgz" -C "$work" "$LIB_IN_TGZ"
check_sha256 "$work/$LIB_IN_TGZ" "$LIB_SHA256"
mkdir -p "$dest"
install_file "$work/$LIB_IN_TGZ" "$lib"
echo "install-onnxruntime: installed $lib" >&2
