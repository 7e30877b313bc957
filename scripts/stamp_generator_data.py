#!/usr/bin/python3
"""Record the training data's name in a generator file that was exported without it.

Usage (from the repository root; /usr/bin/python3, no other module):
    /usr/bin/python3 scripts/stamp_generator_data.py FILE.safetensors DATA IMAGES

`convt-lab train` records in every checkpoint the data it trained on (metadata "data", the
dataset's name such as "digits20", "fashion-mnist-train" or "emoji:smileys-emotion", and
"data.images", how many images it had), and `export-generator` copies both into the generator
file. Generator files exported before it copied them say nothing, so `sample --score` and the
latent explorer cannot tell a digit generator from a Fashion-MNIST one. This adds the two keys
to the file's safetensors header (https://huggingface.co/docs/safetensors: an 8-byte
little-endian header length, a JSON header with "__metadata__", then the tensors' bytes, which
are copied unchanged). The file is written to FILE.tmp and renamed over FILE.

Refuses (exit 2, one line on stderr, FILE unchanged) a file that is not a generator file, or one
that already records different data.
"""
import json
import os
import struct
import sys


def fail(message):
    sys.stderr.write("stamp_generator_data: " + message + "\n")
    sys.exit(2)


def main(argv):
    if len(argv) != 4:
        fail("expected FILE DATA IMAGES, found " + str(len(argv) - 1) + " argument(s)")
    path, data, images = argv[1], argv[2], argv[3]
    if not images.isdigit() or int(images) < 1:
        fail("IMAGES: expected a positive whole number, found '" + images + "'")
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        fail(path + ": expected a safetensors file, found " + str(len(blob)) + " bytes")
    (length,) = struct.unpack("<Q", blob[:8])
    if length > len(blob) - 8:
        fail(path + ": header of " + str(length) + " bytes runs past the end of the file")
    header = json.loads(blob[8:8 + length])
    meta = header.get("__metadata__", {})
    if meta.get("generator_only") != "true":
        fail(path + ": expected a generator file (metadata generator_only = true), found "
             + repr(meta.get("generator_only")))
    for key, value in (("data", data), ("data.images", images)):
        if key in meta and meta[key] != value:
            fail(path + ": already records " + key + " = '" + meta[key] + "', not '" + value + "'")
        meta[key] = value
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the tensors stay 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(blob[8 + length:])
    os.replace(tmp, path)
    print(path + ": data = " + data + ", data.images = " + images)


if __name__ == "__main__":
    main(sys.argv)
