#!/usr/bin/env python3
"""Copies D out of a ConvT Lab GAN training checkpoint into a small file of its own.

    scripts/export_discriminator.py CHECKPOINT OUT

CHECKPOINT: a `convt-lab train` (or dashboard) checkpoint, safetensors with the metadata "spec"
(the model spec as JSON) and tensors "G.*", "D.*" and the optimisers' state. OUT gets the "D.*"
tensors unchanged, byte for byte, and the metadata "format", "model", "spec" and "step": what
app/logic/cnn_inside.h's load_discriminator reads (a D-only file is about a tenth of the
checkpoint). Written to OUT.tmp-PID, then renamed. Standard library only (the safetensors format:
an 8-byte little-endian header length, a JSON header of dtype/shape/data_offsets per tensor, the
data).
"""
import json
import os
import struct
import sys


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: export_discriminator.py CHECKPOINT OUT")
    src, out = argv[1], argv[2]
    with open(src, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    if "spec" not in meta or not any(k.startswith("D.") for k in header):
        sys.exit(f"{src}: expected a GAN training checkpoint (metadata 'spec', tensors 'D.*'), "
                 f"found metadata {sorted(meta)} and {len(header)} tensors")
    tensors, blobs, offset = {}, [], 0
    for name in sorted(k for k in header if k.startswith("D.")):
        t = header[name]
        begin, end = t["data_offsets"]
        blobs.append(data[begin:end])
        tensors[name] = {"dtype": t["dtype"], "shape": t["shape"],
                         "data_offsets": [offset, offset + end - begin]}
        offset += end - begin
    tensors["__metadata__"] = {k: meta[k] for k in ("format", "model", "spec", "step") if k in meta}
    head = json.dumps(tensors, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    tmp = f"{out}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    os.replace(tmp, out)
    print(f"{out}: {len(tensors) - 1} D tensors, {os.path.getsize(out)} bytes, step {meta.get('step')}")


if __name__ == "__main__":
    main(sys.argv)
