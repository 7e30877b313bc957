#include "convt/shape.h"

#include <algorithm>
#include <sstream>

namespace convt {

namespace {

void require_positive(int value, const char* name, const std::string& where) {
  if (value < 1) {
    throw ShapeError(where + ": " + name + " must be >= 1, found " + std::to_string(value));
  }
}

void require_non_negative(int value, const char* name, const std::string& where) {
  if (value < 0) {
    throw ShapeError(where + ": " + name + " must be >= 0, found " + std::to_string(value));
  }
}

// Integer division rounding toward minus infinity (the formula's floor), also for negatives.
int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

int conv_out_size(int in, int k, int s, int p, int d, const std::string& where) {
  require_positive(in, "input size", where);
  require_positive(k, "kernel_size", where);
  require_positive(s, "stride", where);
  require_non_negative(p, "padding", where);
  require_positive(d, "dilation", where);
  int reach = d * (k - 1) + 1;  // the dilated kernel's extent
  if (reach > in + 2 * p) {
    std::ostringstream msg;
    msg << where << ": the kernel's reach dilation*(kernel_size-1)+1 = " << d << "*(" << k
        << "-1)+1 = " << reach << " is larger than the padded input H+2*padding = " << in
        << "+2*" << p << " = " << in + 2 * p
        << ". HINT: use a smaller kernel or dilation, or more padding.";
    throw ShapeError(msg.str());
  }
  return floor_div(in + 2 * p - reach, s) + 1;
}

int conv_transpose_out_size(int in, int k, int s, int p, int a, int d, const std::string& where) {
  require_positive(in, "input size", where);
  require_positive(k, "kernel_size", where);
  require_positive(s, "stride", where);
  require_non_negative(p, "padding", where);
  require_non_negative(a, "output_padding", where);
  require_positive(d, "dilation", where);
  if (a >= std::max(s, d)) {
    std::ostringstream msg;
    msg << where << ": output_padding must be smaller than max(stride, dilation) = max(" << s
        << ", " << d << ") = " << std::max(s, d) << ", found " << a
        << ". HINT: output_padding only picks among the max(stride, dilation) input sizes that "
           "a strided conv maps to the same output.";
    throw ShapeError(msg.str());
  }
  int out = (in - 1) * s - 2 * p + d * (k - 1) + a + 1;
  if (out < 1) {
    std::ostringstream msg;
    msg << where << ": output size (H-1)*stride - 2*padding + dilation*(kernel_size-1) + "
        << "output_padding + 1 = (" << in << "-1)*" << s << " - 2*" << p << " + " << d << "*("
        << k << "-1) + " << a << " + 1 = " << out
        << " is not positive: padding crops the whole output. HINT: reduce padding.";
    throw ShapeError(msg.str());
  }
  return out;
}

int pool_out_size(int in, int k, int s, int p, int d, const std::string& where) {
  require_positive(k, "kernel_size", where);
  if (p > k / 2) {
    throw ShapeError(where + ": padding must be at most kernel_size/2 = " + std::to_string(k / 2) +
                     " (PyTorch's rule for pools), found " + std::to_string(p));
  }
  return conv_out_size(in, k, s, p, d, where);
}

int conv_transpose_canvas_size(int in, int k, int s, int d) { return (in - 1) * s + d * (k - 1) + 1; }

std::string conv_formula(int in, int k, int s, int p, int d, const std::string& axis) {
  int out = conv_out_size(in, k, s, p, d, "conv2d " + axis);
  std::ostringstream f;
  f << axis << "_out = floor((" << axis << " + 2*padding - dilation*(kernel_size - 1) - 1)/stride) + 1"
    << " = floor((" << in << " + 2*" << p << " - " << d << "*(" << k << " - 1) - 1)/" << s
    << ") + 1 = " << out;
  return f.str();
}

std::string conv_transpose_formula(int in, int k, int s, int p, int a, int d,
                                   const std::string& axis) {
  int out = conv_transpose_out_size(in, k, s, p, a, d, "conv_transpose2d " + axis);
  std::ostringstream f;
  f << axis << "_out = (" << axis
    << " - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1 = (" << in
    << " - 1)*" << s << " - 2*" << p << " + " << d << "*(" << k << " - 1) + " << a
    << " + 1 = " << out;
  return f.str();
}

OutSize conv2d_out_size(int h, int w, Pair kernel_size, const Conv2dParams& p) {
  return {conv_out_size(h, kernel_size.h, p.stride.h, p.padding.h, p.dilation.h, "conv2d H"),
          conv_out_size(w, kernel_size.w, p.stride.w, p.padding.w, p.dilation.w, "conv2d W")};
}

OutSize conv_transpose2d_out_size(int h, int w, Pair kernel_size, const ConvTranspose2dParams& p) {
  return {conv_transpose_out_size(h, kernel_size.h, p.stride.h, p.padding.h, p.output_padding.h,
                                  p.dilation.h, "conv_transpose2d H"),
          conv_transpose_out_size(w, kernel_size.w, p.stride.w, p.padding.w, p.output_padding.w,
                                  p.dilation.w, "conv_transpose2d W")};
}

OutSize pool2d_out_size(int h, int w, const Pool2dParams& p, const std::string& op) {
  return {pool_out_size(h, p.kernel_size.h, p.stride.h, p.padding.h, p.dilation.h, op + " H"),
          pool_out_size(w, p.kernel_size.w, p.stride.w, p.padding.w, p.dilation.w, op + " W")};
}

int keras_same_conv_padding(int k, int d) {
  int reach = d * (k - 1);
  if (reach % 2 != 0) {
    throw ShapeError("keras 'same' conv: dilation*(kernel_size-1) = " + std::to_string(reach) +
                     " is odd, so symmetric padding cannot keep the size (TensorFlow pads one "
                     "side more). HINT: use an odd kernel_size.");
  }
  return reach / 2;
}

TransposePadding keras_same_conv_transpose_padding(int k, int s, int d) {
  // Want (H-1)s - 2p + d(k-1) + a + 1 = H*s, i.e. 2p - a = d(k-1) + 1 - s.
  int excess = d * (k - 1) + 1 - s;
  if (excess <= 0) return {0, -excess};
  int p = (excess + 1) / 2;
  return {p, 2 * p - excess};
}

TransposePadding keras_valid_conv_transpose_padding(int k, int s) {
  return {0, std::max(s - k, 0)};
}

}  // namespace convt
