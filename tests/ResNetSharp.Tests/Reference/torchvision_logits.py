"""Writes a torchvision model with random weights and BatchNorm statistics, and its eval-mode logits.

/usr/bin/python3 torchvision_logits.py ARCH OUT_DIR SEED
  OUT_DIR/ARCH.safetensors         the state dict, written by this script per the safetensors format
  OUT_DIR/ARCH.pth                 the same state dict, written by torch.save
  OUT_DIR/ARCH.checkpoint.pth      {"state_dict": ..., "epoch": 3, "optimizer": {...}}: a typical training checkpoint
  OUT_DIR/ARCH.io.safetensors      "input" (2x3x67x45) and "logits"
"""
import sys

import torch
import torchvision

from safetensors_io import save_safetensors

arch, out_dir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
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
save_safetensors(f"{out_dir}/{arch}.io.safetensors", {"input": x, "logits": logits})
torch.save(model.state_dict(), f"{out_dir}/{arch}.pth")
torch.save({"state_dict": model.state_dict(), "epoch": 3, "optimizer": {"lr": 0.1, "momentum": [torch.ones(2)]}},
           f"{out_dir}/{arch}.checkpoint.pth")
