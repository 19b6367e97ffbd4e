"""A minimal safetensors writer, per the format, so the reference needs no extra package."""
import json
import struct

import torch

DTYPES = {"torch.float32": "F32", "torch.int64": "I64", "torch.float16": "F16", "torch.bfloat16": "BF16", "torch.uint8": "U8"}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous()
        dtype = DTYPES[str(tensor.dtype)]
        if dtype == "BF16":
            data = tensor.view(torch.int16).numpy().tobytes()
        else:
            data = tensor.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape),
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
