"""Loads a .pth with torch.load(weights_only=True) and re-saves it as safetensors, to check files we write.

/usr/bin/python3 torch_load.py IN.pth OUT.safetensors
"""
import sys

import torch

from safetensors_io import save_safetensors

state = torch.load(sys.argv[1], weights_only=True)
assert isinstance(state, dict), type(state)
save_safetensors(sys.argv[2], state)
print(len(state))
