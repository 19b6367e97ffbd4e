"""Writes a torchvision model with random weights and BatchNorm statistics, and its eval-mode logits.

/usr/bin/python3 torchvision_logits.py ARCH OUT_DIR SEED
  OUT_DIR/ARCH.safetensors         the state dict, written by this script per the safetensors format
  OUT_DIR/ARCH.io.safetensors      "input" (2x3x67x45) and "logits"
"""
import json
import struct
import sys

import torch
import torchvision

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


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
