#!/usr/bin/env bash
# Every GPU comparison of the benchmark issue in one device call, ours and PyTorch side by side:
# training throughput (bf16 + channels-last: resnet18_cifar batch 512 at 32x32, resnet50 batch 128 at
# 224x224; fp32 resnet18_cifar), inference (bf16, batch 256), GPU memory in use, and time to 95% on
# Fashion-MNIST. Prints markdown rows for bench/RESULTS.md.
#
# Here:            ../shared/gpu/pack.sh src/ResNetSharp.Cli/ResNetSharp.Cli.csproj /usr/share/datasets/fashion-mnist
# On the device:   bash bench/gpu_suite.sh            (carry [".gpu"]; RESNETSHARP_CLI defaults to bash .gpu/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
resnet=${RESNETSHARP_CLI:-${RESNET:-bash .gpu/run.sh}}
out=$(mktemp -d)
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'

compare() {  # name, then the arguments both programs share
  local name=$1; shift
  $resnet bench --device cuda --json "$@" > "$out/$name.ours.json"
  python3 bench/pytorch_reference.py "$@" > "$out/$name.pytorch.json" 2> /dev/null
}
compare r18-train-bf16-cl --model resnet18_cifar --mode train --batch-size 512 --precision bf16 --channels-last --steps 50 --warmup 10
compare r18-train-fp32 --model resnet18_cifar --mode train --batch-size 512 --precision fp32 --steps 50 --warmup 10
compare r50-train-bf16-cl --model resnet50 --mode train --batch-size 128 --precision bf16 --channels-last --steps 100 --warmup 15
compare r50-infer-bf16-cl --model resnet50 --mode infer --batch-size 256 --precision bf16 --channels-last --steps 30 --warmup 10
compare r18-infer-bf16-cl --model resnet18_cifar --mode infer --batch-size 256 --precision bf16 --channels-last --steps 50 --warmup 10
# Host-overhead probes: at batch 8 the GPU idles, so the time per step is each program's own per-step cost.
compare r50-train-b8-hostprobe --model resnet50 --mode train --batch-size 8 --input 3x64x64 --precision bf16 --channels-last --steps 50 --warmup 10
compare r18-train-b8-hostprobe --model resnet18_cifar --mode train --batch-size 8 --precision bf16 --channels-last --steps 100 --warmup 10

python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
print("| case | ours images/s | PyTorch images/s | ratio | ours ms/step | PyTorch ms/step | ours GPU MiB in use | PyTorch GPU MiB in use | memory ratio |")
print("|---|---|---|---|---|---|---|---|---|")
for ours_file in sorted(glob.glob(os.path.join(out, "*.ours.json"))):
    name = os.path.basename(ours_file)[: -len(".ours.json")]
    ours = json.load(open(ours_file))
    theirs = json.load(open(os.path.join(out, name + ".pytorch.json")))
    mib = lambda r: (r.get("deviceMemoryInUseBytes") or 0) / 2**20
    ratio = ours["imagesPerSecond"] / theirs["imagesPerSecond"]
    memory = mib(ours) / mib(theirs) if mib(theirs) else float("nan")
    print(f"| {name} | {ours['imagesPerSecond']:.0f} | {theirs['imagesPerSecond']:.0f} | {ratio:.3f} | {ours['millisecondsPerStep']:.2f} | "
          f"{theirs['millisecondsPerStep']:.2f} | {mib(ours):.0f} | {mib(theirs):.0f} | {memory:.2f} |")
PY
for input in 1x28x28 3x32x32; do
  $resnet bench --mode augment --batch-size 512 --input $input --device cuda --steps 50 --warmup 5
done
RESNETSHARP_CLI="$resnet" bash bench/time_to_accuracy.sh "$(pwd)/.gpu/data/fashion-mnist" 0.95 --epochs 20 --batch-size 512 --lr 0.2 --tta --ema 0.998
