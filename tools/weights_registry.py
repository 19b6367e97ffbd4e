#!/usr/bin/env python3
"""Writes src/ResNetSharp/Zoo/torchvision-weights.json: the registry of torchvision's ResNet-family weights.

Everything but the full SHA-256 digests and byte sizes is read from torchvision's own metadata
(torchvision.models.resnet, 0.14 or newer): URL, file, preprocessing, categories, metrics, parameter
count, recipe, which tag is DEFAULT. torchvision publishes only the first 8 hex digits of each file's
SHA-256 (in its name). The full digests below were established from independent public records of
the same files (each begins with the published prefix); where none was found, the registry keeps the
prefix and a pull verifies that prefix, as torch.hub does.

Usage: /usr/bin/python3 tools/weights_registry.py > src/ResNetSharp/Zoo/torchvision-weights.json
"""
import json
import sys

import torchvision.models.resnet as resnet

# file name -> (full SHA-256, bytes or None), from public records of the published files.
KNOWN_FILES = {
    "resnet18-f37072fd.pth": ("f37072fd47e89c5e827621c5baffa7500819f7896bbacec160b1a16c560e07ec", 46830571),
    "resnet34-b627a593.pth": ("b627a593bcbe140c234610266fe4f8ae95ea42fc881d091c9b6052e6b1d0590f", 87319819),
    "resnet50-0676ba61.pth": ("0676ba61b6795bbe1773cffd859882e5e297624d384b6993f7c9e683e722fb8a", 102530333),
    "resnet50-11ad3fa6.pth": ("11ad3fa62ca79e40addfd354a8ec4b7c75143b3038b8d2a807fbc68deab379ca", 102540417),
    "resnet101-63fe2227.pth": ("63fe2227b86e8f1f2063f43a75c84d195911b6a0eace650907dd3dc62dd49a0a", None),
    "resnet101-cd907fc2.pth": ("cd907fc2a0de2292b2ba2b27d2216bc672d84632d1cf20058d01c0c03b5e020e", None),
    "resnet152-394f9c45.pth": ("394f9c45966e3651a89bbb78a48410a6755854ce4a5ab64927cf1c7247f85e58", None),
    "wide_resnet50_2-95faca4d.pth": ("95faca4d11227dddf8633dbb5ff6c8a9003c1aa5b8945c73834b8007b10950b8", 138223492),
    "wide_resnet50_2-9ba9bcbe.pth": ("9ba9bcbebc349d733a72eb7608143fd754e4689ac8d8ce2916ca0bdff6443950", None),
    "wide_resnet101_2-32ee1156.pth": ("32ee11565f95f2f07223b243ada444a6457c4b90a88e6e293922813faf6dfd06", 254695146),
}

FAMILIES = [
    ("resnet18", resnet.ResNet18_Weights),
    ("resnet34", resnet.ResNet34_Weights),
    ("resnet50", resnet.ResNet50_Weights),
    ("resnet101", resnet.ResNet101_Weights),
    ("resnet152", resnet.ResNet152_Weights),
    ("wide_resnet50_2", resnet.Wide_ResNet50_2_Weights),
    ("wide_resnet101_2", resnet.Wide_ResNet101_2_Weights),
    ("resnext50_32x4d", resnet.ResNeXt50_32X4D_Weights),
    ("resnext101_32x8d", resnet.ResNeXt101_32X8D_Weights),
    ("resnext101_64x4d", resnet.ResNeXt101_64X4D_Weights),
]


def single(value):
    return value[0] if isinstance(value, (list, tuple)) else value


def entry(model, weights, default):
    transforms = weights.transforms()
    file = weights.url.rsplit("/", 1)[1]
    prefix = file.rsplit("-", 1)[1].split(".")[0]
    sha256, size = KNOWN_FILES.get(file, (prefix, None))
    assert sha256.startswith(prefix), file
    (dataset, metrics), = weights.meta["_metrics"].items()
    result = {
        "model": model,
        "tag": weights.name,
        "default": default,
        "file": file,
        "url": weights.url,
        "sha256": sha256,
    }
    if size is not None:
        result["bytes"] = size
    result.update({
        "preprocessing": {
            "resizeTo": single(transforms.resize_size),
            "cropTo": single(transforms.crop_size),
            "interpolation": transforms.interpolation.value,
            "mean": list(transforms.mean),
            "std": list(transforms.std),
        },
        "categories": "imagenet-1k",
        "metrics": {"dataset": dataset, "top1": metrics["acc@1"], "top5": metrics["acc@5"]},
        "numParams": weights.meta["num_params"],
        "recipe": weights.meta["recipe"],
    })
    return result


def main():
    categories = resnet.ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
    entries = []
    for model, enum in FAMILIES:
        for weights in enum:
            assert weights.meta["categories"] == categories
            entries.append(entry(model, weights, weights is enum.DEFAULT))
    json.dump({"categories": {"imagenet-1k": categories}, "weights": entries}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
