#!/usr/bin/env bash
# CPU steps with glibc's malloc as it is (RESNETSHARP_MALLOC=default) against ResNetSharp's setting (blocks kept for
# reuse, see src/ResNetSharp/Common/NativeHeap.cs), one run of each in turn. Prints a markdown table for bench/RESULTS.md:
# images/s of both, their ratio, and the peak resident memory of both.
#   bash bench/cpu_malloc.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-5}
dotnet build -c Release src/ResNetSharp.Cli -v quiet -nologo >/dev/null
resnet="dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cases=(
  "resnet10_cifar_w8 train 128 1x28x28"
  "resnet20 train 32 3x32x32" "resnet20 train 64 3x32x32" "resnet20 train 128 3x32x32"
  "resnet20 infer 128 3x32x32"
  "resnet18 train 16 3x224x224" "resnet50 infer 32 3x224x224"
)
for spec in "${cases[@]}"; do
  read -r model mode batch input <<<"$spec"
  for setting in default keep; do
    RESNETSHARP_MALLOC=$setting $resnet bench --model "$model" --mode "$mode" --batch-size "$batch" --input "$input" \
      --steps "$steps" --warmup 2 --device cpu --json 2>/dev/null > "$out/$model-$mode-$batch-$setting.json"
  done
done
python3 - "$out" "${cases[@]}" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| model | mode | batch | input | images/s, malloc as is | images/s, blocks kept | ratio | peak memory as is | peak memory kept |")
print("|---|---|---|---|---|---|---|---|---|")
for spec in sys.argv[2:]:
    model, mode, batch, size = spec.split()
    a, b = (json.load(open(os.path.join(out, f"{model}-{mode}-{batch}-{s}.json"))) for s in ("default", "keep"))
    print(f"| {model} | {mode} | {batch} | {size} | {a['imagesPerSecond']:.1f} | {b['imagesPerSecond']:.1f} | "
          f"{b['imagesPerSecond'] / a['imagesPerSecond']:.2f} | {a['peakHostMemoryBytes'] / 2**20:,.0f} MiB | {b['peakHostMemoryBytes'] / 2**20:,.0f} MiB |")
print()
print("notes:", b["notes"], f"; threads {b['threads']}")
PY
