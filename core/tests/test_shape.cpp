// The output-size formulas (shape.h) against the shapes the kernels really produce, over a grid
// of parameters, plus the refusals. The kernels size their output by looping, not by the formula:
// scatter_add_loop writes wherever iy*S - P + ky*D lands, so a wrong formula shows up here.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
#include "convt/shape.h"

using namespace convt;

namespace {

// The largest output row any scatter write reaches, plus one, minus the rows padding cuts:
// an independent count of the transposed-conv output size (Dumoulin & Visin 2016, Rel. 14).
int count_transposed_rows(int in, int k, int s, int p, int a, int d) {
  int last = 0;
  for (int i = 0; i < in; ++i)
    for (int ky = 0; ky < k; ++ky) last = std::max(last, i * s + ky * d);
  return (last + 1) + a - 2 * p;  // canvas rows, plus output_padding, minus both crops
}

// The number of window positions that fit: an independent count of the conv output size.
int count_conv_positions(int in, int k, int s, int p, int d) {
  int n = 0;
  for (int start = -p; start + d * (k - 1) <= in - 1 + p; start += s) ++n;
  return n;
}

}  // namespace

TEST(Shape, NotesExamples) {
  // The notes: 4 -> 8 with k4 s2 p1; the 20x20 GAN's 5 -> 10 -> 20 with k5 s2 'same'.
  EXPECT_EQ(conv_transpose_out_size(4, 4, 2, 1, 0, 1), 8);
  TransposePadding same = keras_same_conv_transpose_padding(5, 2);
  EXPECT_EQ(same.padding, 2);
  EXPECT_EQ(same.output_padding, 1);
  EXPECT_EQ(conv_transpose_out_size(5, 5, 2, same.padding, same.output_padding, 1), 10);
  EXPECT_EQ(conv_transpose_out_size(10, 5, 2, same.padding, same.output_padding, 1), 20);
  TransposePadding same1 = keras_same_conv_transpose_padding(5, 1);
  EXPECT_EQ(conv_transpose_out_size(20, 5, 1, same1.padding, same1.output_padding, 1), 20);
  // D: 20 -> 10 -> 5 with k5 s2 'same' (padding 2).
  EXPECT_EQ(conv_out_size(20, 5, 2, keras_same_conv_padding(5), 1), 10);
  EXPECT_EQ(conv_out_size(10, 5, 2, keras_same_conv_padding(5), 1), 5);
  // 28x28 variant: 7 -> 7 -> 14 -> 28.
  EXPECT_EQ(conv_transpose_out_size(7, 5, 1, 2, 0, 1), 7);
  EXPECT_EQ(conv_transpose_out_size(7, 5, 2, 2, 1, 1), 14);
  EXPECT_EQ(conv_transpose_out_size(14, 5, 2, 2, 1, 1), 28);
}

TEST(Shape, KerasSameTransposeDoublesForEveryKernel) {
  for (int k = 1; k <= 7; ++k)
    for (int s = 1; s <= 4; ++s) {
      TransposePadding tp = keras_same_conv_transpose_padding(k, s);
      if (tp.output_padding >= s) continue;  // not expressible symmetrically (e.g. even k, s 1)
      for (int in = 1; in <= 9; ++in)
        EXPECT_EQ(conv_transpose_out_size(in, k, s, tp.padding, tp.output_padding, 1), in * s)
            << "k" << k << " s" << s << " in " << in;
    }
}

TEST(Shape, TransposedFormulaMatchesIndependentCount) {
  for (int in = 1; in <= 6; ++in)
    for (int k = 1; k <= 5; ++k)
      for (int s = 1; s <= 3; ++s)
        for (int d = 1; d <= 2; ++d)
          for (int p = 0; p <= 3; ++p)
            for (int a = 0; a < std::max(s, d); ++a) {
              int expected = count_transposed_rows(in, k, s, p, a, d);
              if (expected < 1) {
                EXPECT_THROW(conv_transpose_out_size(in, k, s, p, a, d), ShapeError);
              } else {
                EXPECT_EQ(conv_transpose_out_size(in, k, s, p, a, d), expected)
                    << "in " << in << " k" << k << " s" << s << " p" << p << " a" << a << " d" << d;
              }
            }
}

