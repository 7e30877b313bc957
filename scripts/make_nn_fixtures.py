#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of the nn tests into core/tests/fixtures/nn/.

Run: /usr/bin/python3 scripts/make_nn_fixtures.py   (Debian python3-torch, python3-numpy)

  bn1d_* / bn2d_*: torch.nn.BatchNorm1d(4) / BatchNorm2d(2) (momentum 0.1, eps 1e-5):
      two training forwards (x1, x2) -> out1, running_mean, running_var after both,
      backward of out2 with dout -> dx, dweight, dbias; then an eval forward on x3 -> out_eval.
  mlp_*: a 2-layer model Linear(6, 8) -> LeakyReLU(0.2) -> Linear(8, 1) trained on fixed (x, y)
      with BCEWithLogitsLoss and torch.optim.Adam(lr 0.01, betas (0.5, 0.999)) for 5 steps
      (mlp_adam_losses), and with SGD(lr 0.1, momentum 0.9) (mlp_sgd_losses); initial weights
      saved as mlp_w1, mlp_b1, mlp_w2, mlp_b2; final weights after Adam as mlp_adam_*.
  dcgan20_param_counts.json: per-layer parameter counts of notes_dcgan20(), the notes' model
      written out by hand here (same layer order as assets/models/dcgan20.json): an independent
      check that the spec is the notes' model.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "core", "tests", "fixtures", "nn")


def notes_dcgan20():
    """The notes' 20x20 GAN, layer by layer, written from the notes and not from our spec (so the
    parameter counts check assets/models/dcgan20.json against it):
      G: Linear(100 -> 6400, no bias) BatchNorm1d LeakyReLU(0.2) Unflatten(256, 5, 5)
         ConvTranspose2d(256 -> 128, k5 s2, Keras 'same': padding 2, output_padding 1, no bias)
         BatchNorm2d LeakyReLU(0.2)
         ConvTranspose2d(128 -> 64, k5 s2, 'same', no bias) BatchNorm2d LeakyReLU(0.2)
         ConvTranspose2d(64 -> 1, k5 s1, 'same', no bias) Tanh
      D: Conv2d(1 -> 64, k5 s2 p2) LeakyReLU(0.2) Dropout(0.3)
         Conv2d(64 -> 128, k5 s2 p2) LeakyReLU(0.2) Dropout(0.3) Flatten Linear(3200 -> 1)"""
    def up(c_in, c_out, stride):  # Keras 'same' for k5: padding 2, output_padding stride - 1
        return nn.ConvTranspose2d(c_in, c_out, 5, stride=stride, padding=2,
                                  output_padding=stride - 1, bias=False)
    G = nn.Sequential(nn.Linear(100, 6400, bias=False), nn.BatchNorm1d(6400), nn.LeakyReLU(0.2),
                      nn.Unflatten(1, (256, 5, 5)),
                      up(256, 128, 2), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                      up(128, 64, 2), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                      up(64, 1, 1), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                      nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                      nn.Flatten(), nn.Linear(3200, 1))
    return G, D


def save(name, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    np.save(os.path.join(OUT, name + ".npy"), a.astype(np.float32))


def batch_norm_case(prefix, bn, shape):
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(bn.num_features, generator=g) + 0.5)
        bn.bias.copy_(torch.rand(bn.num_features, generator=g) - 0.5)
    x1 = torch.randn(*shape, generator=g) * 2 + 1
    x2 = (torch.randn(*shape, generator=g) - 0.5).requires_grad_(True)
    x3 = torch.randn(*shape, generator=g)
    dout = torch.randn(*shape, generator=g)
    save(prefix + "_weight", bn.weight)
    save(prefix + "_bias", bn.bias)
    for n, t in (("x1", x1), ("x2", x2), ("x3", x3), ("dout", dout)):
        save(prefix + "_" + n, t)
    bn.train()
    out1 = bn(x1)
    save(prefix + "_out1", out1)
    out2 = bn(x2)
    out2.backward(dout)
    save(prefix + "_running_mean", bn.running_mean)
    save(prefix + "_running_var", bn.running_var)
    save(prefix + "_dx", x2.grad)
    save(prefix + "_dweight", bn.weight.grad)
    save(prefix + "_dbias", bn.bias.grad)
    bn.eval()
    save(prefix + "_out_eval", bn(x3))


def mlp():
    torch.manual_seed(2)
    return nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))


def train(model, opt, x, y, steps=5):
    losses = []
    bce = nn.BCEWithLogitsLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss = bce(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main():
    os.makedirs(OUT, exist_ok=True)
    batch_norm_case("bn1d", nn.BatchNorm1d(4), (6, 4))
    batch_norm_case("bn2d", nn.BatchNorm2d(2), (3, 2, 4, 4))

    g = torch.Generator().manual_seed(3)
    x = torch.randn(10, 6, generator=g)
    y = (torch.rand(10, 1, generator=g) > 0.5).float()
    save("mlp_x", x)
    save("mlp_y", y)
    m = mlp()
    save("mlp_w1", m[0].weight)
    save("mlp_b1", m[0].bias)
    save("mlp_w2", m[2].weight)
    save("mlp_b2", m[2].bias)
    save("mlp_adam_losses", train(m, torch.optim.Adam(m.parameters(), 0.01, betas=(0.5, 0.999)), x, y))
    save("mlp_adam_w1", m[0].weight)
    save("mlp_adam_b2", m[2].bias)
    m = mlp()
    save("mlp_sgd_losses", train(m, torch.optim.SGD(m.parameters(), 0.1, momentum=0.9), x, y))

    G, D = notes_dcgan20()
    counts = {"G": [sum(p.numel() for p in l.parameters()) for l in G],
              "D": [sum(p.numel() for p in l.parameters()) for l in D]}
    with open(os.path.join(OUT, "dcgan20_param_counts.json"), "w") as f:
        json.dump(counts, f)
        f.write("\n")
    print("wrote fixtures to", os.path.normpath(OUT), "with torch", torch.__version__)


if __name__ == "__main__":
    main()
