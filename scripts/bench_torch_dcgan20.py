#!/usr/bin/python3
"""PyTorch's CPU training throughput on the notes' 20x20 GAN: the reference for `bench train`.

The same model as assets/models/dcgan20.json, layer for layer (make() is also the PyTorch model
that scripts/torch_load_checkpoint.py and scripts/make_nn_fixtures.py load our checkpoints into):
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
import time

import torch
import torch.nn as nn


def same_conv_transpose(c_in, c_out, stride):
    # Keras 'same' for k5: H_out = H * stride, i.e. padding 2, output_padding stride - 1
    return nn.ConvTranspose2d(c_in, c_out, 5, stride=stride, padding=2,
                              output_padding=stride - 1, bias=False)


def make():
    """(G, D) as nn.Sequential, indices as in the spec's state_dict ("0.weight", ...)."""
    G = nn.Sequential(nn.Linear(100, 6400, bias=False), nn.BatchNorm1d(6400), nn.LeakyReLU(0.2),
                      nn.Unflatten(1, (256, 5, 5)),
                      same_conv_transpose(256, 128, 2), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                      same_conv_transpose(128, 64, 2), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                      same_conv_transpose(64, 1, 1), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                      nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                      nn.Flatten(), nn.Linear(3200, 1))
    return G, D


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