TEST(Shape, ConvFormulaMatchesIndependentCount) {
  for (int in = 1; in <= 9; ++in)
    for (int k = 1; k <= 5; ++k)
      for (int s = 1; s <= 3; ++s)
        for (int d = 1; d <= 2; ++d)
          for (int p = 0; p <= 2; ++p) {
            int expected = count_conv_positions(in, k, s, p, d);
            if (expected < 1) {
              EXPECT_THROW(conv_out_size(in, k, s, p, d), ShapeError);
            } else {
              EXPECT_EQ(conv_out_size(in, k, s, p, d), expected);
            }
          }
}

TEST(Shape, KernelsProduceTheFormulaShape) {
  // Non-square everything, so H and W cannot be swapped unnoticed.
  for (int s = 1; s <= 3; ++s)
    for (int p = 0; p <= 2; ++p)
      for (int d = 1; d <= 2; ++d) {
        Tensor x({2, 3, 4, 5}, 0.5f);
        Tensor wt({3, 2, 3, 2}, 1.0f);  // ConvTranspose2d (C_in, C_out, kH, kW)
        ConvTranspose2dParams tp{{s, s + 1}, {p, p}, {0, s - 1}, {d, 1}};
        OutSize size;
        try {
          size = conv_transpose2d_out_size(4, 5, {3, 2}, tp);
        } catch (const ShapeError&) {
          continue;
        }
        Tensor y;
        conv_transpose2d_forward(y, x, wt, nullptr, tp);
        EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 2, size.h, size.w}));

        Tensor wc({4, 3, 3, 2}, 1.0f);  // Conv2d (C_out, C_in, kH, kW)
        Conv2dParams cp{{s, s + 1}, {p, 0}, {d, 1}};
        OutSize csize;
        try {
          csize = conv2d_out_size(4, 5, {3, 2}, cp);
        } catch (const ShapeError&) {
          continue;
        }
        conv2d_forward(y, x, wc, nullptr, cp);
        EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 4, csize.h, csize.w}));
      }
}

TEST(Shape, RefusesInvalidParametersWithTheNumbers) {
  try {
    conv_transpose_out_size(5, 5, 2, 2, 2, 1);
    FAIL() << "output_padding 2 with stride 2 must be refused";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("output_padding must be smaller than max(stride, dilation)"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("found 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(conv_out_size(0, 3, 1, 0, 1), ShapeError);   // empty input
  EXPECT_THROW(conv_out_size(4, 0, 1, 0, 1), ShapeError);   // empty kernel
  EXPECT_THROW(conv_out_size(4, 3, 0, 0, 1), ShapeError);   // stride 0
  EXPECT_THROW(conv_out_size(4, 3, 1, -1, 1), ShapeError);  // negative padding
  EXPECT_THROW(conv_out_size(4, 3, 1, 0, 0), ShapeError);   // dilation 0
  try {
    conv_out_size(3, 5, 1, 0, 1);
    FAIL() << "a 5-wide kernel on a 3-wide unpadded input must be refused";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("larger than the padded input"), std::string::npos);
  }
  EXPECT_THROW(conv_transpose_out_size(1, 1, 1, 1, 0, 1), ShapeError);  // crops everything
  EXPECT_THROW(pool_out_size(4, 2, 2, 2, 1), ShapeError);  // pool padding > k/2
  // The kernels refuse too, before touching their output.
  Tensor x({1, 1, 3, 3}), w({1, 1, 3, 3}), y({7});
  EXPECT_THROW(conv_transpose2d_forward(y, x, w, nullptr, {{2, 2}, {0, 0}, {2, 2}, {1, 1}}),
               ShapeError);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{7}));
}

TEST(Shape, ChannelMismatchNamesTheTensor) {
  Tensor x({1, 3, 4, 4}), w({2, 2, 3, 3}), y;
  try {
    conv_transpose2d_forward(y, x, w, nullptr, {});
    FAIL();
  } catch (const std::invalid_argument& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("conv_transpose2d: weight"), std::string::npos) << m;
    EXPECT_NE(m.find("found (2, 2, 3, 3)"), std::string::npos) << m;
  }
}

TEST(Shape, FormulaStringSubstitutesTheNumbers) {
  EXPECT_EQ(conv_transpose_formula(4, 4, 2, 1, 0, 1),
            "H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1"
            " = (4 - 1)*2 - 2*1 + 1*(4 - 1) + 0 + 1 = 8");
  EXPECT_EQ(conv_formula(20, 5, 2, 2, 1, "W"),
            "W_out = floor((W + 2*padding - dilation*(kernel_size - 1) - 1)/stride) + 1"
            " = floor((20 + 2*2 - 1*(5 - 1) - 1)/2) + 1 = 10");
}

