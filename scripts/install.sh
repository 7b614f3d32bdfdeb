#!/usr/bin/env bash
# Installs everything circc needs on a fresh machine: Go modules and the onnxruntime
# library. Idempotent and quiet when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "install: Go 1.26 or newer is needed (https://go.dev/dl)" >&2; exit 1; }
go mod download
scripts/install-onnxruntime.sh
