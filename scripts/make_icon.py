#!/usr/bin/env python3
"""Writes packaging/convt-lab.png, the app's 256x256 icon: the overlap map of a transposed
convolution with kernel_size 3 and stride 2 on a 4x4 input (9x9 output), the checkerboard the
stepper's overlap view shows. Each output cell is coloured by how many input pixels' stamps land
on it (1, 2 or 4). Standard library only (zlib for the PNG):

    python3 scripts/make_icon.py
"""
import os
import struct
import zlib

SIZE = 256
K, S, H_IN = 3, 2, 4
H_OUT = (H_IN - 1) * S + K  # 9: the transposed conv's output size, padding 0
COLORS = {1: (0xF4, 0xE3, 0xC8), 2: (0xE8, 0x8F, 0x4A), 4: (0xB2, 0x3A, 0x1E)}
BACKGROUND = (0x1D, 0x2B, 0x3A)


def overlap_counts():
    counts = [[0] * H_OUT for _ in range(H_OUT)]
    for iy in range(H_IN):
        for ix in range(H_IN):
            for ky in range(K):
                for kx in range(K):
                    counts[iy * S + ky][ix * S + kx] += 1
    return counts


def pixels():
    counts = overlap_counts()
    margin, gap = 14, 2
    cell = (SIZE - 2 * margin) // H_OUT
    origin = (SIZE - cell * H_OUT) // 2
    rows = []
    for y in range(SIZE):
        row = bytearray()
        for x in range(SIZE):
            cy, cx = (y - origin) // cell, (x - origin) // cell
            inside = 0 <= cy < H_OUT and 0 <= cx < H_OUT
            in_gap = (y - origin) % cell < gap or (x - origin) % cell < gap
            color = COLORS[counts[cy][cx]] if inside and not in_gap else BACKGROUND
            row += bytes(color) + b"\xff"
        rows.append(bytes(row))
    return rows


def png(rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)  # filter 0 on every row
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "packaging",
                       "convt-lab.png")
    with open(out + ".tmp", "wb") as f:
        f.write(png(pixels()))
    os.replace(out + ".tmp", out)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
