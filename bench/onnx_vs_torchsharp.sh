#!/usr/bin/env bash
# CPU inference: ONNX Runtime (BatchNorm folded) versus TorchSharp eager, same process settings, one run.
# Prints a markdown table for bench/RESULTS.md: resnet18 and resnet50, latency at batch 1 and
# throughput at batch 32, and the ratio ONNX Runtime / TorchSharp (above 1: ONNX Runtime is faster).
#   bash bench/onnx_vs_torchsharp.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-10}
dotnet build -c Release src/ResNetSharp.Cli -v quiet -nologo >/dev/null
resnet="dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll"
out=$(mktemp -d)
for model in resnet18 resnet50; do
  for batch in 1 32; do
    for engine in torchsharp onnxruntime; do
      $resnet bench --model "$model" --mode infer --batch-size "$batch" --steps "$steps" --warmup 3 --device cpu \
        --engine "$engine" --json 2>/dev/null > "$out/$model-$batch-$engine.json"
    done
    # The same TorchSharp run with oneDNN forced on (the guard turns it off on machines that hide the CPU caches).
    RESNETSHARP_MKLDNN=on $resnet bench --model "$model" --mode infer --batch-size "$batch" --steps "$steps" --warmup 3 --device cpu \
      --json 2>/dev/null > "$out/$model-$batch-onednn.json"
  done
done
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| model | batch | TorchSharp ms/step | TorchSharp oneDNN on ms/step | ONNX Runtime ms/step | ORT / TorchSharp | ORT / TorchSharp oneDNN on |")
print("|---|---|---|---|---|---|---|")
notes = set()
for model in ("resnet18", "resnet50"):
    for batch in (1, 32):
        t = json.load(open(os.path.join(out, f"{model}-{batch}-torchsharp.json")))
        d = json.load(open(os.path.join(out, f"{model}-{batch}-onednn.json")))
        o = json.load(open(os.path.join(out, f"{model}-{batch}-onnxruntime.json")))
        notes.add(t["notes"])
        print(f"| {model} | {batch} | {t['millisecondsPerStep']:.1f} | {d['millisecondsPerStep']:.1f} | {o['millisecondsPerStep']:.1f} | "
              f"{t['millisecondsPerStep'] / o['millisecondsPerStep']:.2f} | {d['millisecondsPerStep'] / o['millisecondsPerStep']:.2f} |")
print()
print("TorchSharp:", "; ".join(sorted(n for n in notes if n)), f"; threads {t['threads']}")
PY
rm -rf "$out"
