#!/usr/bin/env bash
# Installs everything circc needs on a fresh machine: Go modules and the onnxruntime
# library. Idempotent and quiet when everything is already in place.
#
# --from DIR installs without network access from a folder that
# scripts/pack-offline.sh filled on a machine with it: the Go modules from
# DIR/go (as a module proxy), the onnxruntime tarball from DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
from=
case "${1:-}" in
  --from) [ $# -ge 2 ] || { echo "install: --from needs a folder" >&2; exit 2; }; from=$2 ;;
  --from=*) from=${1#--from=} ;;
  "") ;;
  *) echo "usage: scripts/install.sh [--from DIR]" >&2; exit 2 ;;
esac
command -v go >/dev/null || { echo "install: Go 1.26 or newer is needed (https://go.dev/dl)" >&2; exit 1; }
if [ -n "$from" ]; then
  [ -d "$from/go" ] || { echo "install: $from/go not found: fill $from with scripts/pack-offline.sh on a machine with network access" >&2; exit 1; }
  from=$(cd "$from" && pwd)
  echo "install: Go modules from $from/go" >&2
  GOPROXY="file://$from/go" GOSUMDB=off GOFLAGS=-mod=mod go mod download
  scripts/install-onnxruntime.sh --from "$from"
else
  go mod download
  scripts/install-onnxruntime.sh
fi
