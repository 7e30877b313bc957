#!/usr/bin/python3
"""ConvT Lab's models in PyTorch: the nn.Sequential of every model spec (assets/models/*.json), with
state_dict names that match our checkpoints, and a loader for our .safetensors files. Three lines
take a generator trained in ConvT Lab into PyTorch:

    import convt_torch                                   # this file (scripts/)
    m = convt_torch.load("assets/checkpoints/dcgan20_digits.safetensors")
    images = m.generator()(torch.randn(16, m.spec["latent_dim"]))   # (16, 1, 20, 20) in [-1, 1]

Layouts are PyTorch's (Linear (out, in), Conv2d (C_out, C_in, kH, kW), ConvTranspose2d
(C_in, C_out, kH, kW)), so the weights load as they are; tensor names are nn.Sequential's
state_dict names with the prefix "G.", "D." or "G_ema." (the averaged G). Keras' "same" padding
of a spec becomes PyTorch's padding and output_padding as core/include/convt/shape.h computes them.
Needs PyTorch (Debian: python3-torch) and numpy; reads .safetensors with read_safetensors.py.
"""
import json
import os
import sys
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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
    """nn.Sequential of a spec's layer list ("generator" or "discriminator") for inputs of
    in_shape (per sample: [latent_dim] or [C, H, W]). ValueError on an unknown layer type."""
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


def build_gan(spec):
    """(G, D) of a model spec (a dict, as assets/models/NAME.json holds), untrained."""
    return (build(spec["generator"], [spec["latent_dim"]]),
            build(spec["discriminator"], spec["image_shape"]))


def load(path):
    """A checkpoint or generator file of `convt-lab train` / `export-generator`, in PyTorch.

    Returns a namespace with spec (dict), metadata (dict of str), G, D and G_ema (nn.Sequential in
    eval mode, or None when the file has no such tensors: a generator file has no D, a run without
    --ema-decay no G_ema) and generator() (G_ema if there is one, else G: what convt-lab samples).
    A training checkpoint's G_ema carries G's BatchNorm statistics (convt-lab sample re-estimates
    them for the averaged weights): take a file of `convt-lab export-generator` to sample G_ema.
    Raises ValueError naming the missing or unexpected tensors of a network the file has."""
    tensors, metadata = read_safetensors.load(path)
    spec = json.loads(metadata["spec"])
    nets = {}
    for prefix, layers, in_shape in (("G.", spec["generator"], [spec["latent_dim"]]),
                                     ("G_ema.", spec["generator"], [spec["latent_dim"]]),
                                     ("D.", spec["discriminator"], spec["image_shape"])):
        state = {k[len(prefix):]: torch.from_numpy(v) for k, v in tensors.items()
                 if k.startswith(prefix)}
        if not state:
            nets[prefix] = None
            continue
        net = build(layers, in_shape)
        missing, unexpected = net.load_state_dict(state, strict=False)
        missing = [m for m in missing if not m.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise ValueError(f"{path}: {prefix[:-1]}: missing {missing}, unexpected {unexpected}")
        nets[prefix] = net.eval()
    m = SimpleNamespace(spec=spec, metadata=metadata, G=nets["G."], D=nets["D."],
                        G_ema=nets["G_ema."])
    m.generator = lambda: m.G_ema if m.G_ema is not None else m.G
    return m
