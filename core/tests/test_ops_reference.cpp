// Reference values: our naive ops against PyTorch, forward and backward, case by case.
//
// The numbers come from scripts/make_op_fixtures.py (PyTorch 1.13 on the CPU, float32), which
// wrote core/tests/fixtures/ops/cases.json and one folder of .npy files per case:
//   x (N, C_in, H, W), w, b (if any), g = a random grad_output, and PyTorch's y, dx, dw, db from
//   y.backward(g); max_pool2d cases also hold PyTorch's return_indices.
// Each case is one GoogleTest instance named after it, so a failure names the op and the case:
//   OpsReference/Forward.MatchesPyTorch/conv_transpose2d_gan_5_to_10_k5_s2_p2_op1
//
// Tolerance: both sides compute in float32 but sum in different orders (PyTorch uses GEMM), so
// each element may differ by a few float32 roundings of the largest partial sums:
//   |ours - torch| <= kRtol * |torch| + kRtol * max(1, max |torch|)   with kRtol = 1e-5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "convt/io/npy.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt {
namespace {

constexpr float kRtol = 1e-5f;

const std::string kOpsDir = std::string(CONVT_FIXTURE_DIR) + "/ops";

nlohmann::json load_cases_json() {
  const std::string path = kOpsDir + "/cases.json";
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open (run scripts/make_op_fixtures.py)");
  return nlohmann::json::parse(f);
}

struct OpCase {
  std::string name;
  nlohmann::json spec;  // one entry of cases.json "cases"
};

// gtest prints parameters in failure messages; keep it to the name.
void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

// Runs before main(): a missing or broken cases.json gives no cases here (and a clear failure in
// OpsReferenceFixtures.CoverEveryOpAndFeature) instead of an exception at static initialisation.
std::vector<OpCase> all_cases() {
  std::vector<OpCase> cases;
  try {
    const nlohmann::json j = load_cases_json();  // keep it alive while looping over a member
    for (const auto& spec : j.at("cases")) {
      cases.push_back({spec.at("name").get<std::string>(), spec});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test_ops_reference: no cases: %s\n", e.what());
    cases.clear();
  }
  return cases;
}

Pair pair_of(const nlohmann::json& spec, const char* key) {
  const auto& v = spec.at(key);
  return {v.at(0).get<int>(), v.at(1).get<int>()};
}

bool has_file(const OpCase& c, const std::string& file) {
  const auto& files = c.spec.at("files");
  return std::find(files.begin(), files.end(), file) != files.end();
}

Tensor load(const OpCase& c, const std::string& file) {
  return read_npy(kOpsDir + "/" + c.name + "/" + file + ".npy");
}

// Every element within tolerance; on failure, says which tensor, how many elements and the worst.
::testing::AssertionResult all_close(const Tensor& ours, const Tensor& ref,
                                     const std::string& what) {
  if (ours.shape() != ref.shape()) {
    return ::testing::AssertionFailure()
           << what << ": expected shape " << ref.shape_str() << ", found " << ours.shape_str();
  }
  float scale = 1.0f;
  for (int64_t i = 0; i < ref.numel(); ++i) scale = std::max(scale, std::fabs(ref[i]));
  int64_t bad = 0, worst = -1;
  float worst_excess = 0.0f;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    const float tol = kRtol * std::fabs(ref[i]) + kRtol * scale;
    const float err = std::fabs(ours[i] - ref[i]);
    if (!(err <= tol)) {  // also catches NaN
      ++bad;
      if (worst < 0 || !(err - tol <= worst_excess)) {
        worst = i;
        worst_excess = err - tol;
      }
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  std::ostringstream shape_index;
  std::vector<int64_t> strides = ref.strides();
  int64_t rest = worst;
  shape_index << "(";
  for (size_t d = 0; d < strides.size(); ++d) {
    shape_index << (d ? ", " : "") << rest / strides[d];
    rest %= strides[d];
  }
  shape_index << ")";
  return ::testing::AssertionFailure()
         << what << ": " << bad << " of " << ref.numel()
         << " elements differ from PyTorch; worst at " << shape_index.str() << ": ours "
         << ours[worst] << ", torch " << ref[worst] << " (tolerance " << kRtol << " * (|torch| + "
         << scale << "))";
}

class OpsReference : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpsReference, ForwardAndBackwardMatchPyTorch) {
  const OpCase& c = GetParam();
  const std::string op = c.spec.at("op").get<std::string>();
  SCOPED_TRACE(op + " case " + c.name + " (fixtures: core/tests/fixtures/ops/" + c.name + ")");

  const Tensor x = load(c, "x");  // (N, C_in, H, W)
  const Tensor g = load(c, "g");  // (N, C_out, H_out, W_out)
  const Tensor y_ref = load(c, "y");
  const Tensor dx_ref = load(c, "dx");

  if (op == "conv2d" || op == "conv_transpose2d") {
    const Tensor w = load(c, "w");
    const bool with_bias = c.spec.at("bias").get<bool>();
    ASSERT_EQ(with_bias, has_file(c, "b"));
    const Tensor b = with_bias ? load(c, "b") : Tensor();  // (C_out)
    const Tensor* bias = with_bias ? &b : nullptr;
    Tensor y, dx, dw, db;
    if (op == "conv2d") {
      Conv2dParams p;
      p.stride = pair_of(c.spec, "stride");
      p.padding = pair_of(c.spec, "padding");
      p.dilation = pair_of(c.spec, "dilation");
      conv2d_forward(y, x, w, bias, p);
      conv2d_backward(&dx, &dw, with_bias ? &db : nullptr, g, x, w, p);
    } else {
      ConvTranspose2dParams p;
      p.stride = pair_of(c.spec, "stride");
      p.padding = pair_of(c.spec, "padding");
      p.output_padding = pair_of(c.spec, "output_padding");
      p.dilation = pair_of(c.spec, "dilation");
      conv_transpose2d_forward(y, x, w, bias, p);
      conv_transpose2d_backward(&dx, &dw, with_bias ? &db : nullptr, g, x, w, p);
    }
    EXPECT_TRUE(all_close(y, y_ref, op + " forward y"));
    EXPECT_TRUE(all_close(dx, dx_ref, op + " backward dx"));
    EXPECT_TRUE(all_close(dw, load(c, "dw"), op + " backward dweight"));
    if (with_bias) {
      EXPECT_TRUE(all_close(db, load(c, "db"), op + " backward dbias"));
    }
    return;
  }

  Pool2dParams p;
  p.kernel_size = pair_of(c.spec, "kernel_size");
  p.stride = pair_of(c.spec, "stride");
  p.padding = pair_of(c.spec, "padding");
  p.dilation = pair_of(c.spec, "dilation");
  Tensor y, dx;
  if (op == "max_pool2d") {
    std::vector<int64_t> argmax;
    max_pool2d_forward(y, &argmax, x, p);
    max_pool2d_backward(dx, g, argmax, x.shape());
    EXPECT_TRUE(all_close(y, y_ref, op + " forward y"));
    EXPECT_TRUE(all_close(dx, dx_ref, op + " backward dx"));
    // The argmax must be PyTorch's return_indices exactly (flat y*W + x per (n, c) plane).
    const Tensor indices = load(c, "indices");  // float32, exact integers
    ASSERT_EQ(static_cast<int64_t>(argmax.size()), indices.numel());
    int64_t mismatches = 0;
    for (int64_t i = 0; i < indices.numel(); ++i) {
      if (argmax[static_cast<size_t>(i)] != static_cast<int64_t>(indices[i])) {
        if (++mismatches <= 5) {
          ADD_FAILURE() << "max_pool2d argmax of output cell " << i << ": ours "
                        << argmax[static_cast<size_t>(i)] << ", torch " << indices[i];
        }
      }
    }
    EXPECT_EQ(mismatches, 0) << "max_pool2d argmax differs from torch's indices";
  } else if (op == "avg_pool2d") {
    avg_pool2d_forward(y, x, p);
    avg_pool2d_backward(dx, g, x.shape(), p);
    EXPECT_TRUE(all_close(y, y_ref, op + " forward y"));
    EXPECT_TRUE(all_close(dx, dx_ref, op + " backward dx"));
  } else {
    FAIL() << "cases.json: unknown op '" << op << "' in case " << c.name;
  }
}

// The backward passes add into their gradient buffers (zero_grad is the caller's job): a second
// call on the same buffers must give exactly twice the first.
TEST_P(OpsReference, BackwardAccumulates) {
  const OpCase& c = GetParam();
  const std::string op = c.spec.at("op").get<std::string>();
  SCOPED_TRACE(op + " case " + c.name);
  const Tensor x = load(c, "x");
  const Tensor g = load(c, "g");
  Tensor dx, dw, once_dx, once_dw;
  if (op == "conv2d") {
    Conv2dParams p;
    p.stride = pair_of(c.spec, "stride");
    p.padding = pair_of(c.spec, "padding");
    p.dilation = pair_of(c.spec, "dilation");
    const Tensor w = load(c, "w");
    conv2d_backward(&once_dx, &once_dw, nullptr, g, x, w, p);
    conv2d_backward(&dx, &dw, nullptr, g, x, w, p);
    conv2d_backward(&dx, &dw, nullptr, g, x, w, p);
  } else if (op == "conv_transpose2d") {
    ConvTranspose2dParams p;
    p.stride = pair_of(c.spec, "stride");
    p.padding = pair_of(c.spec, "padding");
    p.output_padding = pair_of(c.spec, "output_padding");
    p.dilation = pair_of(c.spec, "dilation");
    const Tensor w = load(c, "w");
    conv_transpose2d_backward(&once_dx, &once_dw, nullptr, g, x, w, p);
    conv_transpose2d_backward(&dx, &dw, nullptr, g, x, w, p);
    conv_transpose2d_backward(&dx, &dw, nullptr, g, x, w, p);
  } else {
    Pool2dParams p;
    p.kernel_size = pair_of(c.spec, "kernel_size");
    p.stride = pair_of(c.spec, "stride");
    p.padding = pair_of(c.spec, "padding");
    p.dilation = pair_of(c.spec, "dilation");
    if (op == "max_pool2d") {
      Tensor y;
      std::vector<int64_t> argmax;
      max_pool2d_forward(y, &argmax, x, p);
      max_pool2d_backward(once_dx, g, argmax, x.shape());
      max_pool2d_backward(dx, g, argmax, x.shape());
      max_pool2d_backward(dx, g, argmax, x.shape());
    } else {
      avg_pool2d_backward(once_dx, g, x.shape(), p);
      avg_pool2d_backward(dx, g, x.shape(), p);
      avg_pool2d_backward(dx, g, x.shape(), p);
    }
  }
  // Each element is a sum whose terms are doubled exactly; only its rounding may differ.
  auto twice = [](const Tensor& t) {
    Tensor r = t;
    for (int64_t i = 0; i < r.numel(); ++i) r[i] *= 2.0f;
    return r;
  };
  EXPECT_TRUE(all_close(dx, twice(once_dx), op + " dx after two backward calls"));
  if (!once_dw.empty()) {
    EXPECT_TRUE(all_close(dw, twice(once_dw), op + " dweight after two backward calls"));
  }
}

std::string case_name(const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; }

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpsReference);
INSTANTIATE_TEST_SUITE_P(PyTorch, OpsReference, ::testing::ValuesIn(all_cases()), case_name);

// The fixtures exist and cover every kind of case the reference script writes; a regenerated cases.json that lost a kind
// of case fails here rather than silently testing less.
TEST(OpsReferenceFixtures, CoverEveryOpAndFeature) {
  const nlohmann::json j = load_cases_json();
  EXPECT_EQ(j.at("generator").get<std::string>(), "scripts/make_op_fixtures.py");
  bool stride = false, padding = false, output_padding = false, dilation = false;
  bool nonsquare_x = false, nonsquare_k = false, per_axis = false, batch = false, channels = false;
  bool bias = false, no_bias = false;
  std::vector<std::string> ops;
  for (const auto& c : j.at("cases")) {
    const std::string op = c.at("op").get<std::string>();
    ops.push_back(op);
    const auto& xs = c.at("x_shape");
    // Some axis of the per-axis parameter `key` is > `floor`.
    auto above = [&](const char* key, int floor) {
      return c.contains(key) && (c[key][0].get<int>() > floor || c[key][1].get<int>() > floor);
    };
    auto differ = [&](const char* key) { return c.contains(key) && c[key][0] != c[key][1]; };
    stride |= above("stride", 1);
    padding |= above("padding", 0);
    output_padding |= above("output_padding", 0);
    dilation |= above("dilation", 1);
    nonsquare_x |= xs[2] != xs[3];
    per_axis |= differ("stride") || differ("padding") || differ("dilation");
    batch |= xs[0].get<int>() > 1;
    channels |= xs[1].get<int>() > 1;
    if (c.contains("weight_shape")) {
      nonsquare_k |= c["weight_shape"][2] != c["weight_shape"][3];
      channels |= c["weight_shape"][0].get<int>() > 1 && c["weight_shape"][1].get<int>() > 1;
      (c.at("bias").get<bool>() ? bias : no_bias) = true;
    }
  }
  for (const char* op : {"conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"}) {
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << "no case for " << op;
  }
  EXPECT_TRUE(stride && padding && output_padding && dilation);
  EXPECT_TRUE(nonsquare_x && nonsquare_k && per_axis && batch && channels);
  EXPECT_TRUE(bias && no_bias);
}

// The notes' hand example, read from PyTorch's output: a 2x2 input [[1, 2], [3, 4]] through a
// 3x3 kernel of ones, stride 2, padding 1, gives a 3x3 output. The 5x5 canvas
// (2-1)*2 + 3 = 5 loses one row/column on each side to the padding.
TEST(OpsReferenceFixtures, NotesTwoByTwoOnesKernelIsThreeByThree) {
  const std::string dir = kOpsDir + "/conv_transpose2d_notes_2x2_ones_s2_p1/";
  const Tensor x = read_npy(dir + "x.npy");
  const Tensor w = read_npy(dir + "w.npy");
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(x[i], static_cast<float>(i + 1));
  for (int64_t i = 0; i < w.numel(); ++i) ASSERT_EQ(w[i], 1.0f);
  ConvTranspose2dParams p;
  p.stride = 2;
  p.padding = 1;
  Tensor y;
  conv_transpose2d_forward(y, x, w, nullptr, p);
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{1, 1, 3, 3}));
  // Integers: exact, no tolerance needed.
  const Tensor y_ref = read_npy(dir + "y.npy");
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_EQ(y[i], y_ref[i]) << "element " << i;
}

}  // namespace
}  // namespace convt
