"""PyTorch eager reference for the time-to-accuracy benchmark: the recipe `resnet train` runs by default
(resnet18_cifar with a one-channel stem on Fashion-MNIST, SGD Nesterov 0.9, weight decay 5e-4 off norms
and biases, one-cycle to lr 0.1 over 15 epochs, batch 256, label smoothing 0.1, random crop (pad 2),
flip, random erasing 0.25), with PyTorch's everyday best settings (bf16 autocast, channels_last,
cudnn.benchmark). Data lives on the device as uint8 and is augmented there, as ours is. Stops when the
test top-1 first reaches --target and prints one JSON object; time it from the outside (see
bench/time_to_accuracy.sh) so both programs are timed from process start.

python3 bench/time_to_accuracy.py --data-dir /usr/share/datasets/fashion-mnist --target 0.95
"""
import argparse
import copy
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

MEAN, STD = 0.2860, 0.3530


def read_idx(folder, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise FileNotFoundError(f"{name}(.gz) not in {folder}")


def one_cycle(step, total, peak):
    warm = int(0.3 * total)
    start = peak / 25
    end = start / 1e4
    if step < warm:
        return start + (peak - start) * step / max(1, warm)
    steps = total - warm
    return end + (peak - end) * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, steps - 1)))


def augment(x, generator, pad=2, erase_p=0.25, erase_size=0.5):
    b, _, h, w = x.shape
    x = x.float().div_(255)
    padded = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (b,), device=x.device, generator=generator)
    dx = torch.randint(0, 2 * pad + 1, (b,), device=x.device, generator=generator)
    rows = (torch.arange(h, device=x.device)[None] + dy[:, None])[:, None, :, None].expand(b, 1, h, w + 2 * pad)
    x = padded.gather(2, rows)
    cols = (torch.arange(w, device=x.device)[None] + dx[:, None])[:, None, None, :].expand(b, 1, h, w)
    x = x.gather(3, cols)
    flip = torch.rand(b, 1, 1, 1, device=x.device, generator=generator) < 0.5
    x = torch.where(flip, x.flip(3), x)
    x = (x - MEAN) / STD
    eh, ew = round(h * erase_size), round(w * erase_size)
    apply = torch.rand(b, 1, 1, device=x.device, generator=generator) < erase_p
    top = torch.randint(0, h - eh + 1, (b, 1, 1), device=x.device, generator=generator)
    left = torch.randint(0, w - ew + 1, (b, 1, 1), device=x.device, generator=generator)
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (ys >= top) & (ys < top + eh) & (xs >= left) & (xs < left + ew) & apply
    return x.masked_fill(inside[:, None], 0.0)


def evaluate(model, test_x, test_y, autocast, fmt, tta):
    model.eval()
    correct = torch.zeros((), device=test_x.device, dtype=torch.int64)
    with torch.no_grad(), autocast:
        for start in range(0, len(test_y), 256):
            x = ((test_x[start:start + 256].float() / 255 - MEAN) / STD).contiguous(memory_format=fmt)
            logits = model(x).float()
            if tta:
                logits = logits + model(x.flip(3)).float()
            correct += (logits.argmax(1) == test_y[start:start + 256]).sum()
    model.train()
    return correct.item() / len(test_y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=os.path.join(os.environ.get("GPU_DATA", "/usr/share/datasets"), "fashion-mnist"))
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch", "--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="bf16")
    parser.add_argument("--erasing", type=float, default=0.25)
    parser.add_argument("--tta", action="store_true", help="average the logits of each test image and its mirror")
    parser.add_argument("--ema", type=float, default=0.0, help="also evaluate an exponential moving average of the weights with this decay")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N train and test images (smoke runs)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    torch.backends.cudnn.benchmark = True
    fmt = torch.channels_last

    train_x = torch.from_numpy(read_idx(args.data_dir, "train-images-idx3-ubyte").copy())[:, None].to(device)
    train_y = torch.from_numpy(read_idx(args.data_dir, "train-labels-idx1-ubyte").astype(np.int64)).to(device)
    test_x = torch.from_numpy(read_idx(args.data_dir, "t10k-images-idx3-ubyte").copy())[:, None].to(device)
    test_y = torch.from_numpy(read_idx(args.data_dir, "t10k-labels-idx1-ubyte").astype(np.int64)).to(device)
    if args.limit:
        train_x, train_y, test_x, test_y = train_x[:args.limit], train_y[:args.limit], test_x[:args.limit], test_y[:args.limit]

    model = torchvision.models.resnet18(num_classes=10)
    model.conv1 = nn.Conv2d(1, 64, 3, 1, 1, bias=False)
    model.maxpool = nn.Identity()
    model = model.to(device, memory_format=fmt)
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    optimizer = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0.0}],
                                lr=args.lr, momentum=0.9, nesterov=True)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bf16")
    steps_per_epoch = len(train_y) // args.batch
    total = steps_per_epoch * args.epochs
    generator = torch.Generator(device=device).manual_seed(args.seed)
    average = copy.deepcopy(model) if args.ema > 0 else None
    pairs = list(zip(average.state_dict().values(), model.state_dict().values())) if average else []
    average_floats = [a for a, _ in pairs if a.is_floating_point()]
    model_floats = [p for a, p in pairs if a.is_floating_point()]
    counters = [(a, p) for a, p in pairs if not a.is_floating_point()]
    step = 0
    top1 = 0.0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_y), device=device, generator=generator)
        for i in range(steps_per_epoch):
            index = order[i * args.batch:(i + 1) * args.batch]
            x = augment(train_x[index], generator, erase_p=args.erasing).contiguous(memory_format=fmt)
            for group in optimizer.param_groups:
                group["lr"] = one_cycle(step, total, args.lr)
            with autocast:
                loss = F.cross_entropy(model(x).float(), train_y[index], label_smoothing=0.1)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if average is not None:  # as resnet train: d = min(decay, (1 + n) / (10 + n))
                with torch.no_grad():
                    d = min(args.ema, (1 + step) / (10 + step))
                    torch._foreach_mul_(average_floats, d)
                    torch._foreach_add_(average_floats, model_floats, alpha=1 - d)
                    for a, p in counters:
                        a.copy_(p)
            step += 1
        top1 = max(evaluate(m, test_x, test_y, autocast, fmt, args.tta) for m in [model] + ([average] if average else []))
        print(f"epoch {epoch + 1}: top-1 {top1:.4f}", flush=True)
        if top1 >= args.target:
            break
    print(json.dumps({"engine": f"pytorch {torch.__version__}", "reached": top1 >= args.target, "target": args.target,
                      "epochs": epoch + 1, "top1": top1, "recipe": vars(args)}))


if __name__ == "__main__":
    main()
