#!/usr/bin/env bash
# One device call that gathers every GPU figure: a smoke check that stops early if the packed program
# cannot use the GPU, then bench/gpu_suite.sh (throughput, memory, augmentation, time to 95%) and
# bench/fashion_accuracy.sh (the training issue's accuracy figures), or the recipe candidates for the
# time-to-95% target (bench/recipes/fast95.txt). Logs go to $OUT when it is set.
#   on the device, with carry [".gpu"]:  bash bench/gpu_session.sh [suite|accuracy|all|recipes]
set -uo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
log=${OUT:-/tmp}
export RESNETSHARP_CLI="bash .gpu/run.sh"
bash .gpu/run.sh bench --device cuda --model resnet18_cifar --mode train --batch-size 64 --steps 3 --warmup 1 --json \
  || { echo "smoke check failed: the packed program cannot train on the GPU" >&2; exit 1; }
if [ "$what" = suite ] || [ "$what" = all ]; then
  timeout 420 bash bench/gpu_suite.sh 2>&1 | tee "$log/suite.log"
fi
if [ "$what" = accuracy ] || [ "$what" = all ]; then
  timeout 400 bash bench/fashion_accuracy.sh "$(pwd)/.gpu/data/fashion-mnist" 2>&1 | tee "$log/accuracy.log"
fi
if [ "$what" = recipes ]; then
  timeout 540 bash bench/recipe_search.sh "$(pwd)/.gpu/data/fashion-mnist" 0.95 < bench/recipes/fast95.txt 2>&1 | tee "$log/recipes.log"
fi
