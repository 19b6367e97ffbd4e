"""torchvision's eval preprocessing of an image file, on the tensor path with antialiasing.

/usr/bin/python3 eval_preprocess.py IMAGE RESIZE CROP OUT.safetensors   -> "pixels": uint8 (3, CROP, CROP)
"""
import sys

import numpy
import torch
from PIL import Image
from torchvision import transforms

from safetensors_io import save_safetensors

path, resize, crop, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pixels = torch.from_numpy(numpy.array(Image.open(path).convert("RGB"))).permute(2, 0, 1).contiguous()
pipeline = transforms.Compose([transforms.Resize(resize, antialias=True), transforms.CenterCrop(crop)])
save_safetensors(out, {"pixels": pipeline(pixels).contiguous()})
