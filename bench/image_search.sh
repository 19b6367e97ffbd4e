#!/usr/bin/env bash
# Image search benchmark (issue 17): retrieval quality on Fashion-MNIST and scaling on synthetic vectors.
#   bash bench/image_search.sh fashion      # train a short CPU run, index the training set, query with the test set
#     TRAIN_LIMIT (10000 images trained on), INDEX_IMAGES (60000 indexed), QUERY_IMAGES (10000 queries) shrink it
#   bash bench/image_search.sh scaling      # 10k, 100k and 1M synthetic 512-d vectors: build, memory, queries/s, recall@10
# WORK (default /tmp/resnetsharp-image-search) keeps the run, the PNGs and the index between calls.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/resnetsharp-image-search}
mkdir -p "$work"
dotnet build -c Release src/ResNetSharp.Cli -o "$work/cli" -v q -nologo >/dev/null
resnet="dotnet $work/cli/resnet.dll"

fashion() {
  local data=${DATA:-/usr/share/datasets/fashion-mnist}
  # 1. A model trained by resnet train for a short CPU run: resnet18_cifar at a quarter of its width (128 features),
  #    one epoch of 10,000 images, so that embedding 70,000 images stays minutes on two cores.
  [ -f "$work/run/best.safetensors" ] || $resnet train --data-dir "$data" --model bench/recipes/resnet18_cifar_narrow.json \
      --epochs 1 --train-limit "${TRAIN_LIMIT:-10000}" --test-limit 2000 --batch-size 64 --device cpu -o "$work/run" --quiet | tail -n 3
  # Inference only: oneDNN is safe there on VMs that hide their caches (see README), and 4x faster.
  export RESNETSHARP_MKLDNN=${RESNETSHARP_MKLDNN:-on}
  # 2. Fashion-MNIST as PNG folders (train/CLASS/*.png, test/CLASS/*.png): what resnet index build reads.
  /usr/bin/python3 bench/fashion_mnist_pngs.py --data "$data" --train "${INDEX_IMAGES:-60000}" --test "${QUERY_IMAGES:-10000}" "$work/png"
  # 3. The index of the 60,000 training images, default settings.
  if [ ! -f "$work/index/index.json" ]; then
    local start; start=$(date +%s.%N)
    $resnet index build "$work/png/train" -o "$work/index" --weights "$work/run/best.safetensors" --device cpu --batch-size 256
    echo "index build: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
  fi
  # 4. The 10,000 test images as queries (embedded once, the same way), searched by the graph and exactly.
  [ -f "$work/queries.npy" ] || $resnet embed --weights "$work/run/best.safetensors" --device cpu --batch-size 256 -o "$work/queries.npy" "$work/png/test"
  for mode in hnsw exact; do
    local start; start=$(date +%s.%N)
    $resnet search --index "$work/index" "$work/queries.npy" -k 10 --json $([ $mode = exact ] && echo --exact) > "$work/$mode.json"
    echo "search $mode: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s for ${QUERY_IMAGES:-10000} queries (process start included)"
  done
  python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
rows = [json.loads(line)["path"] for line in open(os.path.join(work, "queries.paths.jsonl"))]
label = lambda path: os.path.basename(os.path.dirname(path))
runs = {mode: json.load(open(os.path.join(work, f"{mode}.json"))) for mode in ("hnsw", "exact")}
recall = sum(len({h["path"] for h in a["results"]} & {h["path"] for h in b["results"]}) / 10
             for a, b in zip(runs["hnsw"], runs["exact"])) / len(rows)
print(f"recall@10 of HNSW against exact search: {recall:.4f}")
for mode, results in runs.items():
    precision = sum(sum(label(h["path"]) == label(rows[i]) for h in q["results"]) / 10 for i, q in enumerate(results)) / len(rows)
    print(f"precision@10 by class label, {mode}: {precision:.4f}")
PY
}

scaling() {
  dotnet build -c Release bench/IndexBench -o "$work/index-bench" -v q -nologo >/dev/null
  for n in ${SIZES:-10000 100000 1000000}; do
    dotnet "$work/index-bench/IndexBench.dll" --vectors "$n" --dims 512 --queries "${QUERIES:-1000}" --ef 64,128,256 --folder "$work/synthetic-$n"
  done
}

case "${1:-fashion}" in
  fashion) fashion ;;
  scaling) scaling ;;
  *) echo "usage: bash bench/image_search.sh fashion|scaling" >&2; exit 2 ;;
esac
