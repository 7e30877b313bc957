// "As PyTorch": the code of what a panel shows, as a runnable Python script. The script holds the
// exact input and weight values on screen, calls torch.nn.functional.<op> with the same stride,
// padding, output_padding and dilation, prints the output, and asserts that it equals the output
// ConvT Lab computed (embedded in the script): a student runs it and sees PyTorch agree.
//
// Values are written with 9 significant digits, which round-trips every float32 exactly.
#pragma once

#include <string>

#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt::lab {

struct PytorchOpCall {
  std::string op;     // "conv_transpose2d", "conv2d", "max_pool2d" or "avg_pool2d"
  std::string panel;  // where the numbers come from ("Stepper"), for the script's first comment
  Tensor input;       // x (N, C_in, H, W)
  // conv_transpose2d: (C_in, C_out, kH, kW); conv2d: (C_out, C_in, kH, kW); pools: empty.
  Tensor weight;
  Pair kernel_size{1, 1};  // pools only (the convolutions take it from the weight)
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair output_padding{0, 0};  // conv_transpose2d only
  Pair dilation{1, 1};        // not avg_pool2d
  Tensor expected;            // ConvT Lab's output (N, C_out, H_out, W_out)
};

// The script's text. Throws std::invalid_argument for an unknown op, a missing weight on a
// convolution, or tensors that are not 4-D.
std::string pytorch_script(const PytorchOpCall& call);

// The torch.nn layer of a formula, e.g.
//   nn.ConvTranspose2d(in_channels=1, out_channels=1, kernel_size=(3, 3), stride=(2, 2),
//                      padding=(1, 1), output_padding=(0, 0), dilation=(1, 1))
// for op "conv_transpose2d" (likewise nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d: only the arguments
// each takes), on one line. Throws std::invalid_argument for an unknown op.
std::string pytorch_layer(const std::string& op, int in_channels, int out_channels,
                          Pair kernel_size, Pair stride, Pair padding, Pair output_padding,
                          Pair dilation);

// What an "As PyTorch" button did: the script (for the clipboard), the file it was saved to, and a
// line for the panel to show ("saved runs/pytorch/stepper_conv2d.py: python3 ..." or the error).
struct PytorchExport {
  bool saved = false;
  std::string script;
  std::string path;
  std::string message;
};
// Makes the script and writes it to dir/file_name (directories created; written atomically). A
// failure to write is reported in `message` (saved = false), never thrown: the script is still
// there for the clipboard.
PytorchExport save_pytorch_script(const PytorchOpCall& call, const std::string& dir,
                                  const std::string& file_name);

// A Python tuple "(1, 2)".
std::string python_pair(Pair p);

}  // namespace convt::lab
