#!/usr/bin/python3
"""Write the PyTorch reference fixtures for core/tests/test_ops_reference.cpp and test_npy.cpp.

Run from anywhere with Debian's interpreter (it has python3-torch and python3-numpy):

    /usr/bin/python3 scripts/make_op_fixtures.py

For every case below it writes small float32 .npy files into core/tests/fixtures/ops/<case>/:
    x.npy   input                  (N, C_in, H, W)
    w.npy   weight                 conv2d (C_out, C_in, kH, kW); conv_transpose2d (C_in, C_out, kH, kW)
    b.npy   bias, if the case has one (C_out,)
    g.npy   a random grad_output   (N, C_out, H_out, W_out)
    y.npy   PyTorch's forward output
    dx.npy, dw.npy, db.npy   PyTorch's gradients from y.backward(g)
    indices.npy              max_pool2d only: return_indices, flat y*W + x in each (n, c) plane,
                             stored as float32 (exact: every index is < 2^24)
and core/tests/fixtures/ops/cases.json listing each case, its op and parameters (per axis, [h, w]).
Everything is computed in float32 on the CPU, like our kernels, from a fixed seed.

It also writes tiny files for test_npy.cpp, all from numpy's own np.save / np.lib.format:
    npy_example.npy          float32, C order, np.arange(24).reshape(2, 3, 4) * 0.5 - 3
    npy_example_v2.npy       the same array in .npy format version 2.0
    npy_example_f8.npy       the same values as float64 ('<f8'): must be refused
    npy_example_fortran.npy  the same values, float32, Fortran order: must be refused
"""

import json
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

GENERATOR = "scripts/make_op_fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "core", "tests", "fixtures", "ops")
SEED = 20240611


def pair(v):
    return [v, v] if isinstance(v, int) else list(v)


# Each case: name, op, shapes and per-axis parameters. Weight layouts are PyTorch's.
# x: (N, C_in, H, W); kernel: (kH, kW).
CASES = [
    # ---- conv2d ---------------------------------------------------------------------------
    dict(name="conv2d_basic_k3", op="conv2d", x=(1, 1, 5, 5), c_out=1, kernel=3, bias=True),
    dict(name="conv2d_s2_p1_channels_batch", op="conv2d", x=(2, 3, 7, 7), c_out=4, kernel=3,
         stride=2, padding=1, bias=True),
    dict(name="conv2d_nonsquare_kernel_input_nobias", op="conv2d", x=(2, 2, 6, 9), c_out=3,
         kernel=(2, 4), stride=(2, 1), padding=(1, 2), bias=False),
    dict(name="conv2d_dilation2_p2", op="conv2d", x=(1, 2, 9, 8), c_out=2, kernel=3,
         padding=2, dilation=2, bias=True),
    dict(name="conv2d_per_axis_all", op="conv2d", x=(3, 2, 10, 7), c_out=3, kernel=(3, 2),
         stride=(3, 2), padding=(1, 0), dilation=(1, 2), bias=True),
    dict(name="conv2d_stride_skips_input", op="conv2d", x=(1, 2, 8, 8), c_out=2, kernel=2,
         stride=3, bias=False),  # rows/cols 2 and 5 are never read: their dx must be 0
    # The seed GAN's discriminator, first layer, fewer channels: 20x20 -> 10x10, k5 s2 'same'.
    dict(name="conv2d_gan_d_k5_s2_p2", op="conv2d", x=(2, 1, 20, 20), c_out=4, kernel=5,
         stride=2, padding=2, bias=True),

    # ---- conv_transpose2d -----------------------------------------------------------------
    # The notes' example: 2x2 input, 3x3 kernel of ones, stride 2, padding 1 -> 3x3.
    dict(name="conv_transpose2d_notes_2x2_ones_s2_p1", op="conv_transpose2d", x=(1, 1, 2, 2),
         c_out=1, kernel=3, stride=2, padding=1, bias=False, x_values="arange1", w_values="ones"),
    # The notes' 4 -> 8 with k4 s2 p1.
    dict(name="conv_transpose2d_notes_4x4_k4_s2_p1", op="conv_transpose2d", x=(1, 2, 4, 4),
         c_out=3, kernel=4, stride=2, padding=1, bias=True),
    # The seed GAN's generator, fewer channels: 5 -> 10 -> 20 (k5 s2 p2 op1), 20 -> 20 (k5 s1 p2).
    dict(name="conv_transpose2d_gan_5_to_10_k5_s2_p2_op1", op="conv_transpose2d",
         x=(2, 8, 5, 5), c_out=4, kernel=5, stride=2, padding=2, output_padding=1, bias=False),
    dict(name="conv_transpose2d_gan_10_to_20_k5_s2_p2_op1", op="conv_transpose2d",
         x=(1, 4, 10, 10), c_out=2, kernel=5, stride=2, padding=2, output_padding=1, bias=False),
    dict(name="conv_transpose2d_gan_20_to_20_k5_s1_p2", op="conv_transpose2d",
         x=(1, 2, 20, 20), c_out=1, kernel=5, stride=1, padding=2, bias=False),
    dict(name="conv_transpose2d_basic_k3", op="conv_transpose2d", x=(1, 1, 3, 3), c_out=1,
         kernel=3, bias=True),
    dict(name="conv_transpose2d_output_padding_per_axis", op="conv_transpose2d",
         x=(2, 3, 4, 5), c_out=2, kernel=3, stride=(2, 3), padding=(1, 0),
         output_padding=(1, 2), bias=True),
    dict(name="conv_transpose2d_dilation2_op1", op="conv_transpose2d", x=(1, 2, 5, 4), c_out=3,
         kernel=3, stride=2, padding=1, output_padding=1, dilation=2, bias=True),
    dict(name="conv_transpose2d_nonsquare_kernel_input", op="conv_transpose2d", x=(2, 2, 3, 6),
         c_out=2, kernel=(2, 5), stride=(1, 2), padding=(0, 2), bias=True),
    dict(name="conv_transpose2d_per_axis_all_nobias", op="conv_transpose2d", x=(2, 3, 4, 3),
         c_out=2, kernel=(3, 2), stride=(2, 3), padding=(1, 1), output_padding=(0, 2),
         dilation=(2, 1), bias=False),

    # ---- max_pool2d -----------------------------------------------------------------------
    dict(name="max_pool2d_k2_s2", op="max_pool2d", x=(2, 3, 6, 8), kernel=2, stride=2),
    dict(name="max_pool2d_k3_s2_p1", op="max_pool2d", x=(1, 2, 7, 7), kernel=3, stride=2,
         padding=1),
    dict(name="max_pool2d_overlap_k3_s1", op="max_pool2d", x=(2, 1, 5, 6), kernel=3, stride=1),
    dict(name="max_pool2d_per_axis_nonsquare", op="max_pool2d", x=(2, 2, 7, 10),
         kernel=(2, 3), stride=(1, 2), padding=(1, 1)),
    dict(name="max_pool2d_dilation2_p1", op="max_pool2d", x=(1, 2, 9, 8), kernel=3, stride=1,
         padding=1, dilation=(2, 1)),
    # Windows entirely of negative values next to the -inf padding.
    dict(name="max_pool2d_negative_values_p1", op="max_pool2d", x=(1, 1, 4, 4), kernel=2,
         stride=2, padding=1, x_values="negative"),

    # ---- avg_pool2d (count_include_pad=True, ceil_mode=False: PyTorch's defaults) ---------
    dict(name="avg_pool2d_k2_s2", op="avg_pool2d", x=(2, 3, 6, 8), kernel=2, stride=2),
    dict(name="avg_pool2d_k3_s2_p1", op="avg_pool2d", x=(1, 2, 7, 7), kernel=3, stride=2,
         padding=1),
    dict(name="avg_pool2d_overlap_k3_s1", op="avg_pool2d", x=(2, 1, 5, 6), kernel=3, stride=1),
    dict(name="avg_pool2d_per_axis_nonsquare", op="avg_pool2d", x=(2, 2, 7, 10),
         kernel=(2, 3), stride=(1, 2), padding=(1, 1)),
]


