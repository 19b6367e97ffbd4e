"""PyTorch eager reference for `resnet bench`: the same model, batch, precision and memory format with
PyTorch's everyday best settings (autocast, channels_last model and input, cudnn.benchmark, the default
SGD), printing the same JSON fields as `resnet bench --json`, so the two can be compared in one call.

python3 bench/pytorch_reference.py --model resnet18_cifar --mode train --batch-size 512 --precision bf16 --channels-last
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torchvision


def build(name, classes):
    cifar = name.endswith("_cifar")
    base = name[: -len("_cifar")] if cifar else name
    model = getattr(torchvision.models, base)(num_classes=classes)
    if cifar:  # the CIFAR stem: 3x3 stride-1 convolution, no max-pool
        model.conv1 = nn.Conv2d(model.conv1.in_channels, model.conv1.out_channels, 3, 1, 1, bias=False)
        model.maxpool = nn.Identity()
    return model


def device_memory_in_use(device):
    if device.type != "cuda":
        return None
    free, total = torch.cuda.mem_get_info(device)
    return total - free


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet18_cifar")
    parser.add_argument("--mode", choices=["train", "infer"], default="train")
    parser.add_argument("--batch-size", "--batch", dest="batch", type=int, default=64)
    parser.add_argument("--input", default=None, help="CxHxW")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--classes", type=int, default=None)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()

    cifar = args.model.endswith("_cifar")
    channels, height, width = (int(v) for v in (args.input or ("3x32x32" if cifar else "3x224x224")).split("x"))
    classes = args.classes or (10 if cifar else 1000)
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format

    model = build(args.model, classes).to(device, memory_format=memory_format)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, channels, height, width, generator=generator).to(device, memory_format=memory_format)
    y = torch.randint(0, classes, (args.batch,), generator=generator).to(device)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.precision)
    autocast = torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)
    train = args.mode == "train"
    model.train(train)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4) if train else None
    scaler = torch.cuda.amp.GradScaler(enabled=train and args.precision == "fp16")
    loss_fn = nn.CrossEntropyLoss()

    def step():
        if not train:
            with torch.no_grad(), autocast:
                model(x)
            return
        with autocast:
            loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    def synchronize():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(args.warmup):
        step()
    synchronize()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    synchronize()
    seconds = time.perf_counter() - start

    result = {
        "engine": f"pytorch {torch.__version__}",
        "model": args.model,
        "mode": args.mode,
        "batch": args.batch,
        "input": f"{channels}x{height}x{width}",
        "precision": args.precision,
        "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        "threads": torch.get_num_threads(),
        "warmupSteps": args.warmup,
        "steps": args.steps,
        "seconds": seconds,
        "imagesPerSecond": args.batch * args.steps / seconds,
        "millisecondsPerStep": seconds * 1000 / args.steps,
        "peakHostMemoryBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "channelsLast": args.channels_last,
        # The same measure as `resnet bench` (cudaMemGetInfo: context plus the caching allocator), then PyTorch's own.
        "deviceMemoryInUseBytes": device_memory_in_use(device),
        "peakDeviceMemoryAllocatedBytes": torch.cuda.max_memory_allocated(device) if device.type == "cuda" else None,
        "peakDeviceMemoryReservedBytes": torch.cuda.max_memory_reserved(device) if device.type == "cuda" else None,
        "notes": ("channels_last; " if args.channels_last else "") + ("cudnn.benchmark" if device.type == "cuda" else ""),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
