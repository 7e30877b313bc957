#include "logic/pytorch_script.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "convt/io/atomic_file.h"

namespace convt::lab {

namespace {

bool is_conv(const std::string& op) { return op == "conv_transpose2d" || op == "conv2d"; }

void check_op(const std::string& op) {
  if (!is_conv(op) && op != "max_pool2d" && op != "avg_pool2d") {
    throw std::invalid_argument("pytorch_script: unknown op '" + op +
                                "'; expected conv_transpose2d, conv2d, max_pool2d or avg_pool2d");
  }
}

std::string number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

// Nested Python lists of a 4-D tensor, one innermost row per line, indented under `indent`.
std::string nested_list(const Tensor& t, const std::string& indent) {
  std::string s = "[";
  for (int64_t n = 0; n < t.dim(0); ++n) {
    s += n ? ",\n" + indent + " [" : "[";
    for (int64_t c = 0; c < t.dim(1); ++c) {
      s += c ? ",\n" + indent + "  [" : "[";
      for (int64_t y = 0; y < t.dim(2); ++y) {
        s += y ? ",\n" + indent + "   [" : "[";
        for (int64_t x = 0; x < t.dim(3); ++x) {
          s += (x ? ", " : "") + number(t.at(n, c, y, x));
        }
        s += "]";
      }
      s += "]";
    }
    s += "]";
  }
  return s + "]";
}

std::string tensor_line(const std::string& name, const Tensor& t, const std::string& layout) {
  const std::string head = name + " = torch.tensor(";
  return "# " + shape_to_string(t.shape()) + " " + layout + "\n" + head +
         nested_list(t, std::string(head.size(), ' ')) + ", dtype=torch.float32)\n";
}

void check_4d(const Tensor& t, const char* what) {
  if (t.shape().size() != 4) {
    throw std::invalid_argument(std::string("pytorch_script: ") + what +
                                ": expected a 4-D tensor (N, C, H, W), found " +
                                shape_to_string(t.shape()));
  }
}

// The call's keyword arguments, as the functional op takes them.
std::string call_arguments(const PytorchOpCall& c) {
  std::string s;
  if (!is_conv(c.op)) s += ", kernel_size=" + python_pair(c.kernel_size);
  s += ", stride=" + python_pair(c.stride) + ", padding=" + python_pair(c.padding);
  if (c.op == "conv_transpose2d") s += ", output_padding=" + python_pair(c.output_padding);
  if (c.op != "avg_pool2d") s += ", dilation=" + python_pair(c.dilation);
  return s;
}

}  // namespace

std::string python_pair(Pair p) {
  return "(" + std::to_string(p.h) + ", " + std::to_string(p.w) + ")";
}

std::string pytorch_script(const PytorchOpCall& c) {
  check_op(c.op);
  check_4d(c.input, "input");
  check_4d(c.expected, "expected output");
  if (is_conv(c.op)) check_4d(c.weight, "weight");
  std::string s =
      "#!/usr/bin/env python3\n"
      "# ConvT Lab, " +
      c.panel + ": " + c.op +
      " as PyTorch, with the numbers on screen.\n"
      "# Run it: python3 this_file.py (PyTorch; on Debian: apt install python3-torch).\n"
      "import torch\n"
      "import torch.nn.functional as F\n\n";
  s += tensor_line("x", c.input, "[N, C_in, H, W]");
  std::string args = "x";
  if (is_conv(c.op)) {
    s += tensor_line("weight", c.weight,
                     c.op == "conv_transpose2d" ? "[C_in, C_out, kH, kW], ConvTranspose2d's layout"
                                                : "[C_out, C_in, kH, kW], Conv2d's layout");
    args += ", weight";
  }
  s += "\nout = F." + c.op + "(" + args + call_arguments(c) + ")\n";
  s += "print(\"out\", tuple(out.shape))\nprint(out)\n\n";
  s += "# What ConvT Lab computed\n";
  s += tensor_line("convt_lab", c.expected, "[N, C_out, H_out, W_out]");
  s += "assert out.shape == convt_lab.shape, f\"shape {tuple(out.shape)} != ConvT Lab's "
       "{tuple(convt_lab.shape)}\"\n"
       "assert torch.allclose(out, convt_lab, rtol=1e-5, atol=1e-5), "
       "f\"largest difference {(out - convt_lab).abs().max().item()}\"\n"
       "print(\"PyTorch agrees with ConvT Lab: \" + str(tuple(out.shape)))\n";
  return s;
}

std::string pytorch_layer(const std::string& op, int in_channels, int out_channels,
                          Pair kernel_size, Pair stride, Pair padding, Pair output_padding,
                          Pair dilation) {
  check_op(op);
  const std::string k = "kernel_size=" + python_pair(kernel_size) +
                        ", stride=" + python_pair(stride) + ", padding=" + python_pair(padding);
  const std::string channels = "in_channels=" + std::to_string(in_channels) +
                               ", out_channels=" + std::to_string(out_channels) + ", ";
  if (op == "conv_transpose2d") {
    return "nn.ConvTranspose2d(" + channels + k +
           ", output_padding=" + python_pair(output_padding) +
           ", dilation=" + python_pair(dilation) + ")";
  }
  if (op == "conv2d")
    return "nn.Conv2d(" + channels + k + ", dilation=" + python_pair(dilation) + ")";
  if (op == "max_pool2d") return "nn.MaxPool2d(" + k + ", dilation=" + python_pair(dilation) + ")";
  return "nn.AvgPool2d(" + k + ")";
}

PytorchExport save_pytorch_script(const PytorchOpCall& call, const std::string& dir,
                                  const std::string& file_name) {
  PytorchExport e;
  e.script = pytorch_script(call);
  e.path = (std::filesystem::path(dir) / file_name).string();
  try {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
    write_file_atomic(e.path, e.script);
    e.saved = true;
    e.message = "Copied to the clipboard and saved " + e.path + "; run it: python3 " + e.path;
  } catch (const std::exception& ex) {
    e.message = std::string("Copied to the clipboard; not saved: ") + ex.what();
  }
  return e;
}

}  // namespace convt::lab
