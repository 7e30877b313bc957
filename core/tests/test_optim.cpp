// Adam and SGD set_hyperparameters: the next step after it is the update formula of
// convt/nn/optim.h with the new lr and betas and the old state (computed here in double), the
// same as a second optimiser given that state, and not the step of a fresh optimiser (the state
// is kept, not reset); bad values are refused and change nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "convt/nn/optim.h"

using namespace convt;
using namespace convt::nn;

namespace {

// One parameter of 4 values and its gradient, as a layer holds them.
struct Param {
  Tensor value{{4}, 0.0f};
  Tensor grad{{4}, 0.0f};
  std::vector<NamedParam> named() { return {NamedParam{"w", &value, &grad}}; }
  void set(const std::vector<float>& v, const std::vector<float>& g) {
    value = Tensor({4}, v);
    grad = Tensor({4}, g);
  }
};

// Gradients of steps 1..3 (all positive), then of step 4 (negative and small: a fresh Adam moves
// the values up, one that remembers the positive m keeps moving them down).
const std::vector<std::vector<float>> kGrads = {
    {0.5f, 1.0f, 2.0f, 0.25f}, {0.4f, 1.5f, 1.0f, 0.5f}, {0.6f, 0.5f, 1.5f, 0.75f}};
const std::vector<float> kGrad4 = {-0.03f, -0.02f, -0.1f, -0.01f};
const std::vector<float> kStart = {1.0f, -2.0f, 0.5f, 3.0f};

// Three Adam steps on kGrads from kStart.
void three_steps(Adam& opt, Param& p) {
  for (const auto& g : kGrads) {
    p.grad = Tensor({4}, g);
    opt.step();
  }
}

}  // namespace

TEST(Adam, StepAfterSetHyperparametersIsTheFormulaWithTheOldMoments) {
  Param p;
  p.set(kStart, kGrads[0]);
  Adam opt(p.named(), 1e-2f, 0.9f, 0.999f);
  three_steps(opt, p);
  const std::vector<float> m0 = opt.exp_avg[0].values(), v0 = opt.exp_avg_sq[0].values();
  const std::vector<float> p0 = p.value.values();
  const float lr = 3e-3f, b1 = 0.5f, b2 = 0.99f;
  opt.set_hyperparameters(lr, b1, b2);
  EXPECT_EQ(opt.lr, lr);
  EXPECT_EQ(opt.beta1, b1);
  EXPECT_EQ(opt.beta2, b2);
  EXPECT_EQ(opt.eps, 1e-8f);
  p.grad = Tensor({4}, kGrad4);
  opt.step();
  ASSERT_EQ(opt.steps, 4);
  // m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
  // p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), t = 4
  for (int i = 0; i < 4; ++i) {
    const double g = kGrad4[i];
    const double m = b1 * double{m0[i]} + (1.0 - b1) * g;
    const double v = b2 * double{v0[i]} + (1.0 - b2) * g * g;
    const double want =
        p0[i] - lr / (1.0 - std::pow(b1, 4.0)) * m /
                    (std::sqrt(v) / std::sqrt(1.0 - std::pow(double{b2}, 4.0)) + 1e-8);
    EXPECT_NEAR(p.value[i], want, 1e-6 * (1.0 + std::fabs(want))) << "value " << i;
    EXPECT_NEAR(opt.exp_avg[0][i], m, 1e-6 * (1.0 + std::fabs(m))) << "m " << i;
    EXPECT_NEAR(opt.exp_avg_sq[0][i], v, 1e-6 * (1.0 + std::fabs(v))) << "v " << i;
  }
}

TEST(Adam, SetHyperparametersEqualsAFreshAdamGivenTheSameState) {
  // The identity: changing lr and betas of a running Adam is building one with them and its
  // state (m, v, t), the way GanTrainer's checkpoints carry an optimiser over.
  Param a, b;
  a.set(kStart, kGrads[0]);
  Adam opt_a(a.named(), 1e-2f, 0.9f, 0.999f);
  three_steps(opt_a, a);
  b.set(a.value.values(), kGrad4);
  Adam opt_b(b.named(), 3e-3f, 0.5f, 0.99f);
  opt_b.exp_avg[0] = opt_a.exp_avg[0];
  opt_b.exp_avg_sq[0] = opt_a.exp_avg_sq[0];
  opt_b.steps = opt_a.steps;
  opt_a.set_hyperparameters(3e-3f, 0.5f, 0.99f);
  a.grad = Tensor({4}, kGrad4);
  opt_a.step();
  opt_b.step();
  EXPECT_EQ(a.value.values(), b.value.values());
  EXPECT_EQ(opt_a.exp_avg[0].values(), opt_b.exp_avg[0].values());
  EXPECT_EQ(opt_a.exp_avg_sq[0].values(), opt_b.exp_avg_sq[0].values());
}

