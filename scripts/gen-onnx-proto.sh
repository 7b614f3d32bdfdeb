#!/usr/bin/env bash
# Regenerates onnx/onnxpb/onnx.pb.go from onnx/onnxpb/onnx.proto. Developers
# only: the generated file is committed, so builds and CI need no protoc.
#
# onnx.proto (ONNX 1.12, Apache-2.0) comes from Debian's python3-onnx package
# (usr/lib/python3/dist-packages/onnx/onnx.proto). Needs Debian's
# protobuf-compiler and protoc-gen-go at the version of google.golang.org/protobuf
# in go.mod.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "gen-onnx-proto: apt-get install protobuf-compiler" >&2; exit 1; }
go install google.golang.org/protobuf/cmd/protoc-gen-go@"$(go list -m -f '{{.Version}}' google.golang.org/protobuf)"
PATH="$(go env GOPATH)/bin:$PATH" protoc -I onnx/onnxpb \
  --go_out=onnx/onnxpb --go_opt=paths=source_relative \
  --go_opt=Monnx.proto=github.com/circc/circc/onnx/onnxpb \
  onnx/onnxpb/onnx.proto
