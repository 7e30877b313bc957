#include "convt/shape.h"

#include <algorithm>
#include <cstdint>
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
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The sizes below are computed in 64 bits from int parameters: each term is a product of two
// ints (< 2^62), and no formula adds more than two such terms, so nothing overflows. A result is
// then refused unless it fits the int the kernels index with.
void require_fits_index(int64_t size, const std::string& what, const std::string& where,
                        const std::string& hint) {
  if (size > kMaxSize) {
    std::ostringstream msg;
    msg << where << ": " << what << " = " << size << " is larger than " << kMaxSize
        << ", the largest size the kernels index (int32). HINT: " << hint;
    throw ShapeError(msg.str());
  }
}

}  // namespace

int conv_out_size(int in, int k, int s, int p, int d, const std::string& where) {
  require_positive(in, "input size", where);
  require_positive(k, "kernel_size", where);
  require_positive(s, "stride", where);
  require_non_negative(p, "padding", where);
  require_positive(d, "dilation", where);
  const int64_t reach = int64_t{d} * (k - 1) + 1;  // the dilated kernel's extent
  const int64_t padded = int64_t{in} + 2 * int64_t{p};
  if (reach > padded) {
    std::ostringstream msg;
    msg << where << ": the kernel's reach dilation*(kernel_size-1)+1 = " << d << "*(" << k
        << "-1)+1 = " << reach << " is larger than the padded input H+2*padding = " << in << "+2*"
        << p << " = " << padded << ". HINT: use a smaller kernel or dilation, or more padding.";
    throw ShapeError(msg.str());
  }
  if (padded > kMaxSize) {
    require_fits_index(
        padded, "the padded input H+2*padding = " + std::to_string(in) + "+2*" + std::to_string(p),
        where, "use less padding.");
  }
  return static_cast<int>(floor_div(padded - reach, s) + 1);
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
  const int64_t canvas = int64_t{in - 1} * s + int64_t{d} * (k - 1) + 1;  // before the crop
  const int64_t out = canvas - 2 * int64_t{p} + a;
  auto formula = [&] {  // only built for a message
    std::ostringstream f;
    f << "output size (H-1)*stride - 2*padding + dilation*(kernel_size-1) + "
      << "output_padding + 1 = (" << in << "-1)*" << s << " - 2*" << p << " + " << d << "*(" << k
      << "-1) + " << a << " + 1";
    return f.str();
  };
  if (out < 1) {
    throw ShapeError(where + ": " + formula() + " = " + std::to_string(out) +
                     " is not positive: padding crops the whole output. HINT: reduce padding.");
  }
  const char* const hint = "use a smaller stride, kernel_size or dilation.";
  if (out > kMaxSize) require_fits_index(out, formula(), where, hint);
  if (canvas + a > kMaxSize) {
    require_fits_index(canvas + a,
                       "the uncropped canvas (H-1)*stride + dilation*(kernel_size-1) + "
                       "output_padding + 1 = (" +
                           std::to_string(in) + "-1)*" + std::to_string(s) + " + " +
                           std::to_string(d) + "*(" + std::to_string(k) + "-1) + " +
                           std::to_string(a) + " + 1",
                       where, hint);
  }
  return static_cast<int>(out);
}

int pool_out_size(int in, int k, int s, int p, int d, const std::string& where) {
  require_positive(k, "kernel_size", where);
  if (p > k / 2) {
    throw ShapeError(where + ": padding must be at most kernel_size/2 = " + std::to_string(k / 2) +
                     " (PyTorch's rule for pools), found " + std::to_string(p));
  }
  return conv_out_size(in, k, s, p, d, where);
}

int conv_transpose_canvas_size(int in, int k, int s, int d) {
  const int64_t canvas = int64_t{in - 1} * s + int64_t{d} * (k - 1) + 1;
  require_fits_index(canvas, "the canvas (H-1)*stride + dilation*(kernel_size-1) + 1",
                     "conv_transpose2d", "use a smaller stride, kernel_size or dilation.");
  return static_cast<int>(canvas);
}

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

void check_output_elements(int64_t n, int64_t c, OutSize size, const std::string& where) {
  int64_t elements = 1;
  bool overflow = false;
  for (int64_t f : {n, c, int64_t{size.h}, int64_t{size.w}}) {
    overflow = overflow || __builtin_mul_overflow(elements, f, &elements);
  }
  if (overflow || elements > kMaxOutputElements) {
    std::ostringstream msg;
    msg << where << ": the output (N, C, H_out, W_out) = (" << n << ", " << c << ", " << size.h
        << ", " << size.w << ") has " << (overflow ? "more than 2^63" : std::to_string(elements))
        << " elements, more than the " << kMaxOutputElements << " ("
        << kMaxOutputElements * 4 / (int64_t{1} << 20)
        << " MiB of float32) an op may allocate. HINT: use a smaller input, stride, kernel_size "
           "or dilation.";
    throw ShapeError(msg.str());
  }
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
