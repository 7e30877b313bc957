// convt::nn against PyTorch: BatchNorm1d/2d in training and evaluation, a 2-layer model's Adam
// and SGD steps, and dcgan20's parameter counts. Fixtures: scripts/make_nn_fixtures.py.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "convt/io/npy.h"
#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/optim.h"
#include "convt/ops/losses.h"

using namespace convt;
using namespace convt::nn;

namespace {

Tensor fixture(const std::string& name) {
  return read_npy(std::string(CONVT_FIXTURE_DIR) + "/nn/" + name + ".npy");
}

void expect_all_near(const Tensor& actual, const Tensor& expected, float tol,
                     const std::string& what) {
  ASSERT_EQ(actual.numel(), expected.numel()) << what;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    ASSERT_NEAR(actual[i], expected[i], tol * (1.0f + std::fabs(expected[i])))
        << what << "[" << i << "]";
  }
}

void check_batch_norm(BatchNorm& bn, const std::string& p) {
  bn.weight = fixture(p + "_weight");
  bn.bias = fixture(p + "_bias");
  Tensor out1, out2, dx;
  const Tensor x1 = fixture(p + "_x1"), x2 = fixture(p + "_x2");
  bn.forward(out1, x1);
  expect_all_near(out1, fixture(p + "_out1"), 1e-5f, p + " training out");
  bn.forward(out2, x2);
  bn.zero_grad();
  bn.backward(&dx, fixture(p + "_dout"), x2, out2);
  expect_all_near(bn.running_mean, fixture(p + "_running_mean"), 1e-5f, p + " running_mean");
  expect_all_near(bn.running_var, fixture(p + "_running_var"), 1e-5f, p + " running_var");
  expect_all_near(dx, fixture(p + "_dx"), 1e-4f, p + " dx");
  expect_all_near(bn.dweight, fixture(p + "_dweight"), 1e-4f, p + " dweight");
  expect_all_near(bn.dbias, fixture(p + "_dbias"), 1e-4f, p + " dbias");
  bn.set_training(false);
  Tensor out_eval;
  bn.forward(out_eval, fixture(p + "_x3"));
  expect_all_near(out_eval, fixture(p + "_out_eval"), 1e-5f, p + " eval out");
}

struct Mlp {
  Linear l1{6, 8, true};
  LeakyReLU act{0.2f};
  Linear l2{8, 1, true};
  Tensor h1, a1, logits, dlogits, da1, dh1;
  Mlp() {
    l1.weight = fixture("mlp_w1");
    l1.bias = fixture("mlp_b1");
    l2.weight = fixture("mlp_w2");
    l2.bias = fixture("mlp_b2");
  }
  std::vector<NamedParam> params() {
    return {{"0.weight", &l1.weight, &l1.dweight}, {"0.bias", &l1.bias, &l1.dbias},
            {"2.weight", &l2.weight, &l2.dweight}, {"2.bias", &l2.bias, &l2.dbias}};
  }
  float loss_and_grads(const Tensor& x, const Tensor& y) {
    l1.forward(h1, x);
    act.forward(a1, h1);
    l2.forward(logits, a1);
    const float loss = bce_with_logits_forward(logits, y);
    dlogits = Tensor();
    bce_with_logits_backward(dlogits, logits, y);
    l2.backward(&da1, dlogits, a1, logits);
    act.backward(&dh1, da1, h1, a1);
    l1.backward(nullptr, dh1, x, h1);
    return loss;
  }
};

}  // namespace

TEST(TorchReference, BatchNorm1dTrainEval) {
  BatchNorm1d bn(4);
  check_batch_norm(bn, "bn1d");
}

TEST(TorchReference, BatchNorm2dTrainEval) {
  BatchNorm2d bn(2);
  check_batch_norm(bn, "bn2d");
}

TEST(TorchReference, TwoLayerModelAdamSteps) {
  Mlp m;
  Adam opt(m.params(), 0.01f, 0.5f, 0.999f);
  const Tensor x = fixture("mlp_x"), y = fixture("mlp_y"), losses = fixture("mlp_adam_losses");
  for (int64_t s = 0; s < losses.numel(); ++s) {
    opt.zero_grad();
    const float loss = m.loss_and_grads(x, y);
    EXPECT_NEAR(loss, losses[s], 1e-5f) << "Adam step " << s + 1;
    opt.step();
  }
  expect_all_near(m.l1.weight, fixture("mlp_adam_w1"), 1e-5f, "w1 after Adam");
  expect_all_near(m.l2.bias, fixture("mlp_adam_b2"), 1e-5f, "b2 after Adam");
}

TEST(TorchReference, TwoLayerModelSgdMomentumSteps) {
  Mlp m;
  SGD opt(m.params(), 0.1f, 0.9f);
  const Tensor x = fixture("mlp_x"), y = fixture("mlp_y"), losses = fixture("mlp_sgd_losses");
  for (int64_t s = 0; s < losses.numel(); ++s) {
    opt.zero_grad();
    EXPECT_NEAR(m.loss_and_grads(x, y), losses[s], 1e-5f) << "SGD step " << s + 1;
    opt.step();
  }
}

TEST(TorchReference, Dcgan20ParameterCounts) {
  std::ifstream f(std::string(CONVT_FIXTURE_DIR) + "/nn/dcgan20_param_counts.json");
  const nlohmann::json counts = nlohmann::json::parse(f);
  GanModel m = build_gan(load_model_spec("dcgan20"), 0);
  ASSERT_EQ(counts["G"].size(), m.G->size());
  ASSERT_EQ(counts["D"].size(), m.D->size());
  for (size_t i = 0; i < m.G->size(); ++i) {
    EXPECT_EQ(m.G->layer(i).parameter_count(), counts["G"][i].get<int64_t>()) << "G layer " << i;
  }
  for (size_t i = 0; i < m.D->size(); ++i) {
    EXPECT_EQ(m.D->layer(i).parameter_count(), counts["D"][i].get<int64_t>()) << "D layer " << i;
  }
}

TEST(TorchReference, PytorchDefaultInitBounds) {
  // kaiming_uniform_(a = sqrt(5)) and the bias rule both give U(-1/sqrt(fan_in), 1/sqrt(fan_in))
  Rng rng(0);
  ConvTranspose2dParams p;
  ConvTranspose2d convt(8, 3, 5, p, true);  // fan_in = C_out * 25 = 75 (PyTorch's dim-1 rule)
  convt.reset_parameters(InitScheme::pytorch, rng);
  float max_abs = 0.0f;
  for (int64_t i = 0; i < convt.weight.numel(); ++i) max_abs = std::max(max_abs, std::fabs(convt.weight[i]));
  EXPECT_LE(max_abs, 1.0f / std::sqrt(75.0f));
  EXPECT_GT(max_abs, 0.9f / std::sqrt(75.0f));
}
