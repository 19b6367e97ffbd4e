"""Prints torchvision's state-dict layout (names, shapes) for the given architectures as JSON.

Run with Debian's python3-torchvision: /usr/bin/python3 torchvision_state_dicts.py resnet18 resnet50 ...
Initialisation is skipped (only names and shapes matter), so even the largest models build in a second.
"""
import json
import sys

import torch
import torchvision

for name in ("kaiming_normal_", "kaiming_uniform_", "constant_", "uniform_", "zeros_", "ones_", "normal_"):
    setattr(torch.nn.init, name, lambda tensor, *args, **kwargs: tensor)

layouts = {}
for arch in sys.argv[1:]:
    model = getattr(torchvision.models, arch)()
    layouts[arch] = [[key, list(value.shape)] for key, value in model.state_dict().items()]
json.dump(layouts, sys.stdout)
