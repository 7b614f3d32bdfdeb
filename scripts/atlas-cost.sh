#!/usr/bin/env bash
# Measures what an atlas costs per layer on this machine: for every layer
# of a model, the layer's passes (photos, stimuli, expanded weights: paid
# once per layer and shard) and the visualizations of one unit (all four
# objectives, measured on a task of UNITS units at STEPS steps and scaled
# to 256 steps: the optimisation's cost is linear in its steps).
# Prints a Markdown table. Usage: scripts/atlas-cost.sh MODEL [UNITS] [STEPS]
# ($LAYERS, space-separated, measures those layers only.)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: scripts/atlas-cost.sh MODEL [UNITS] [STEPS]}
units=${2:-4}
steps=${3:-32}
go build -o bin/circc ./cmd/circc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
layers=${LAYERS:-}
[ -n "$layers" ] || layers=$(python3 -c 'import json,sys; print(" ".join(l["name"] for l in json.load(open(sys.argv[1]))["layers"]))' "models/manifests/$model.json")
seconds() { python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])'; }
echo "| layer | passes (s) | one unit's visualizations at 256 steps (s) |"
echo "| --- | ---: | ---: |"
for l in $layers; do
  pass=$(bin/circc atlas --against "$model" --units "$l[0..<$units]" --objectives none -o "$tmp/p-$l" --json | seconds)
  all=$(bin/circc atlas --against "$model" --units "$l[0..<$units]" --photos 0 --weights 0 --steps "$steps" --chunk "$units" -o "$tmp/v-$l" --json | seconds)
  none=$(bin/circc atlas --against "$model" --units "$l[0..<$units]" --photos 0 --weights 0 --objectives none -o "$tmp/n-$l" --json | seconds)
  python3 -c "print('| $l | %.1f | %.1f |' % ($pass, ($all - $none) / $units * 256 / $steps))"
done
