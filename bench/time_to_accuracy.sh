#!/usr/bin/env bash
# Time to 95% test top-1 on Fashion-MNIST with resnet18_cifar, from process start, for `resnet train`
# (bf16, channels-last, cuDNN autotuning, the default recipe) and for the PyTorch eager reference with
# the same recipe (bench/time_to_accuracy.py), one after the other on the same machine.
#   RESNETSHARP_CLI="bash .gpu/run.sh" bash bench/time_to_accuracy.sh [DATA_DIR] [TARGET] [RECIPE OPTIONS...]
# RECIPE OPTIONS go to both programs: --epochs N, --batch-size N, --lr X, --erasing P, --tta.
# RESNETSHARP_CLI (formerly RESNET) defaults to the Release build of the CLI; DATA_DIR to $GPU_DATA/fashion-mnist or the Debian package.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${GPU_DATA:+$GPU_DATA/fashion-mnist}}
data=${data:-/usr/share/datasets/fashion-mnist}
target=${2:-0.95}
shift $(( $# > 2 ? 2 : $# ))
recipe=("$@")
resnet=${RESNETSHARP_CLI:-${RESNET:-dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll}}
run=$(mktemp -d)

start=$(date +%s.%N)
$resnet train --data-dir "$data" --precision bf16 --channels-last --target-top1 "$target" --quiet -o "$run/ours" "${recipe[@]}" | tail -n 30
ours=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")
ours_top1=$(tail -n 1 "$run/ours/epochs.csv" | cut -d, -f4)
ours_epochs=$(($(wc -l < "$run/ours/epochs.csv") - 1))

start=$(date +%s.%N)
python3 bench/time_to_accuracy.py --data-dir "$data" --target "$target" "${recipe[@]}" | tee "$run/pytorch.txt" | tail -n 3
theirs=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")

echo
echo "| program | epochs | final top-1 | seconds from process start |"
echo "|---|---|---|---|"
echo "| resnet train (bf16, channels-last) | $ours_epochs | $ours_top1 | $ours |"
echo "| PyTorch eager reference | $(tail -n 1 "$run/pytorch.txt" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["epochs"], "|", r["top1"], end="")') | $theirs |"
echo "ratio ours / PyTorch (below 1: ours is faster): $(python3 -c "print(round($ours / $theirs, 3))")"
