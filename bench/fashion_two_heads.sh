#!/usr/bin/env bash
# Fashion-MNIST as a two-head run: the item (10 classes) and its group (tops, bottoms, dresses, footwear,
# bags), from CSV manifests of PNG files written from the real IDX files. Trains, evaluates by head,
# exports ONNX with one output per head and checks that ONNX Runtime gives what TorchSharp gives.
# Usage: bench/fashion_two_heads.sh [TRAIN_IMAGES] [VAL_IMAGES] [EPOCHS]   (defaults 6000 1000 3)
#   MODEL (default resnet18_cifar): a catalogue name or a spec file, e.g. bench/recipes/resnet18_cifar_narrow.json.
#   CLI: a folder holding a Release build of resnet.dll to use instead of building one.
#   WORK: keep the manifests, the run (epochs.csv, head-item.png, head-group.png) and the ONNX file there.
set -euo pipefail
cd "$(dirname "$0")/.."
train=${1:-6000}; val=${2:-1000}; epochs=${3:-3}
if [ -n "${WORK:-}" ]; then
  work=$WORK; rm -rf "$work"; mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
/usr/bin/python3 - "$work" "$train" "$val" <<'PY'
import gzip, os, struct, sys, zlib
work, ntrain, nval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
src = next(d for d in [os.path.expanduser('~/.cache/resnetsharp/fashion-mnist'), '/usr/share/datasets/fashion-mnist'] if os.path.isdir(d))
def idx(name):
    path = os.path.join(src, name + '.gz')
    data = gzip.open(path).read() if os.path.exists(path) else open(os.path.join(src, name), 'rb').read()
    dims = data[3]
    shape = struct.unpack('>' + 'I' * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]
def png(path, pixels):
    raw = b''.join(b'\x00' + pixels[y * 28:(y + 1) * 28] for y in range(28))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 28, 28, 8, 0, 0, 0, 0))
                           + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
items = ['tshirt_top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot']
groups = ['tops', 'bottoms', 'tops', 'dresses', 'tops', 'footwear', 'tops', 'footwear', 'bags', 'footwear']
for split, images, labels, count in [('train', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte', ntrain),
                                     ('val', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', nval)]:
    (_, pixels), (_, classes) = idx(images), idx(labels)
    os.makedirs(os.path.join(work, split))
    with open(os.path.join(work, split + '.csv'), 'w') as csv:
        csv.write('path,item,group\n')
        for i in range(count):
            png(os.path.join(work, split, f'{i}.png'), pixels[i * 784:(i + 1) * 784])
            csv.write(f'{split}/{i}.png,{items[classes[i]]},{groups[classes[i]]}\n')
PY
# CLI: a folder with a Release build of resnet.dll already made (it is 1.7 GB with libtorch), else one is built in WORK.
cli=${CLI:-$work/cli}
[ -f "$cli/resnet.dll" ] || dotnet build -c Release src/ResNetSharp.Cli -o "$cli" -v q -nologo >/dev/null
resnet() { dotnet "$cli/resnet.dll" "$@"; }
start=$(date +%s)
resnet train --manifest "$work/train.csv" --val-manifest "$work/val.csv" --heads item=classification,group=classification \
  --model "${MODEL:-resnet18_cifar}" --image-size 28 --in-memory-images --epochs "$epochs" --batch-size 128 --lr 0.1 -o "$work/run" --quiet
echo "train: $(( $(date +%s) - start )) s"
resnet eval --weights "$work/run" --manifest "$work/val.csv" --json
resnet export --weights "$work/run" --format onnx -o "$work/two-heads.onnx"
resnet predict --weights "$work/run" --json "$work/val/0.png" > "$work/torch.json"
resnet predict --onnx "$work/two-heads.onnx" --json "$work/val/0.png" > "$work/onnx.json"
/usr/bin/python3 - "$work/torch.json" "$work/onnx.json" <<'PY'
import json, sys
a, b = (json.load(open(p))['outputs'] for p in sys.argv[1:3])
for head in a:
    x, y = a[head][0], b[head][0]
    scale = max(abs(v) for v in x)
    print(f'{head}: ONNX Runtime vs TorchSharp, max relative error {max(abs(p - q) for p, q in zip(x, y)) / scale:.2e}')
PY
