// `convt-lab op <op> ...`: runs one op of libconvt on .npy files, as PyTorch would.
//
// The order of work keeps failures clean: parse every flag and check every output path, read and
// check every input file, compute, write every output under a temporary name, and only then
// rename them all into place. Any error before the rename leaves no output file behind.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "convt/io/npy.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
#include "convt/recorder.h"
#include "convt/shape.h"
#include "output_files.h"

namespace convt::cli {

namespace {

constexpr int64_t kDefaultTraceLimit = 1'000'000;
constexpr int64_t kMaxTraceLimit = 100'000'000;  // 400 MB of trace; the CSV is ~25x that

const std::vector<std::string> kOutputFlags = {"--out", "--grad-input", "--grad-weight",
                                               "--grad-bias", "--trace"};

std::vector<FlagSpec> op_flags(const std::string& op) {
  bool conv = op == "conv2d" || op == "conv_transpose2d";
  std::vector<FlagSpec> f = {{"--input", "FILE"}};
  if (conv) {
    f.insert(f.end(), {{"--weight", "FILE"}, {"--bias", "FILE"}});
  } else {
    f.push_back({"--kernel-size", "K|KH,KW"});
  }
  f.insert(f.end(), {{"--stride", "S|SH,SW"}, {"--padding", "P|PH,PW"}});
  if (op == "conv_transpose2d") f.push_back({"--output-padding", "A|AH,AW"});
  if (op != "avg_pool2d") f.push_back({"--dilation", "D|DH,DW"});  // torch.nn.AvgPool2d has none
  f.insert(f.end(), {{"--out", "FILE"}, {"--grad-out", "FILE"}, {"--grad-input", "FILE"}});
  if (conv) {
    f.insert(f.end(), {{"--grad-weight", "FILE"},
                       {"--grad-bias", "FILE"},
                       {"--trace", "FILE"},
                       {"--trace-limit", "N"}});
  }
  return f;
}

// Reads the .npy named by `flag`; errors name the flag (the core's NpyError names the file).
Tensor read_input(const Args& a, const std::string& flag) {
  try {
    return read_npy(a.get(flag));
  } catch (const NpyError& e) {
    throw CliError(flag + ": " + e.what());
  }
}

// "--weight 'w.npy'", for messages.
std::string named(const Args& a, const std::string& flag) {
  return flag + " '" + a.get(flag) + "'";
}

// Refuses anything but a 4-D array with every dimension >= 1.
void require_4d(const Tensor& t, const Args& a, const std::string& flag,
                const std::string& layout) {
  bool ok = t.ndim() == 4;
  for (int i = 0; ok && i < 4; ++i) ok = t.dim(i) >= 1;
  if (!ok) {
    throw CliError(named(a, flag) + ": expected a 4-D array " + layout +
                   " with every dimension >= 1, found shape " + t.shape_str());
  }
}

// Checks that dL/d(output) has the output's shape.
void require_grad_out_shape(const Tensor& dout, const Args& a, const std::vector<int64_t>& shape) {
  if (dout.shape() != shape) {
    throw CliError(named(a, "--grad-out") + ": expected shape " + shape_to_string(shape) +
                   " (the output's shape), found " + dout.shape_str());
  }
}

// Which gradients were asked for; refuses --grad-* without --grad-out and the reverse.
struct GradRequest {
  bool input = false, weight = false, bias = false;
  bool any() const { return input || weight || bias; }
};

GradRequest read_grad_request(const Args& a) {
  GradRequest g{a.has("--grad-input"), a.has("--grad-weight"), a.has("--grad-bias")};
  if (g.any() && !a.has("--grad-out")) {
    std::string flag = g.input ? "--grad-input" : g.weight ? "--grad-weight" : "--grad-bias";
    throw CliError(flag + ": needs --grad-out FILE (dL/d(output), the gradient to send back)");
  }
  if (a.has("--grad-out") && !g.any()) {
    throw CliError("--grad-out: expected at least one gradient to write (--grad-input FILE" +
                   std::string(a.has("--weight") || a.has("--bias") ? ", --grad-weight FILE" : "") +
                   "), found none");
  }
  if (g.bias && !a.has("--bias")) {
    throw CliError("--grad-bias: needs --bias FILE (without it the op has no bias)");
  }
  return g;
}

void print_written(const std::string& what, const std::string& path, const std::string& detail) {
  std::printf("%-12s %s %s\n", what.c_str(), path.c_str(), detail.c_str());
}

// ---- conv2d and conv_transpose2d ---------------------------------------------------------------

// The tensors of a conv2d / conv_transpose2d command, read and checked against each other.
struct ConvInputs {
  Tensor x;       // (N, C_in, H, W)
  Tensor weight;  // transposed ? (C_in, C_out, kH, kW) : (C_out, C_in, kH, kW)
  Tensor bias;    // (C_out), or empty without --bias
  bool has_bias = false;
  int64_t C_out = 0;
  const Tensor* bias_or_null() const { return has_bias ? &bias : nullptr; }
};

ConvInputs read_conv_inputs(const Args& a, bool transposed) {
  const std::string weight_layout = transposed ? "(C_in, C_out, kH, kW)" : "(C_out, C_in, kH, kW)";
  ConvInputs in;
  in.x = read_input(a, "--input");
  require_4d(in.x, a, "--input", "(N, C_in, H, W)");
  in.weight = read_input(a, "--weight");
  require_4d(in.weight, a, "--weight", weight_layout);
  const int64_t C_in = in.x.dim(1);
  const int64_t weight_C_in = in.weight.dim(transposed ? 0 : 1);
  in.C_out = in.weight.dim(transposed ? 1 : 0);
  if (weight_C_in != C_in) {
    throw CliError(named(a, "--weight") + ": expected " + weight_layout +
                   " with C_in = " + std::to_string(C_in) +
                   " (the channels of --input), found shape " + in.weight.shape_str());
  }
  if (a.has("--bias")) {
    in.has_bias = true;
    in.bias = read_input(a, "--bias");
    if (in.bias.shape() != std::vector<int64_t>{in.C_out}) {
      throw CliError(named(a, "--bias") + ": expected shape (" + std::to_string(in.C_out) +
                     ",) with C_out = " + std::to_string(in.C_out) + " (from --weight " +
                     weight_layout + "), found " + in.bias.shape_str());
    }
  }
  return in;
}

// What a conv command computed: the output and the gradients asked for (empty otherwise).
struct ConvResults {
  Tensor out;                 // (N, C_out, H_out, W_out)
  Tensor dx, dweight, dbias;  // (N, C_in, H, W), weight's shape, (C_out)
};

// Writes every output to a temporary name, then puts them all in place and says what was written.
void write_conv_results(const Args& a, StagedOutputs& outputs, const GradRequest& grad,
                        const ConvResults& r, const TraceRecorder* trace, bool transposed) {
  outputs.stage_npy(a.get("--out"), r.out);
  if (grad.input) outputs.stage_npy(a.get("--grad-input"), r.dx);
  if (grad.weight) outputs.stage_npy(a.get("--grad-weight"), r.dweight);
  if (grad.bias) outputs.stage_npy(a.get("--grad-bias"), r.dbias);
  if (trace) outputs.stage_trace_csv(a.get("--trace"), *trace);
  outputs.commit();

  print_written("output", a.get("--out"), r.out.shape_str());
  if (grad.input) print_written("grad_input", a.get("--grad-input"), r.dx.shape_str());
  if (grad.weight) print_written("grad_weight", a.get("--grad-weight"), r.dweight.shape_str());
  if (grad.bias) print_written("grad_bias", a.get("--grad-bias"), r.dbias.shape_str());
  if (trace) {
    print_written("trace", a.get("--trace"),
                  std::to_string(trace->size()) + " events (" + trace->geometry().op + ", " +
                      (transposed ? "scatter" : "gather") + ")");
  }
}

int run_conv(const std::string& op, const Args& a) {
  const bool transposed = op == "conv_transpose2d";
  // 1. Flags and output paths.
  a.require("--input", "FILE (the input, (N, C_in, H, W))");
  a.require("--weight", transposed ? "FILE (the weight, (C_in, C_out, kH, kW))"
                                   : "FILE (the weight, (C_out, C_in, kH, kW))");
  a.require("--out", "FILE (where to write the output)");
  const Pair stride = a.pair("--stride", 1, 1);
  const Pair padding = a.pair("--padding", 0, 0);
  const Pair output_padding = a.pair("--output-padding", 0, 0);
  const Pair dilation = a.pair("--dilation", 1, 1);
  const GradRequest grad = read_grad_request(a);
  if (a.has("--trace-limit") && !a.has("--trace")) {
    throw CliError("--trace-limit: needs --trace FILE (the CSV to write)");
  }
  const int64_t trace_limit = a.count("--trace-limit", kDefaultTraceLimit, kMaxTraceLimit);
  StagedOutputs outputs;
  for (const std::string& flag : kOutputFlags) {
    if (a.has(flag)) outputs.check_path(flag, a.get(flag));
  }

  // 2. Inputs, checked against each other, then the parameters against the sizes (throws
  //    ShapeError naming the rule, the axis and the numbers).
  const ConvInputs in = read_conv_inputs(a, transposed);
  const Tensor& x = in.x;
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const Pair kernel_size(static_cast<int>(in.weight.dim(2)), static_cast<int>(in.weight.dim(3)));
  ConvTranspose2dParams tp{stride, padding, output_padding, dilation};
  Conv2dParams cp{stride, padding, dilation};
  const OutSize o = transposed ? conv_transpose2d_out_size(H, W, kernel_size, tp)
                               : conv2d_out_size(H, W, kernel_size, cp);
  check_output_elements(x.dim(0), in.C_out, o, op);  // before reading --grad-out or allocating
  Tensor dout;                                       // (N, C_out, H_out, W_out)
  if (grad.any()) {
    dout = read_input(a, "--grad-out");
    require_grad_out_shape(dout, a, {x.dim(0), in.C_out, o.h, o.w});
  }

  // 3. Compute. The trace records the forward pass: the scatter of conv_transpose2d, the gather
  //    of conv2d. TraceRecorder::begin refuses, before any work, an op over the limit.
  ConvResults r;
  TraceRecorder rec(trace_limit);
  const bool tracing = a.has("--trace");
  try {
    if (transposed && tracing) {
      conv_transpose2d_forward(r.out, x, in.weight, in.bias_or_null(), tp, rec);
    } else if (transposed) {
      conv_transpose2d_forward(r.out, x, in.weight, in.bias_or_null(), tp);
    } else if (tracing) {
      conv2d_forward(r.out, x, in.weight, in.bias_or_null(), cp, rec);
    } else {
      conv2d_forward(r.out, x, in.weight, in.bias_or_null(), cp);
    }
  } catch (const TraceLimitError& e) {
    throw CliError("--trace-limit " + std::to_string(trace_limit) + ": " + e.what());
  }
  if (grad.any()) {
    Tensor* dx = grad.input ? &r.dx : nullptr;
    Tensor* dweight = grad.weight ? &r.dweight : nullptr;
    Tensor* dbias = grad.bias ? &r.dbias : nullptr;
    if (transposed) {
      conv_transpose2d_backward(dx, dweight, dbias, dout, x, in.weight, tp);
    } else {
      conv2d_backward(dx, dweight, dbias, dout, x, in.weight, cp);
    }
  }

  // 4. Write everything, then put it in place.
  write_conv_results(a, outputs, grad, r, tracing ? &rec : nullptr, transposed);
  return 0;
}

// ---- max_pool2d and avg_pool2d -----------------------------------------------------------------

int run_pool(const std::string& op, const Args& a) {
  // 1. Flags and output paths.
  a.require("--input", "FILE (the input, (N, C, H, W))");
  a.require("--kernel-size", "K|KH,KW (the pooling window)");
  a.require("--out", "FILE (where to write the output)");
  Pool2dParams p;
  p.kernel_size = a.pair("--kernel-size", 1, 1);
  p.stride = a.pair("--stride", p.kernel_size, 1);  // PyTorch: stride defaults to kernel_size
  p.padding = a.pair("--padding", 0, 0);
  p.dilation = a.pair("--dilation", 1, 1);
  const GradRequest grad = read_grad_request(a);
  StagedOutputs outputs;
  for (const std::string& flag : kOutputFlags) {
    if (a.has(flag)) outputs.check_path(flag, a.get(flag));
  }

  // 2. Inputs, and the parameters against the sizes.
  const Tensor x = read_input(a, "--input");  // (N, C, H, W)
  require_4d(x, a, "--input", "(N, C, H, W)");
  const OutSize o = pool2d_out_size(static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)), p, op);
  check_output_elements(x.dim(0), x.dim(1), o, op);
  Tensor dout;  // (N, C, H_out, W_out)
  if (grad.any()) {
    dout = read_input(a, "--grad-out");
    require_grad_out_shape(dout, a, {x.dim(0), x.dim(1), o.h, o.w});
  }