def make_values(shape, how, gen):
    if how == "arange1":  # 1, 2, 3, ... : easy to follow by hand
        return torch.arange(1, int(np.prod(shape)) + 1, dtype=torch.float32).reshape(shape)
    if how == "ones":
        return torch.ones(shape, dtype=torch.float32)
    if how == "negative":
        return -1.0 - torch.rand(shape, generator=gen, dtype=torch.float32)
    return torch.randn(shape, generator=gen, dtype=torch.float32)


def save(case_dir, name, tensor):
    array = tensor.detach().cpu().numpy().astype(np.float32)
    np.save(os.path.join(case_dir, name + ".npy"), np.ascontiguousarray(array))


def run_case(case, gen):
    op = case["op"]
    n, c_in, h, w = case["x"]
    kernel = pair(case["kernel"])
    stride = pair(case.get("stride", 1))
    padding = pair(case.get("padding", 0))
    dilation = pair(case.get("dilation", 1))
    output_padding = pair(case.get("output_padding", 0))

    x = make_values((n, c_in, h, w), case.get("x_values", "randn"), gen).requires_grad_(True)
    entry = {"name": case["name"], "op": op, "x_shape": [n, c_in, h, w]}
    tensors = {"x": x}
    weight = bias = None
    indices = None

    if op in ("conv2d", "conv_transpose2d"):
        c_out = case["c_out"]
        w_shape = ((c_out, c_in) if op == "conv2d" else (c_in, c_out)) + tuple(kernel)
        weight = make_values(w_shape, case.get("w_values", "randn"), gen).requires_grad_(True)
        tensors["w"] = weight
        if case["bias"]:
            bias = torch.randn((c_out,), generator=gen, dtype=torch.float32).requires_grad_(True)
            tensors["b"] = bias
        entry.update(weight_shape=list(w_shape), bias=bool(case["bias"]), stride=stride,
                     padding=padding, dilation=dilation)
        if op == "conv2d":
            y = F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)
        else:
            entry["output_padding"] = output_padding
            y = F.conv_transpose2d(x, weight, bias, stride=stride, padding=padding,
                                   output_padding=output_padding, dilation=dilation)
    elif op == "max_pool2d":
        entry.update(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)
        y, indices = F.max_pool2d(x, kernel, stride=stride, padding=padding, dilation=dilation,
                                  return_indices=True)
    elif op == "avg_pool2d":
        assert dilation == [1, 1], "AvgPool2d has no dilation"
        entry.update(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)
        y = F.avg_pool2d(x, kernel, stride=stride, padding=padding, ceil_mode=False,
                         count_include_pad=True)
    else:
        raise ValueError(op)

    g = torch.randn(y.shape, generator=gen, dtype=torch.float32)
    y.backward(g)
    entry["y_shape"] = list(y.shape)

    case_dir = os.path.join(OUT_DIR, case["name"])
    os.makedirs(case_dir, exist_ok=True)
    for name, t in tensors.items():
        save(case_dir, name, t)
    save(case_dir, "g", g)
    save(case_dir, "y", y)
    save(case_dir, "dx", x.grad)
    files = ["x", "g", "y", "dx"]
    if weight is not None:
        save(case_dir, "dw", weight.grad)
        files += ["w", "dw"]
    if bias is not None:
        save(case_dir, "db", bias.grad)
        files += ["b", "db"]
    if indices is not None:
        assert int(indices.max()) < 2 ** 24
        save(case_dir, "indices", indices.to(torch.float32))
        files.append("indices")
    entry["files"] = sorted(files)
    return entry


