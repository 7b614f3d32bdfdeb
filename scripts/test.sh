#!/usr/bin/env bash
# Runs circc's whole test suite after making sure its dependencies are installed.
# Tests read the reference model and data from ../shared beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
scripts/install-test-tools.sh
go vet ./...
# Every Go file in gofmt's layout.
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "not gofmt'd: $unformatted" >&2; exit 1; fi
# An explicit bound well above the suite's time on 2 cores, so that a
# loaded machine does not hit Go's default 10 minutes per package.
go test -count=1 -timeout 30m ./... "$@"
# A few seconds of fuzzing of the graph surface (models add, shapes).
go test -count=1 -timeout 5m -run '^$' -fuzz FuzzGraphs -fuzztime 5s ./reference
