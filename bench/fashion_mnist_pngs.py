#!/usr/bin/env python3
"""Writes Fashion-MNIST as PNG files, one folder per class: OUT/train/CLASS/NNNNN.png and OUT/test/CLASS/NNNNN.png.

Usage: python3 bench/fashion_mnist_pngs.py [--data /usr/share/datasets/fashion-mnist] [--train N] [--test M] OUT
(--train/--test: only the first N/M images of each split; all by default)
"""
import argparse
import gzip
import os
import struct

from PIL import Image

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return dims, f.read()


def write_split(data, prefix, out, limit=None):
    (count, rows, cols), pixels = read_idx(os.path.join(data, f"{prefix}-images-idx3-ubyte.gz"))
    count = min(count, limit or count)
    _, labels = read_idx(os.path.join(data, f"{prefix}-labels-idx1-ubyte.gz"))
    for name in CLASSES:
        os.makedirs(os.path.join(out, name), exist_ok=True)
    size = rows * cols
    for i in range(count):
        image = Image.frombytes("L", (cols, rows), pixels[i * size:(i + 1) * size])
        image.save(os.path.join(out, CLASSES[labels[i]], f"{i:05d}.png"))
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--train", type=int, help="write only the first N training images")
    parser.add_argument("--test", type=int, help="write only the first N test images")
    parser.add_argument("out")
    args = parser.parse_args()
    for prefix, split, limit in (("train", "train", args.train), ("t10k", "test", args.test)):
        if not os.path.isdir(os.path.join(args.out, split)):
            n = write_split(args.data, prefix, os.path.join(args.out, split), limit)
            print(f"{split}: {n} images")


if __name__ == "__main__":
    main()
