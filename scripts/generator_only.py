#!/usr/bin/env python3
"""Keeps only G of a convt-lab GAN checkpoint: the tensors named "G.*" (parameters and BatchNorm
running statistics) and the metadata (spec, step, ...); D and the Adam moments are dropped, so the
file is about a quarter of the size. The app loads it for sampling
(app/logic/experiments_model.h, load_gan_generator); it cannot resume training.

    python3 scripts/generator_only.py RUN/checkpoint.safetensors assets/checkpoints/rgb32_emoji_G.safetensors

Standard library only (no numpy): the tensors' bytes are copied unchanged.
Format (https://huggingface.co/docs/safetensors): uint64 LE header length N, N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then data.
"""
import json
import os
import struct
import sys


def main(src, dst):
    with open(src, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    out_header, chunks, offset = {}, [], 0
    for name in sorted(k for k in header if k.startswith("G.")):
        info = header[name]
        begin, end = info["data_offsets"]
        chunks.append(data[begin:end])
        out_header[name] = {"dtype": info["dtype"], "shape": info["shape"],
                            "data_offsets": [offset, offset + end - begin]}
        offset += end - begin
    if not out_header:
        sys.exit(f"{src}: no tensor named G.* (expected a convt-lab GAN checkpoint)")
    metadata["generator_only"] = "true"
    out_header["__metadata__"] = metadata
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    os.replace(tmp, dst)  # atomic: a crash never leaves half a file
    print(f"{dst}: {len(out_header) - 1} tensors, {os.path.getsize(dst)} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: generator_only.py CHECKPOINT OUT")
    main(sys.argv[1], sys.argv[2])
