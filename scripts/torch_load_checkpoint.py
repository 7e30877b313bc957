#!/usr/bin/python3
"""Loads a convt-lab GAN checkpoint into the PyTorch form of the model and checks that PyTorch's
generator reproduces our samples for the same z.

    /usr/bin/python3 scripts/torch_load_checkpoint.py CKPT [CKPT ...] \
        [--exe build/app/convt-lab] [--n 64] [--seed 0] [--samples ours.npy]

For each file it draws z (numpy, N(0,1), --seed) into a temporary z.npy, runs
`convt-lab sample --checkpoint CKPT --z z.npy --backend naive --out ours.npy`, then PyTorch's G(z)
in eval mode (BatchNorm running statistics), and prints the max |difference|.

The PyTorch model comes from scripts/convt_torch.py (built from the spec in the file's metadata).
G is compared with `sample --no-ema`; a generator file (export-generator) with G_ema also G_ema
with `sample --ema` (the BatchNorm statistics it stores); a file with D gets
D's mean logit on our samples. Several checkpoints may be given; exit 1 if any differs by 1e-4
or more.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import convt_torch  # noqa: E402


def ours(exe, checkpoint, z_path, out_path, which):
    subprocess.run([exe, "sample", "--checkpoint", checkpoint, "--z", z_path, "--backend", "naive",
                    which, "--out", out_path], check=True, stdout=subprocess.DEVNULL)
    return np.load(out_path)


def check(path, args, tmp):
    m = convt_torch.load(path)
    spec = m.spec
    z = np.random.default_rng(args.seed).standard_normal((args.n, spec["latent_dim"])).astype(np.float32)
    z_path = os.path.join(tmp, "z.npy")
    np.save(z_path, z)
    worst = 0.0
    for name, net, which in (("G", m.G, "--no-ema"), ("G_ema", m.G_ema, "--ema")):
        if net is None:
            continue
        if name == "G_ema" and m.metadata.get("generator_only") != "true":
            print(f"{os.path.basename(path)}: G_ema not compared: a training checkpoint's G_ema "
                  "holds G's BatchNorm statistics, which `sample` re-estimates (export-generator "
                  "stores the re-estimated ones)")
            continue
        if args.samples and name == "G":
            mine = np.load(args.samples)
        else:
            mine = ours(args.exe, path, z_path, os.path.join(tmp, name + ".npy"), which)
        with torch.no_grad():
            theirs = net(torch.from_numpy(z)).numpy()
        diff = float(np.abs(theirs - mine).max())
        worst = max(worst, diff)
        print(f"{os.path.basename(path)}: model {spec['name']} step {m.metadata.get('step')}: "
              f"{args.n} samples {mine.shape[1:]}, max |PyTorch {name}(z) - convt {name}(z)| = {diff:.3g}")
        if m.D is not None:
            with torch.no_grad():
                logit = float(m.D(torch.from_numpy(mine)).mean())
            print(f"  PyTorch D(convt {name} samples) mean logit {logit:.4f}")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", nargs="+")
    ap.add_argument("--exe", default=os.path.join(HERE, "..", "build", "app", "convt-lab"))
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", help="our G samples .npy for the z of --seed (skips running G's sample)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.checkpoint:
            worst = max(worst, check(path, args, tmp))
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
