#!/usr/bin/python3
"""PyTorch's CPU training throughput on the notes' 20x20 GAN: the reference for `bench train`.

The model is built from assets/models/dcgan20.json by scripts/convt_torch.py (the PyTorch form of
every spec, also what our checkpoints load into), so the two programs time the same layers:
  G: Linear(100 -> 6400, no bias) BatchNorm1d LeakyReLU(0.2) Unflatten(256, 5, 5)
     ConvTranspose2d(256 -> 128, k5 s2, Keras 'same': padding 2, output_padding 1, no bias)
     BatchNorm2d LeakyReLU(0.2)
     ConvTranspose2d(128 -> 64, k5 s2, 'same', no bias) BatchNorm2d LeakyReLU(0.2)
     ConvTranspose2d(64 -> 1, k5 s1, 'same', no bias) Tanh
  D: Conv2d(1 -> 64, k5 s2 p2) LeakyReLU(0.2) Dropout(0.3)
     Conv2d(64 -> 128, k5 s2 p2) LeakyReLU(0.2) Dropout(0.3) Flatten Linear(3200 -> 1)
Adam(lr, 0.5, 0.999), BCE with logits; a step is Step A (G through D) then Step B (D on real and
the same fakes), as GanTrainer. Prints samples/s (real images per second) per thread count.

Run (Debian's python3-torch, not the python3 first on PATH):
  /usr/bin/python3 scripts/bench_torch_dcgan20.py [--batch 256] [--steps 6] [--threads 1,2]
beside `convt-lab bench train --model dcgan20 --batch B --threads N` in the same minutes: figures
from different moments on a shared machine do not compare, ratios from one run do.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import convt_torch  # noqa: E402


def make():
    """(G, D) of the dcgan20 spec as nn.Sequential (scripts/convt_torch.py)."""
    with open(os.path.join(HERE, "..", "assets", "models", "dcgan20.json")) as f:
        return convt_torch.build_gan(json.load(f))


def samples_per_second(threads, batch, steps, lr=1e-4):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    G, D = make()
    opt_g = torch.optim.Adam(G.parameters(), lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real = torch.rand(batch, 1, 20, 20) * 2 - 1  # synthetic, as bench train
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def step():
        fake = G(torch.randn(batch, 100))
        loss_g = bce(D(fake), ones)  # Step A
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        fake = fake.detach()  # Step B
        loss_d = bce(D(real), ones) + bce(D(fake), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()

    step()
    step()  # warm-up, as bench train
    began = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - began) / steps
    return batch / seconds, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    args = parser.parse_args()
    for threads in (int(t) for t in args.threads.split(",")):
        sps, seconds = samples_per_second(threads, args.batch, args.steps)
        print(f"torch {torch.__version__} threads={threads} batch={args.batch} "
              f"step={seconds * 1000:.1f} ms  samples/s={sps:.0f}")


if __name__ == "__main__":
    main()
