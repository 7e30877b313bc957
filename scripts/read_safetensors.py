#!/usr/bin/python3
"""A minimal .safetensors reader/writer in numpy, for machines without the `safetensors` package
(Debian does not package it; PyPI may be unreachable). F32 only, like convt's checkpoints.

    /usr/bin/python3 scripts/read_safetensors.py FILE      # lists tensors and metadata

    import read_safetensors; tensors, metadata = read_safetensors.load("ckpt.safetensors")
    # with PyTorch: {k: torch.from_numpy(v) for k, v in tensors.items()}

Format (https://huggingface.co/docs/safetensors): uint64 LE header length N, N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then data.
"""
import json
import struct
import sys

import numpy as np


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name!r}: dtype {info['dtype']} (expected F32)")
        begin, end = info["data_offsets"]
        if end > len(data) or end - begin != 4 * int(np.prod(info["shape"], dtype=np.int64)):
            raise ValueError(f"{path}: tensor {name!r}: bad data_offsets {begin, end}")
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"]).copy()
    return tensors, metadata


def save(path, tensors, metadata=None):
    """Writes as the reference implementation does: metadata first, tensors by name."""
    header, offset, chunks = {}, 0, []
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        chunks.append(a.tobytes())
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tensors, metadata = load(sys.argv[1])
    for name, a in tensors.items():
        print(f"{name}: {tuple(a.shape)} float32, mean {a.mean() if a.size else 0:.6g}")
    for key, value in metadata.items():
        print(f"__metadata__ {key}: {value[:100]}")