def to_json(value, indent=0):
    """JSON for people: the top-level object and lists of objects are broken up, one item per
    line; everything else (one case's parameters) stays on one line."""
    pad = " " * indent
    if indent == 0 and isinstance(value, dict):
        items = [f"  {json.dumps(k)}: {to_json(v, 2).lstrip()}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        items = [to_json(v, indent + 2) for v in value]
        return pad + "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return pad + json.dumps(value)


def write_npy_examples():
    a = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) * np.float32(0.5) - np.float32(3))
    np.save(os.path.join(OUT_DIR, "npy_example.npy"), a)
    with open(os.path.join(OUT_DIR, "npy_example_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, a, version=(2, 0))
    np.save(os.path.join(OUT_DIR, "npy_example_f8.npy"), a.astype(np.float64))
    np.save(os.path.join(OUT_DIR, "npy_example_fortran.npy"), np.asfortranarray(a))
    assert np.load(os.path.join(OUT_DIR, "npy_example_fortran.npy")).flags.f_contiguous
    return {
        "values": "np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3",
        "shape": list(a.shape),
        "files": {
            "npy_example.npy": "float32 '<f4', C order, format 1.0",
            "npy_example_v2.npy": "float32 '<f4', C order, format 2.0",
            "npy_example_f8.npy": "float64 '<f8' (must be refused)",
            "npy_example_fortran.npy": "float32, fortran_order True (must be refused)",
        },
    }


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    torch.set_num_threads(1)
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)

    entries = [run_case(case, gen) for case in CASES]
    names = [e["name"] for e in entries]
    assert len(set(names)) == len(names), "case names must be unique"
    cases = {
        "generator": GENERATOR,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "seed": SEED,
        "dtype": "float32",
        "layout": {
            "x": "(N, C_in, H, W)",
            "w": "conv2d (C_out, C_in, kH, kW); conv_transpose2d (C_in, C_out, kH, kW)",
            "per_axis": "[h, w]",
            "indices": "max_pool2d flat index y*W + x within each (n, c) plane, as float32",
        },
        "cases": entries,
        "npy_example": write_npy_examples(),
    }
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        f.write(to_json(cases) + "\n")

    with open(os.path.join(OUT_DIR, "README.md"), "w") as f:
        f.write(
            "# Op reference fixtures (generated: do not edit by hand)\n\n"
            f"Written by `{GENERATOR}` with PyTorch {torch.__version__} and numpy "
            f"{np.__version__} (seed {SEED}, float32 on the CPU).\n"
            "Regenerate with:\n\n"
            "    /usr/bin/python3 scripts/make_op_fixtures.py\n\n"
            "`cases.json` lists every case: its op, shapes and per-axis parameters ([h, w]).\n"
            "Each `<case>/` holds `x`, `w`, `b` (if any), a random grad_output `g`, and PyTorch's\n"
            "`y`, `dx`, `dw`, `db` from `y.backward(g)`; max_pool2d cases also hold `indices`\n"
            "(return_indices, flat y*W + x per (n, c) plane, stored as float32).\n"
            "Used by core/tests/test_ops_reference.cpp.\n\n"
            "`npy_example*.npy` are written by numpy for core/tests/test_npy.cpp: the array\n"
            "`np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3` as float32 (format 1.0\n"
            "and 2.0), as float64 and in Fortran order (the last two must be refused).\n")

    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT_DIR) for f in fs)
    print(f"wrote {len(entries)} cases to {os.path.relpath(OUT_DIR, ROOT)} ({total} bytes)")
    assert total < 1_000_000


if __name__ == "__main__":
    main()
