"""References for the recipe tests: torchvision's Resize on uint8 tensors, and ReduceLROnPlateau's rates.

  resize IN OUT N C H W SIDE   uint8 (N, C, H, W) raw bytes in IN -> resized raw bytes in OUT
  plateau MODE FACTOR PATIENCE V1,V2,...   prints the learning rate (from 1.0) after each value, one per line
"""
import sys

import torch
import torchvision.transforms.functional as F

if sys.argv[1] == "resize":
    _, _, source, target, n, c, h, w, side = sys.argv
    data = open(source, "rb").read()
    images = torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(int(n), int(c), int(h), int(w))
    resized = F.resize(images, [int(side), int(side)], interpolation=F.InterpolationMode.BILINEAR, antialias=True)
    assert resized.dtype == torch.uint8
    open(target, "wb").write(resized.contiguous().numpy().tobytes())
elif sys.argv[1] == "plateau":
    _, _, mode, factor, patience, values = sys.argv
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode=mode, factor=float(factor), patience=int(patience))
    for value in values.split(","):
        scheduler.step(float(value))
        print(repr(optimizer.param_groups[0]["lr"]))
