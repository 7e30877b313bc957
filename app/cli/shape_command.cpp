// `convt-lab shape <op> --in H[,W] --kernel-size K[,K] ...`: the output-size formula with the
// numbers substituted, for H and for W, then `H_out=<h> W_out=<w>` as the last line.
#include <cstdio>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "convt/shape.h"

namespace convt::cli {

namespace {

std::vector<FlagSpec> shape_flags(const std::string& op) {
  std::vector<FlagSpec> f = {{"--in", "H|H,W"},
                             {"--kernel-size", "K|KH,KW"},
                             {"--stride", "S|SH,SW"},
                             {"--padding", "P|PH,PW"}};
  if (op == "conv_transpose2d") f.push_back({"--output-padding", "A|AH,AW"});
  if (op != "avg_pool2d") f.push_back({"--dilation", "D|DH,DW"});
  return f;
}

std::string pair_str(Pair p) {
  return "(" + std::to_string(p.h) + ", " + std::to_string(p.w) + ")";
}

}  // namespace

int run_shape(const std::string& op, int argc, char** argv) {
  const std::string command = "shape " + op;
  Args a(argc, argv, 3, command, shape_flags(op));
  if (const int status = a.usage_status(usage(command)); status >= 0) return status;
  a.require("--in", "H|H,W (the input's height and width)");
  a.require("--kernel-size", "K|KH,KW");
  const Pair in = a.pair("--in", 1, 1);
  const Pair k = a.pair("--kernel-size", 1, 1);
  const bool pool = op == "max_pool2d" || op == "avg_pool2d";
  const Pair s =
      a.pair("--stride", pool ? k : Pair(1), 1);  // pools: stride defaults to kernel_size
  const Pair p = a.pair("--padding", 0, 0);
  const Pair op_pad = a.pair("--output-padding", 0, 0);
  const Pair d = a.pair("--dilation", 1, 1);

  // Validate and size first (errors name the op, the axis and the rule), then the text.
  OutSize o;
  std::string formula_h, formula_w;
  if (op == "conv_transpose2d") {
    o = conv_transpose2d_out_size(in.h, in.w, k, ConvTranspose2dParams{s, p, op_pad, d});
    formula_h = conv_transpose_formula(in.h, k.h, s.h, p.h, op_pad.h, d.h, "H");
    formula_w = conv_transpose_formula(in.w, k.w, s.w, p.w, op_pad.w, d.w, "W");
  } else {
    if (pool) {
      Pool2dParams pp;
      pp.kernel_size = k, pp.stride = s, pp.padding = p, pp.dilation = d;
      o = pool2d_out_size(in.h, in.w, pp, op);
    } else {
      o = conv2d_out_size(in.h, in.w, k, Conv2dParams{s, p, d});
    }
    formula_h = conv_formula(in.h, k.h, s.h, p.h, d.h, "H");
    formula_w = conv_formula(in.w, k.w, s.w, p.w, d.w, "W");
  }

  std::string params =
      "kernel_size " + pair_str(k) + ", stride " + pair_str(s) + ", padding " + pair_str(p);
  if (op == "conv_transpose2d") params += ", output_padding " + pair_str(op_pad);
  if (op != "avg_pool2d") params += ", dilation " + pair_str(d);
  std::printf("%s: input (H, W) = %s, %s\n", op.c_str(), pair_str(in).c_str(), params.c_str());
  std::printf("%s\n%s\n", formula_h.c_str(), formula_w.c_str());
  std::printf("H_out=%d W_out=%d\n", o.h, o.w);
  return 0;
}

}  // namespace convt::cli
