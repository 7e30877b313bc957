#!/usr/bin/python3
"""Loads a convt-lab GAN checkpoint into the PyTorch form of the model and checks that PyTorch's
generator reproduces our samples for the same z.

    /usr/bin/python3 scripts/torch_load_checkpoint.py RUN_DIR/checkpoint.safetensors \
        [--exe build/app/convt-lab] [--n 64] [--seed 0]
    /usr/bin/python3 scripts/torch_load_checkpoint.py CKPT --z z.npy --samples ours.npy

Without --samples it writes z (numpy, N(0,1)) to a temporary z.npy, runs
`convt-lab sample --checkpoint CKPT --z z.npy --backend naive --out ours.npy`, then runs
PyTorch's G(z) in eval mode (BatchNorm running statistics) and prints the max |difference|.

The PyTorch model: scripts/bench_torch_dcgan20.py's make() for dcgan20; for other specs it is
built from the spec in the checkpoint's metadata (same layer order, so the same indices).
Tensor names are nn.Sequential's state_dict names with a "G." / "D." prefix; the layouts are
PyTorch's (Linear (out, in), Conv2d (C_out, C_in, kH, kW), ConvTranspose2d (C_in, C_out, kH, kW)),
so the weights load as they are.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import read_safetensors  # noqa: E402


def pair(v):
    return tuple(v) if isinstance(v, list) else (v, v)


def keras_same_transpose(k, s):
    # shape.h keras_same_conv_transpose_padding (dilation 1): H_out = H*s
    total = k - s  # 2P - A = k - s, A in [0, s)
    p = (total + 1) // 2 if total > 0 else 0
    a = 2 * p - total
    return p, a


def build(layers, in_shape):
    mods, shape = [], list(in_shape)
    for spec in layers:
        t = spec["type"]
        if t == "Linear":
            m = nn.Linear(shape[0], spec["out_features"], bias=spec.get("bias", True))
            shape = [spec["out_features"]]
        elif t in ("Conv2d", "ConvTranspose2d"):
            k, s = pair(spec["kernel_size"]), pair(spec.get("stride", 1))
            pad = spec.get("padding", 0)
            if t == "Conv2d":
                p = tuple((kk - 1) // 2 for kk in k) if pad == "same" else (0, 0) if pad == "valid" else pair(pad)
                m = nn.Conv2d(shape[0], spec["out_channels"], k, s, p, bias=spec.get("bias", True))
            else:
                if pad == "same":
                    ph, ah = keras_same_transpose(k[0], s[0])
                    pw, aw = keras_same_transpose(k[1], s[1])
                    p, a = (ph, pw), (ah, aw)
                else:
                    p, a = pair(pad if pad != "valid" else 0), pair(spec.get("output_padding", 0))
                m = nn.ConvTranspose2d(shape[0], spec["out_channels"], k, s, p, a, bias=spec.get("bias", True))
            with torch.no_grad():
                shape = list(m(torch.zeros(1, *shape)).shape[1:])
        elif t == "BatchNorm1d":
            m = nn.BatchNorm1d(shape[0], eps=spec.get("eps", 1e-5), momentum=spec.get("momentum", 0.1))
        elif t == "BatchNorm2d":
            m = nn.BatchNorm2d(shape[0], eps=spec.get("eps", 1e-5), momentum=spec.get("momentum", 0.1))
        elif t == "LeakyReLU":
            m = nn.LeakyReLU(spec.get("negative_slope", 0.01))
        elif t == "ReLU":
            m = nn.ReLU()
        elif t == "Tanh":
            m = nn.Tanh()
        elif t == "Sigmoid":
            m = nn.Sigmoid()
        elif t == "Dropout":
            m = nn.Dropout(spec.get("p", 0.5))
        elif t == "Reshape":
            m = nn.Unflatten(1, tuple(spec["shape"]))
            shape = list(spec["shape"])
        elif t == "Flatten":
            m = nn.Flatten()
            shape = [int(np.prod(shape))]
        elif t == "MaxPool2d":
            k = pair(spec.get("kernel_size", 2))
            m = nn.MaxPool2d(k, pair(spec.get("stride", spec.get("kernel_size", 2))), pair(spec.get("padding", 0)))
            with torch.no_grad():
                shape = list(m(torch.zeros(1, *shape)).shape[1:])
        elif t == "Upsample":
            m = nn.Upsample(scale_factor=pair(spec.get("scale_factor", 2)), mode="nearest")
            shape = [shape[0], shape[1] * m.scale_factor[0], shape[2] * m.scale_factor[1]]
        else:
            raise ValueError(f"unknown layer type {t}")
        mods.append(m)
    return nn.Sequential(*mods)


def load_torch_gan(path):
    tensors, meta = read_safetensors.load(path)
    spec = json.loads(meta["spec"])
    if spec["name"] == "dcgan20":
        sys.path.insert(0, HERE)
        from bench_torch_dcgan20 import make
        G, D = make()
    else:
        G = build(spec["generator"], [spec["latent_dim"]])
        D = build(spec["discriminator"], spec["image_shape"])
    for prefix, net in (("G.", G), ("D.", D)):
        state = {k[len(prefix):]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith(prefix)}
        missing, unexpected = net.load_state_dict(state, strict=False)
        missing = [m for m in missing if not m.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise SystemExit(f"{path}: {prefix[0]}: missing {missing}, unexpected {unexpected}")
    return G.eval(), D.eval(), spec, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--exe", default=os.path.join(HERE, "..", "build", "app", "convt-lab"))
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--z", help="z.npy (N, latent_dim); with --samples, skip running convt-lab")
    ap.add_argument("--samples", help="our samples .npy for --z")
    args = ap.parse_args()

    G, D, spec, meta = load_torch_gan(args.checkpoint)
    with tempfile.TemporaryDirectory() as tmp:
        if args.samples:
            z = np.load(args.z).astype(np.float32)
            ours = np.load(args.samples)
        else:
            z = np.random.default_rng(args.seed).standard_normal((args.n, spec["latent_dim"])).astype(np.float32)
            z_path, out_path = os.path.join(tmp, "z.npy"), os.path.join(tmp, "ours.npy")
            np.save(z_path, z)
            subprocess.run([args.exe, "sample", "--checkpoint", args.checkpoint, "--z", z_path,
                            "--backend", "naive", "--out", out_path], check=True)
            ours = np.load(out_path)
    torch.set_num_threads(1)
    with torch.no_grad():
        theirs = G(torch.from_numpy(z)).numpy()
        d_ours = D(torch.from_numpy(ours)).numpy()
    diff = float(np.abs(theirs - ours).max())
    print(f"model {spec['name']} step {meta.get('step')}: {z.shape[0]} samples {ours.shape[1:]}, "
          f"max |PyTorch G(z) - convt G(z)| = {diff:.3g}")
    print(f"PyTorch D(convt samples) mean logit {float(d_ours.mean()):.4f}")
    return 0 if diff < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