// ---- Random parameters against a 128-bit reference -------------------------------------------
// Sizes up to 2^31 overflow 32-bit arithmetic; the formulas must either give the exact value or
// refuse it (above kMaxSize, or parameters that break a rule), never a wrapped number.

namespace {

using Wide = __int128;

// Mostly small numbers, sometimes anywhere up to INT_MAX, so both the rules and the overflows
// are hit.
int random_param(std::mt19937_64& gen, int lo) {
  switch (gen() % 4) {
    case 0:
      return lo + static_cast<int>(gen() % 5);
    case 1:
      return lo + static_cast<int>(gen() % 100);
    case 2:
      return lo + static_cast<int>(gen() % 100000);
    default:
      return lo + static_cast<int>(gen() % (static_cast<uint64_t>(kMaxSize) - lo));
  }
}

}  // namespace

TEST(Shape, RandomParametersMatchA128BitReferenceOrAreRefused) {
  std::mt19937_64 gen(19);
  int exact_t = 0, exact_c = 0, refused = 0;
  for (int i = 0; i < 100000; ++i) {
    const int in = random_param(gen, 1), k = random_param(gen, 1), s = random_param(gen, 1);
    const int p = random_param(gen, 0), d = random_param(gen, 1), a = random_param(gen, 0);

    // conv_transpose2d: (in-1)s - 2p + d(k-1) + a + 1, its canvas (in-1)s + d(k-1) + a + 1.
    const Wide canvas = Wide{in - 1} * s + Wide{d} * (k - 1) + a + 1;
    const Wide t_out = canvas - 2 * Wide{p};
    const bool t_ok = a < std::max(s, d) && t_out >= 1 && t_out <= kMaxSize && canvas <= kMaxSize;
    try {
      const int got = conv_transpose_out_size(in, k, s, p, a, d);
      EXPECT_TRUE(t_ok) << "in " << in << " k " << k << " s " << s << " p " << p << " a " << a
                        << " d " << d << " gave " << got;
      EXPECT_EQ(Wide{got}, t_out);
      ++exact_t;
    } catch (const ShapeError&) {
      EXPECT_FALSE(t_ok) << "in " << in << " k " << k << " s " << s << " p " << p << " a " << a
                         << " d " << d << " was refused";
      ++refused;
    }

    // conv2d: floor((in + 2p - d(k-1) - 1) / s) + 1, with the kernel inside the padded input.
    const Wide padded = Wide{in} + 2 * Wide{p}, reach = Wide{d} * (k - 1) + 1;
    const bool c_ok = reach <= padded && padded <= kMaxSize;
    try {
      const int got = conv_out_size(in, k, s, p, d);
      EXPECT_TRUE(c_ok) << "in " << in << " k " << k << " s " << s << " p " << p << " d " << d
                        << " gave " << got;
      EXPECT_EQ(Wide{got}, (padded - reach) / s + 1);
      ++exact_c;
    } catch (const ShapeError&) {
      EXPECT_FALSE(c_ok) << "in " << in << " k " << k << " s " << s << " p " << p << " d " << d
                         << " was refused";
      ++refused;
    }
  }
  // Both branches are exercised.
  EXPECT_GT(exact_t, 1000);
  EXPECT_GT(exact_c, 1000);
  EXPECT_GT(refused, 1000);
}

TEST(Shape, OutputElementsOverTheBudgetAreRefusedWithTheShape) {
  EXPECT_NO_THROW(check_output_elements(1, 1, {1 << 14, 1 << 14}, "conv2d"));  // 2^28: the limit
  try {
    check_output_elements(2, 3, {1 << 14, 1 << 14}, "conv2d");
    FAIL() << "6 * 2^28 elements must be refused";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 3, 16384, 16384) has 1610612736 elements"),
              std::string::npos)
        << e.what();
  }
  // A product past 2^63 is refused too, not wrapped.
  EXPECT_THROW(check_output_elements(kMaxSize, kMaxSize, {kMaxSize, kMaxSize}, "conv2d"),
               ShapeError);
  // The kernels refuse before allocating.
  Tensor x({1, 1, 4, 4}), w({1, 1, 1, 1}), y;
  EXPECT_THROW(
      conv_transpose2d_forward(y, x, w, nullptr, {{1000000, 1000000}, {0, 0}, {0, 0}, {1, 1}}),
      ShapeError);
  EXPECT_TRUE(y.empty());
}
