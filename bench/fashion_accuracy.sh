#!/usr/bin/env bash
# Fashion-MNIST test accuracy of resnet18_cifar for the training issue: the default recipe (15 epochs,
# one-cycle) and a longer one (40 epochs, with an EMA of the weights and flip test-time augmentation), both bf16 + channels-last.
#   RESNETSHARP_CLI="bash .gpu/run.sh" bash bench/fashion_accuracy.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${GPU_DATA:+$GPU_DATA/fashion-mnist}}
data=${data:-/usr/share/datasets/fashion-mnist}
resnet=${RESNETSHARP_CLI:-${RESNET:-dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll}}
run=${RUN_DIR:-$(mktemp -d)}
mkdir -p "$run"

train() {  # name, then extra options
  local name=$1; shift
  local start; start=$(date +%s.%N)
  $resnet train --data-dir "$data" --precision bf16 --channels-last --quiet -o "$run/$name" "$@" | tail -n 25
  echo "$name: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s from process start"
}
train short
train long --epochs 40 --ema 0.999 --tta
echo
echo "| schedule | epochs | final top-1 | best top-1 | EMA final top-1 |"
echo "|---|---|---|---|---|"
for name in short long; do
  python3 - "$run/$name/epochs.csv" "$name" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
top1 = [float(r["top1"]) for r in rows]
ema = rows[-1].get("ema_top1") or ""
print(f"| {sys.argv[2]} | {len(rows)} | {top1[-1]:.4f} | {max(top1):.4f} | {ema} |")
PY
done
