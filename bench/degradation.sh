#!/usr/bin/env bash
# The degradation experiment (He et al. 2016, Figures 1 and 6): plain20, plain56, resnet20 and resnet56 trained
# with the paper's CIFAR recipe (recipes/cifar_paper.json: batch 128, SGD 0.1 / 0.9, weight decay 1e-4, the rate
# divided by 10 at 50% and 75% of the iterations), then training (dashed) and test (bold) error against iterations
# in one figure. On CIFAR-10 when it is found (DATA_DIR/cifar-10-batches-bin), else on Fashion-MNIST.
#   bash bench/degradation.sh [OUT_DIR]                      # the full 64k iterations (a GPU: RESNET="bash .gpu/run.sh")
#   ITERATIONS=200 TRAIN_LIMIT=2048 TEST_LIMIT=512 bash bench/degradation.sh /tmp/degradation   # a CPU-sized look
# Environment: RESNET (the resnet command), DATA_DIR, MODELS, ITERATIONS (64000), BATCH (128), TRAIN_LIMIT,
# TEST_LIMIT, EXTRA (more train options, e.g. "--precision bf16 --channels-last").
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/degradation}
resnet=${RESNET:-dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll}
models=${MODELS:-plain20 plain56 resnet20 resnet56}
iterations=${ITERATIONS:-64000}
batch=${BATCH:-128}
data=${DATA_DIR:-/usr/share/datasets}
mkdir -p "$out"

if [ -d "$data/cifar-10-batches-bin" ] || [ -d "$data/cifar-10/cifar-10-batches-bin" ]; then
  dataset=cifar-10; train_images=50000; data_options=(--dataset cifar-10)
else
  dataset=fashion-mnist; train_images=60000
  [ -d "$data/fashion-mnist" ] && data="$data/fashion-mnist"
  # Fashion-MNIST's own statistics replace the recipe's CIFAR-10 ones.
  data_options=(--dataset fashion-mnist --mean 0.2860 --std 0.3530)
fi
[ -n "${TRAIN_LIMIT:-}" ] && train_images=$TRAIN_LIMIT
steps_per_epoch=$(( train_images / batch ))
epochs=$(( (iterations + steps_per_epoch - 1) / steps_per_epoch ))
milestones="$(( iterations / 2 )),$(( iterations * 3 / 4 ))"
echo "$dataset: $models; $iterations iterations ($epochs epochs of $steps_per_epoch steps), rate /10 at $milestones"

runs=()
for model in $models; do
  $resnet train --config recipes/cifar_paper.json --model "$model" "${data_options[@]}" --data-dir "$data" \
    --batch-size "$batch" --epochs "$epochs" --step-iterations "$milestones" --log-every "$steps_per_epoch" \
    ${TRAIN_LIMIT:+--train-limit "$TRAIN_LIMIT"} ${TEST_LIMIT:+--test-limit "$TEST_LIMIT"} ${EXTRA:-} \
    --quiet -o "$out/$model" | tail -n 3
  runs+=("$out/$model")
done
$resnet curves "${runs[@]}" -o "$out/degradation.png" --title "$dataset: training (dashed) and test (bold) error"
