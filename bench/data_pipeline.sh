#!/usr/bin/env bash
# Input-pipeline figures: image decoding + random-resized crop per worker thread (ours, SkiaSharp and
# plain C#, versus torchvision's PIL path in one process), and on-device batch augmentation throughput.
# Test images: 256 JPEGs of 500x375 (ImageNet's typical size), Fashion-MNIST images upscaled and tinted.
#   bash bench/data_pipeline.sh [DEVICE]      (DEVICE: cpu or cuda; default cpu)
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-cpu}
python=${PYTHON:-/usr/bin/python3}
dotnet build -c Release src/ResNetSharp.Cli -v quiet -nologo >/dev/null
resnet="dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll"
images=$(mktemp -d)
trap 'rm -rf "$images"' EXIT
"$python" - "$images" <<'PY'
import gzip, os, sys
import numpy as np
from PIL import Image
folder = sys.argv[1]
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
    data = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
rng = np.random.default_rng(0)
for i in range(256):
    gray = Image.fromarray(data[i]).resize((500, 375), Image.BILINEAR)
    tint = rng.uniform(0.5, 1.0, 3)
    rgb = np.stack([np.asarray(gray) * t for t in tint], -1) + rng.normal(0, 6, (375, 500, 3))
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(os.path.join(folder, f"{i:03d}.jpg"), quality=90)
PY
for threads in 1 2; do
  $resnet bench --mode decode --folder "$images" --batch-size 64 --steps 8 --warmup 1 --threads $threads --input 3x224x224 --json 2>/dev/null \
    | "$python" -c "import json,sys; r=json.load(sys.stdin); print(f'ours: decode + RandomResizedCrop(224), {r[\"threads\"]} worker(s): {r[\"imagesPerSecond\"]:.0f} images/s ({r[\"imagesPerSecond\"]/r[\"threads\"]:.0f} per worker)')"
done
"$python" - "$images" <<'PY'
import os, sys, time, torch
from PIL import Image
import torchvision.transforms as T
folder = sys.argv[1]
files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
transform = T.Compose([T.RandomResizedCrop(224), T.PILToTensor()])
torch.set_num_threads(1)
for f in files[:64]:
    transform(Image.open(f).convert("RGB"))
start = time.perf_counter()
for i in range(512):
    transform(Image.open(files[i % len(files)]).convert("RGB"))
rate = 512 / (time.perf_counter() - start)
print(f"torchvision {torch.__version__.split('+')[0]} PIL: decode + RandomResizedCrop(224), 1 process: {rate:.0f} images/s")
PY
for input in 1x28x28 3x32x32; do
  $resnet bench --mode augment --batch-size 512 --input $input --steps 20 --warmup 3 --device "$device" --json 2>/dev/null \
    | "$python" -c "import json,sys; r=json.load(sys.stdin); print(f'ours: on-device augmentation, batch 512 of {r[\"input\"]} on {r[\"device\"]}: {r[\"imagesPerSecond\"]:.0f} images/s ({r[\"notes\"]})')"
done
