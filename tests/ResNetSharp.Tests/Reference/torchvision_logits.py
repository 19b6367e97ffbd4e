"""Writes a torchvision model with random weights and BatchNorm statistics, and its eval-mode logits.

/usr/bin/python3 torchvision_logits.py ARCH OUT_DIR SEED [HxW ...]
  OUT_DIR/ARCH.safetensors         the state dict, written by this script per the safetensors format
  OUT_DIR/ARCH.pth                 the same state dict, written by torch.save
  OUT_DIR/ARCH.checkpoint.pth      {"state_dict": ..., "epoch": 3, "optimizer": {...}}: a typical training checkpoint
  OUT_DIR/ARCH.io.safetensors      "input" (2x3x67x45) and "logits", then "input_HxW" (1x3xHxW) and "logits_HxW"
                                   for each extra size given
"""
import sys

import torch
import torchvision

from safetensors_io import save_safetensors

arch, out_dir, seed, sizes = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
torch.manual_seed(seed)
model = getattr(torchvision.models, arch)()
with torch.no_grad():
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.weight.uniform_(0.5, 1.5)
            module.bias.normal_(0, 0.1)
            module.running_mean.normal_(0, 0.1)
            module.running_var.uniform_(0.5, 1.5)
            module.num_batches_tracked.fill_(seed)
model.eval()
x = torch.randn(2, 3, 67, 45)
with torch.no_grad():
    logits = model(x)
save_safetensors(f"{out_dir}/{arch}.safetensors", model.state_dict())
io = {"input": x, "logits": logits}
for size in sizes:
    height, width = (int(side) for side in size.split("x"))
    io[f"input_{size}"] = torch.randn(1, 3, height, width)
    with torch.no_grad():
        io[f"logits_{size}"] = model(io[f"input_{size}"])
save_safetensors(f"{out_dir}/{arch}.io.safetensors", io)
torch.save(model.state_dict(), f"{out_dir}/{arch}.pth")
torch.save({"state_dict": model.state_dict(), "epoch": 3, "optimizer": {"lr": 0.1, "momentum": [torch.ones(2)]}},
           f"{out_dir}/{arch}.checkpoint.pth")