TEST(Adam, SetHyperparametersDoesNotResetTheMoments) {
  Param p;
  p.set(kStart, kGrads[0]);
  Adam opt(p.named(), 1e-2f, 0.9f, 0.999f);
  three_steps(opt, p);
  const std::vector<float> m0 = opt.exp_avg[0].values(), v0 = opt.exp_avg_sq[0].values();
  opt.set_hyperparameters(3e-3f, 0.5f, 0.99f);
  EXPECT_EQ(opt.steps, 3);
  EXPECT_EQ(opt.exp_avg[0].values(), m0);
  EXPECT_EQ(opt.exp_avg_sq[0].values(), v0);
  for (float m : m0) ASSERT_GT(m, 0.0f);  // what a reset would lose

  // The next step follows the remembered (positive) m: every value goes down on a negative
  // gradient. An Adam started afresh with the same lr moves each value up by lr (its first step
  // is lr * sign(g)).
  Param fresh;
  fresh.set(p.value.values(), kGrad4);
  Adam opt_fresh(fresh.named(), 3e-3f, 0.5f, 0.99f);
  const std::vector<float> before = p.value.values();
  p.grad = Tensor({4}, kGrad4);
  opt.step();
  opt_fresh.step();
  for (int i = 0; i < 4; ++i) {
    EXPECT_LT(p.value[i], before[i]) << "value " << i << " (kept moments)";
    EXPECT_NEAR(fresh.value[i], before[i] + 3e-3f, 1e-6f) << "value " << i << " (fresh Adam)";
  }
}

TEST(Adam, SetHyperparametersRefusesBadValuesAndChangesNothing) {
  Param p;
  p.set(kStart, kGrads[0]);
  Adam opt(p.named(), 1e-2f, 0.9f, 0.999f);
  opt.step();
  const struct {
    float lr, b1, b2;
    const char* found;
  } bad[] = {{0.0f, 0.5f, 0.99f, "found lr 0.000000"},
             {-1e-3f, 0.5f, 0.99f, "found lr -0.001000"},
             {1e-3f, 1.0f, 0.99f, "betas (1.000000, 0.990000)"},
             {1e-3f, 0.5f, -0.1f, "betas (0.500000, -0.100000)"},
             {std::nanf(""), 0.5f, 0.99f, "found lr nan"},
             {std::numeric_limits<float>::infinity(), 0.5f, 0.99f, "found lr inf"}};
  for (const auto& b : bad) {
    try {
      opt.set_hyperparameters(b.lr, b.b1, b.b2);
      ADD_FAILURE() << "accepted lr " << b.lr << ", betas " << b.b1 << ", " << b.b2;
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("expected finite lr > 0, 0 <= beta1, beta2 < 1"), std::string::npos)
          << what;
      EXPECT_NE(what.find(b.found), std::string::npos) << what;
    }
    EXPECT_EQ(opt.lr, 1e-2f);
    EXPECT_EQ(opt.beta1, 0.9f);
    EXPECT_EQ(opt.beta2, 0.999f);
    EXPECT_EQ(opt.steps, 1);
  }
}

TEST(SGD, SetHyperparametersKeepsTheMomentumBuffer) {
  Param p;
  p.set(kStart, kGrads[0]);
  SGD opt(p.named(), 0.1f, 0.9f);
  for (const auto& g : kGrads) {
    p.grad = Tensor({4}, g);
    opt.step();
  }
  const std::vector<float> b0 = opt.momentum_buffer[0].values(), p0 = p.value.values();
  opt.set_hyperparameters(0.05f, 0.5f);
  EXPECT_EQ(opt.momentum_buffer[0].values(), b0);
  p.grad = Tensor({4}, kGrad4);
  opt.step();
  for (int i = 0; i < 4; ++i) {  // b = mu b + g; p -= lr b
    const double b = 0.5 * double{b0[i]} + kGrad4[i];
    EXPECT_NEAR(p.value[i], p0[i] - 0.05 * b, 1e-6) << "value " << i;
  }
  EXPECT_THROW(opt.set_hyperparameters(0.05f, -0.5f), std::invalid_argument);
  EXPECT_THROW(opt.set_hyperparameters(std::numeric_limits<float>::infinity(), 0.5f),
               std::invalid_argument);
  EXPECT_EQ(opt.momentum, 0.5f);
  EXPECT_EQ(opt.lr, 0.05f);
}

TEST(SGD, TurningMomentumOnStartsItsBufferAtTheGradient) {
  Param p;
  p.set(kStart, kGrads[0]);
  SGD opt(p.named(), 0.1f);
  opt.step();
  ASSERT_TRUE(opt.momentum_buffer.empty());
  opt.set_hyperparameters(0.1f, 0.9f);
  const std::vector<float> p0 = p.value.values();
  p.grad = Tensor({4}, kGrad4);
  opt.step();  // PyTorch: a new buffer is the gradient itself, b = g
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(p.value[i], p0[i] - 0.1f * kGrad4[i]);
  EXPECT_EQ(opt.momentum_buffer[0].values(), kGrad4);
}
