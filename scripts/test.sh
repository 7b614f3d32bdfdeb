#!/usr/bin/env bash
# Runs circc's whole test suite after making sure its dependencies are installed.
# Tests read the reference model and data from ../shared beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
scripts/install-test-tools.sh
# Grammar struct tags are participle syntax, not key:"value" pairs.
go vet -structtag=false ./...
go test -count=1 ./... "$@"