  // 3. Compute.
  Tensor out;                   // (N, C, H_out, W_out)
  std::vector<int64_t> argmax;  // (N, C, H_out, W_out): flat y*W + x of each window's max
  Tensor dx(x.shape());         // (N, C, H, W), zeros: backward adds into it
  if (op == "max_pool2d") {
    max_pool2d_forward(out, grad.any() ? &argmax : nullptr, x, p);
    if (grad.input) max_pool2d_backward(dx, dout, argmax, x.shape());
  } else {
    avg_pool2d_forward(out, x, p);
    if (grad.input) avg_pool2d_backward(dx, dout, x.shape(), p);
  }

  // 4. Write everything, then put it in place.
  outputs.stage_npy(a.get("--out"), out);
  if (grad.input) outputs.stage_npy(a.get("--grad-input"), dx);
  outputs.commit();
  print_written("output", a.get("--out"), out.shape_str());
  if (grad.input) print_written("grad_input", a.get("--grad-input"), dx.shape_str());
  return 0;
}

}  // namespace

bool is_known_op(const std::string& op) {
  return op == "conv_transpose2d" || op == "conv2d" || op == "max_pool2d" || op == "avg_pool2d";
}

int run_op(const std::string& op, int argc, char** argv) {
  const std::string command = "op " + op;
  Args a(argc, argv, 3, command, op_flags(op));
  if (const int status = a.usage_status(usage(command)); status >= 0) return status;
  return op == "conv2d" || op == "conv_transpose2d" ? run_conv(op, a) : run_pool(op, a);
}

}  // namespace convt::cli
