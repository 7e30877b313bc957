// Output sizes of the convolution-family ops, the formula as text with the numbers substituted,
// and validation with errors that say which rule failed and with which numbers.
//
// Legend: H input size along one axis, K kernel size, S stride, P padding,
//         A output_padding, D dilation.
//   conv2d / pools:   H_out = floor((H + 2P - D(K-1) - 1) / S) + 1          (PyTorch Conv2d docs)
//   conv_transpose2d: H_out = (H - 1)S - 2P + D(K-1) + A + 1
//                     (Dumoulin & Visin 2016, "A guide to convolution arithmetic", Relationship 14;
//                      with D = 1 this is the notes' (H-1)*stride - 2*padding + kH + A)
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace convt {

// A per-axis pair, (h, w), as PyTorch's `int or tuple` arguments.
struct Pair {
  int h = 1;
  int w = 1;
  Pair() = default;
  Pair(int both) : h(both), w(both) {}  // NOLINT: implicit, like PyTorch's int-or-tuple
  Pair(int h_, int w_) : h(h_), w(w_) {}
  bool operator==(const Pair& o) const { return h == o.h && w == o.w; }
};

struct Conv2dParams {
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair dilation{1, 1};
};

struct ConvTranspose2dParams {
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair output_padding{0, 0};
  Pair dilation{1, 1};
};

struct Pool2dParams {
  Pair kernel_size{2, 2};
  Pair stride{2, 2};  // PyTorch's default stride is kernel_size; set it explicitly here
  Pair padding{0, 0};
  Pair dilation{1, 1};
};

// Thrown for an invalid size or parameter. what() names the op, the axis, the rule and the numbers.
class ShapeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// ---- Limits --------------------------------------------------------------------------------
// The kernels index with int, so every size along one axis (the output, the padded input, the
// uncropped canvas) must fit one. The formulas are computed in 64 bits and refused above this.
constexpr int64_t kMaxSize = std::numeric_limits<int32_t>::max();
// The most elements an op's output may have: 2^28 float32 values, 1 GiB.
constexpr int64_t kMaxOutputElements = int64_t{1} << 28;

// ---- One axis -------------------------------------------------------------------------------
// Each *_out_size validates, then returns the size. `where` prefixes the message ("conv2d H").
// Sizes above kMaxSize are refused with the formula and its 64-bit value.

// floor((in + 2p - d(k-1) - 1) / s) + 1. Throws ShapeError if in, k, s, d < 1 or p < 0, or if
// the dilated kernel d(k-1)+1 is larger than the padded input in + 2p.
int conv_out_size(int in, int k, int s, int p, int d, const std::string& where = "conv2d");

// (in-1)s - 2p + d(k-1) + a + 1. Throws ShapeError if in, k, s, d < 1, p < 0, a < 0,
// a >= max(s, d) (PyTorch's rule), or if the result is < 1 (padding crops everything).
int conv_transpose_out_size(int in, int k, int s, int p, int a, int d,
                            const std::string& where = "conv_transpose2d");

// The pooling form of conv_out_size; also refuses p > k/2 (PyTorch's rule for pools).
int pool_out_size(int in, int k, int s, int p, int d, const std::string& where = "max_pool2d");

// The uncropped canvas a transposed convolution scatters into, before padding is cut away:
// (in-1)s + d(k-1) + 1.
int conv_transpose_canvas_size(int in, int k, int s, int d);

// The formula with the numbers substituted, ending in "= <result>", e.g.
//   "H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1
//          = (4 - 1)*2 - 2*1 + 1*(4 - 1) + 0 + 1 = 8"
// `axis` is "H" or "W". Throws ShapeError like the *_out_size functions.
std::string conv_formula(int in, int k, int s, int p, int d, const std::string& axis = "H");
std::string conv_transpose_formula(int in, int k, int s, int p, int a, int d,
                                   const std::string& axis = "H");

// ---- Whole ops: (H, W) in, (H_out, W_out) out -----------------------------------------------
struct OutSize {
  int h = 0;
  int w = 0;
};
OutSize conv2d_out_size(int h, int w, Pair kernel_size, const Conv2dParams& p);
OutSize conv_transpose2d_out_size(int h, int w, Pair kernel_size, const ConvTranspose2dParams& p);
OutSize pool2d_out_size(int h, int w, const Pool2dParams& p, const std::string& op = "max_pool2d");

// Throws ShapeError, with the shape and the element count, if an (n, c, size.h, size.w) output
// would have more than kMaxOutputElements elements. Ops call it before they allocate.
void check_output_elements(int64_t n, int64_t c, OutSize size, const std::string& where);

// ---- Keras padding names in PyTorch's terms ---------------------------------------------------
// Conv2d 'same' (odd effective kernel): padding = d(k-1)/2, so H_out = ceil(H/s).
// TensorFlow pads 'same' asymmetrically when the total is odd (less on top/left); PyTorch pads
// symmetrically: same size, and the output can be shifted by one pixel.
int keras_same_conv_padding(int k, int d = 1);

struct TransposePadding {
  int padding = 0;
  int output_padding = 0;
};
// ConvTranspose 'same': H_out = H*s. k5 s2 -> padding 2, output_padding 1; k4 s2 -> 1, 0;
// k5 s1 -> 2, 0. TensorFlow crops 'same' asymmetrically (k5 s2: 1 top/left, 2 bottom/right),
// this PyTorch form crops 2 and 1: same size, outputs shifted by one pixel.
TransposePadding keras_same_conv_transpose_padding(int k, int s, int d = 1);
// ConvTranspose 'valid': H_out = H*s + max(k - s, 0) -> padding 0, output_padding max(s - k, 0).
TransposePadding keras_valid_conv_transpose_padding(int k, int s);

}  // namespace convt
