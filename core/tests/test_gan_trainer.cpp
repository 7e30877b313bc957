// GanTrainer: model building and shape errors, a short real training run on the built-in
// digits, determinism, non-finite handling, checkpoint round trip, resume and refusal.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "convt/data/dataset.h"
#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/train/gan_trainer.h"
#include "gan_test_data.h"

using namespace convt;
using nlohmann::json;

namespace {

using convt::test::digits20;
using convt::test::tiny_spec;

GanConfig tiny_config(uint64_t seed = 1) {
  GanConfig c;
  c.batch_size = 16;
  c.lr_g = 2e-3f;
  c.lr_d = 2e-3f;
  c.seed = seed;
  return c;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "convt_test_" + name;
}

}  // namespace

TEST(ModelSpec, Dcgan20ShapesAsTheNotesTable) {
  nn::GanModel m = nn::build_gan(nn::load_model_spec("dcgan20"), 0);
  EXPECT_EQ(m.G->output_shape(), (std::vector<int64_t>{1, 20, 20}));
  EXPECT_EQ(m.G->shape_after(3), (std::vector<int64_t>{256, 5, 5}));
  EXPECT_EQ(m.G->shape_after(4), (std::vector<int64_t>{128, 10, 10}));
  EXPECT_EQ(m.G->shape_after(7), (std::vector<int64_t>{64, 20, 20}));
  EXPECT_EQ(m.D->shape_after(0), (std::vector<int64_t>{64, 10, 10}));
  EXPECT_EQ(m.D->shape_after(3), (std::vector<int64_t>{128, 5, 5}));
  EXPECT_EQ(m.D->shape_after(6), (std::vector<int64_t>{3200}));
  const std::string summary = m.G->parameter_summary();
  EXPECT_NE(summary.find("ConvTranspose2d(256 -> 128, k5, s2, p2, op1, bias=False)"),
            std::string::npos)
      << summary;
}

TEST(ModelSpec, Dcgan28Shapes) {
  nn::GanModel m = nn::build_gan(nn::load_model_spec("dcgan28"), 0);
  EXPECT_EQ(m.G->shape_after(3), (std::vector<int64_t>{256, 7, 7}));
  EXPECT_EQ(m.G->shape_after(4), (std::vector<int64_t>{128, 7, 7}));
  EXPECT_EQ(m.G->shape_after(7), (std::vector<int64_t>{64, 14, 14}));
  EXPECT_EQ(m.G->output_shape(), (std::vector<int64_t>{1, 28, 28}));
}

TEST(ModelSpec, ShapeMismatchNamesTheLayerAndNumbers) {
  json spec = nn::load_model_spec("dcgan20");
  spec["generator"][4]["in_channels"] = 128;  // the reshape gives 256 channels
  try {
    nn::build_gan(spec, 0);
    FAIL() << "expected a ShapeError";
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("G layer 4 'up1'"), std::string::npos) << what;
    EXPECT_NE(what.find("expected input (128, H, W)"), std::string::npos) << what;
    EXPECT_NE(what.find("found (256, 5, 5)"), std::string::npos) << what;
  }
  json bad_reshape = nn::load_model_spec("dcgan20");
  bad_reshape["generator"][3]["shape"] = json::array({256, 4, 4});
  try {
    nn::build_gan(bad_reshape, 0);
    FAIL() << "expected a ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reshape (6400,) (6400 values) to (256, 4, 4)"),
              std::string::npos)
        << e.what();
  }
}

TEST(GanTrainer, ShortRealRunLossesFiniteAndDAccuracyMoves) {
  GanTrainer t(tiny_spec(), tiny_config(), &digits20());
  const StepMetrics first = t.step();
  StepMetrics m = first;
  float max_acc = first.acc_real + first.acc_fake;
  for (int i = 0; i < 24; ++i) {
    m = t.step();
    ASSERT_TRUE(std::isfinite(m.loss_g) && std::isfinite(m.loss_d)) << "step " << m.step;
    max_acc = std::max(max_acc, m.acc_real + m.acc_fake);
  }
  EXPECT_EQ(m.step, 25);
  EXPECT_GT(m.samples_per_second, 0.0);
  // D learns to tell the digits from the untrained G's blobs
  EXPECT_GT(max_acc, first.acc_real + first.acc_fake + 0.2f);
  EXPECT_GT(m.d_real, m.d_fake);
}

TEST(GanTrainer, StepsSeparatelyEqualStep) {
  GanTrainer a(tiny_spec(), tiny_config(3), &digits20());
  GanTrainer b(tiny_spec(), tiny_config(3), &digits20());
  for (int i = 0; i < 2; ++i) {
    const StepMetrics ma = a.step();
    const float loss_g = b.step_generator();
    EXPECT_TRUE(b.step_a_pending());
    const StepMetrics mb = b.step_discriminator();
    EXPECT_EQ(ma.loss_g, loss_g);
    EXPECT_EQ(ma.loss_d, mb.loss_d);
  }
}

// D's weights are the same in Step A and Step B, so Step B differentiates Step A's forward pass
// of D on X_fake (the same dropout masks): its D(G(z)) is the mean sigmoid of Step A's logits.
// If D ran on something else in between, Step B runs D(X_fake) again (new masks).
TEST(GanTrainer, StepBReusesStepAsForwardOfDOnTheFakes) {
  const auto mean_sigmoid = [](const Tensor& logits) {
    float sum = 0.0f;
    for (int64_t i = 0; i < logits.numel(); ++i) sum += 1.0f / (1.0f + std::exp(-logits[i]));
    return sum / static_cast<float>(logits.numel());
  };
  GanTrainer a(tiny_spec(), tiny_config(4), &digits20());
  GanTrainer b(tiny_spec(), tiny_config(4), &digits20());
  a.step_generator();
  const Tensor logits_a = a.D().activation_after(a.D().size() - 1);  // (B, 1)
  EXPECT_EQ(a.step_discriminator().d_fake, mean_sigmoid(logits_a));

  b.step_generator();
  const Tensor logits_b = b.D().activation_after(b.D().size() - 1);
  EXPECT_EQ(logits_b.shape(), logits_a.shape());
  b.D().forward(b.last_fakes());  // D now holds another pass (other dropout masks)
  const StepMetrics mb = b.step_discriminator();
  EXPECT_NE(mb.d_fake, mean_sigmoid(logits_b));
  EXPECT_TRUE(std::isfinite(mb.loss_d));
}

// The reuse must give Step B the same gradients as a fresh forward pass of D on X_fake: Step A's
// backward (D frozen) must leave D's stored activations as they were. Without dropout a fresh
// pass has the same output, so the two runs below must update D identically, bit for bit.
TEST(GanTrainer, StepBReuseGivesTheGradientsOfAFreshPass) {
  json spec = tiny_spec();
  auto& d_layers = spec["discriminator"];
  for (auto it = d_layers.begin(); it != d_layers.end();) {
    it = (*it)["type"] == "Dropout" ? d_layers.erase(it) : it + 1;
  }
  GanTrainer reused(spec, tiny_config(6), &digits20());
  GanTrainer fresh(spec, tiny_config(6), &digits20());
  for (int step = 0; step < 3; ++step) {
    reused.step_generator();
    reused.step_discriminator();
    fresh.step_generator();
    Tensor other(fresh.last_fakes().shape());  // zeros: D now holds another pass...
    fresh.D().forward(other);
    fresh.D().forward(fresh.last_fakes());  // ...then a fresh one on X_fake
    fresh.step_discriminator();
  }
  auto a = reused.D().params(), b = fresh.D().params();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].value->numel(), b[i].value->numel()) << a[i].name;
    for (int64_t j = 0; j < a[i].value->numel(); ++j) {
      ASSERT_EQ((*a[i].value)[j], (*b[i].value)[j]) << a[i].name << " [" << j << "]";
    }
  }
}

TEST(GanTrainer, DeterministicForASeed) {
  GanTrainer a(tiny_spec(), tiny_config(5), &digits20());
  GanTrainer b(tiny_spec(), tiny_config(5), &digits20());
  GanTrainer c(tiny_spec(), tiny_config(6), &digits20());
  bool differs = false;
  for (int i = 0; i < 3; ++i) {
    const StepMetrics ma = a.step(), mb = b.step(), mc = c.step();
    EXPECT_EQ(ma.loss_g, mb.loss_g);
    EXPECT_EQ(ma.loss_d, mb.loss_d);
    differs = differs || ma.loss_g != mc.loss_g;
  }
  EXPECT_TRUE(differs);
}

TEST(GanTrainer, GenerateUsesRunningStatisticsAndChangesNothing) {
  GanTrainer t(tiny_spec(), tiny_config(), &digits20());
  t.step();
  const Tensor z = t.latent_batch(3, 42);
  EXPECT_EQ(z.values(), t.latent_batch(3, 42).values());
  auto& bn = dynamic_cast<nn::BatchNorm&>(t.G().layer(1));
  const Tensor running_mean = bn.running_mean;
  const Tensor a = t.generate(z), b = t.generate(z);
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{3, 1, 20, 20}));
  EXPECT_EQ(a.values(), b.values());
  EXPECT_EQ(bn.running_mean.values(), running_mean.values());
  // one sample alone gives the same image (no batch statistics in evaluation)
  const Tensor one = t.generate(z.reshaped({3, 8}));
  EXPECT_EQ(one.values(), a.values());
}

TEST(GanTrainer, NonFiniteLossStopsWithoutUpdate) {
  GanTrainer t(tiny_spec(), tiny_config(), &digits20());
  t.step();
  auto& dense = dynamic_cast<nn::Linear&>(t.G().layer(0));
  dense.weight[0] = std::nanf("");
  const Tensor conv_before = dynamic_cast<nn::ConvTranspose2d&>(t.G().layer(4)).weight;
  try {
    t.step();
    FAIL() << "expected a TrainingError";
  } catch (const TrainingError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Step A"), std::string::npos) << what;
    EXPECT_NE(what.find("lower learning rate"), std::string::npos) << what;
  }
  EXPECT_EQ(dynamic_cast<nn::ConvTranspose2d&>(t.G().layer(4)).weight.values(),
            conv_before.values());
  EXPECT_EQ(t.steps_done(), 1);
}

TEST(GanTrainer, CheckpointRoundTripAndExactResume) {
  const std::string path = temp_path("ckpt.safetensors");
  GanTrainer a(tiny_spec(), tiny_config(7), &digits20());
  a.step();
  a.step();
  a.save_checkpoint(path);
  std::vector<StepMetrics> expected;
  for (int i = 0; i < 3; ++i) expected.push_back(a.step());

  auto b = GanTrainer::from_checkpoint(path, &digits20());
  EXPECT_EQ(b->steps_done(), 2);
  for (int i = 0; i < 3; ++i) {
    const StepMetrics m = b->step();
    EXPECT_EQ(m.step, expected[i].step);
    EXPECT_EQ(m.loss_g, expected[i].loss_g) << "step " << m.step;
    EXPECT_EQ(m.loss_d, expected[i].loss_d) << "step " << m.step;
  }
  auto pa = a.G().params(), pb = b->G().params();
  for (size_t k = 0; k < pa.size(); ++k) EXPECT_EQ(pa[k].value->values(), pb[k].value->values());
  auto da = a.D().params(), db = b->D().params();
  for (size_t k = 0; k < da.size(); ++k) EXPECT_EQ(da[k].value->values(), db[k].value->values());
  std::remove(path.c_str());
}

TEST(GanTrainer, SetHyperparametersEqualsACheckpointRoundTripWithTheNewConfig) {
  // The identity: new lr and betas in place continue training exactly as a trainer built with
  // them from a checkpoint (weights, Adam moments and steps, Rngs, data position) does.
  const std::string path = temp_path("hyper.safetensors");
  GanTrainer a(tiny_spec(), tiny_config(5), &digits20());
  a.step();
  a.step();
  a.save_checkpoint(path);
  GanConfig changed = a.config();
  changed.lr_g = 5e-4f;
  changed.lr_d = 1e-3f;
  changed.beta1 = 0.8f;
  changed.beta2 = 0.99f;
  auto b = GanTrainer::from_checkpoint(path, &digits20(), &changed);
  a.set_hyperparameters(5e-4f, 1e-3f, 0.8f, 0.99f);
  EXPECT_EQ(a.config().lr_g, 5e-4f);
  EXPECT_EQ(a.config().lr_d, 1e-3f);
  EXPECT_EQ(a.config().beta1, 0.8f);
  EXPECT_EQ(a.config().beta2, 0.99f);
  EXPECT_EQ(a.steps_done(), 2);
  for (int i = 0; i < 2; ++i) {
    const StepMetrics ma = a.step(), mb = b->step();
    EXPECT_EQ(ma.loss_g, mb.loss_g) << "step " << ma.step;
    EXPECT_EQ(ma.loss_d, mb.loss_d) << "step " << ma.step;
  }
  auto pa = a.G().params(), pb = b->G().params();
  for (size_t k = 0; k < pa.size(); ++k) EXPECT_EQ(pa[k].value->values(), pb[k].value->values());
  auto da = a.D().params(), db = b->D().params();
  for (size_t k = 0; k < da.size(); ++k) EXPECT_EQ(da[k].value->values(), db[k].value->values());

  // The checkpoint it writes carries the new values.
  a.save_checkpoint(path);
  const GanConfig saved = GanTrainer::from_checkpoint(path, &digits20())->config();
  EXPECT_EQ(saved.lr_g, 5e-4f);
  EXPECT_EQ(saved.lr_d, 1e-3f);
  EXPECT_EQ(saved.beta1, 0.8f);
  EXPECT_EQ(saved.beta2, 0.99f);
  std::remove(path.c_str());
}

TEST(GanTrainer, SetHyperparametersKeepsTheAdamStateAndRefusesBadValues) {
  // Resetting the moments or step counts (as a new optimiser would) changes the next steps: with
  // the same values set again, training must go on exactly as a trainer left alone.
  GanTrainer a(tiny_spec(), tiny_config(6), &digits20());
  GanTrainer b(tiny_spec(), tiny_config(6), &digits20());
  a.step();
  b.step();
  a.step_generator();  // between Step A and Step B too
  b.step_generator();
  const GanConfig before = a.config();
  a.set_hyperparameters(before.lr_g, before.lr_d, before.beta1, before.beta2);
  // Bad values: refused as `train` refuses its flags' values, naming it; nothing changes.
  const struct {
    float lr_g, lr_d, beta1, beta2;
    const char* message;
  } bad[] = {{0.0f, 1e-3f, 0.5f, 0.999f, "lr (G): expected > 0, found 0.000000"},
             {1e-3f, -1.0f, 0.5f, 0.999f, "lr (D): expected > 0, found -1.000000"},
             {1e-3f, std::numeric_limits<float>::infinity(), 0.5f, 0.999f,
              "lr (D): expected > 0, found inf"},
             {1e-3f, 1e-3f, 1.0f, 0.999f, "beta1: expected in [0, 1), found 1.000000"},
             {1e-3f, 1e-3f, 0.5f, -0.5f, "beta2: expected in [0, 1), found -0.500000"}};
  for (const auto& v : bad) {
    try {
      a.set_hyperparameters(v.lr_g, v.lr_d, v.beta1, v.beta2);
      ADD_FAILURE() << "accepted " << v.message;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(v.message), std::string::npos) << e.what();
    }
    EXPECT_EQ(a.config().lr_g, before.lr_g);
    EXPECT_EQ(a.config().lr_d, before.lr_d);
    EXPECT_EQ(a.config().beta1, before.beta1);
    EXPECT_EQ(a.config().beta2, before.beta2);
  }
  const StepMetrics first_a = a.step_discriminator(), first_b = b.step_discriminator();
  EXPECT_EQ(first_a.loss_d, first_b.loss_d);
  for (int i = 0; i < 2; ++i) {
    const StepMetrics ma = a.step(), mb = b.step();
    EXPECT_EQ(ma.loss_g, mb.loss_g) << "step " << ma.step;
    EXPECT_EQ(ma.loss_d, mb.loss_d) << "step " << ma.step;
  }
  auto pa = a.G().params(), pb = b.G().params();
  for (size_t k = 0; k < pa.size(); ++k) EXPECT_EQ(pa[k].value->values(), pb[k].value->values());
  auto da = a.D().params(), db = b.D().params();
  for (size_t k = 0; k < da.size(); ++k) EXPECT_EQ(da[k].value->values(), db[k].value->values());
}

TEST(GanTrainer, CheckpointOfAnotherModelIsRefused) {
  const std::string path = temp_path("other.safetensors");
  GanConfig c;
  c.batch_size = 2;
  GanTrainer big(nn::load_model_spec("dcgan20"), c, nullptr);
  big.save_checkpoint(path);
  GanTrainer tiny(tiny_spec(), tiny_config(), &digits20());
  try {
    tiny.load_checkpoint(path);
    FAIL() << "expected a CheckpointError";
  } catch (const CheckpointError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("of model 'dcgan20'"), std::string::npos) << what;
    EXPECT_NE(what.find("'tiny20'"), std::string::npos) << what;
  }
  std::remove(path.c_str());
}

TEST(GanTrainer, CorruptCheckpointIsRefusedAndNothingChanges) {
  const std::string path = temp_path("corrupt.safetensors");
  GanTrainer t(tiny_spec(), tiny_config(), &digits20());
  t.step();
  t.save_checkpoint(path);
  std::string bytes;
  {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    bytes = s.str();
  }
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << bytes.substr(0, bytes.size() - 100);  // truncated
  }
  const Tensor before = dynamic_cast<nn::Linear&>(t.G().layer(0)).weight;
  t.step();
  const Tensor after_step = dynamic_cast<nn::Linear&>(t.G().layer(0)).weight;
  EXPECT_THROW(t.load_checkpoint(path), CheckpointError);
  EXPECT_EQ(dynamic_cast<nn::Linear&>(t.G().layer(0)).weight.values(), after_step.values());
  EXPECT_NE(before.values(), after_step.values());
  EXPECT_EQ(t.steps_done(), 2);
  std::remove(path.c_str());
}

// ---- EMA of G ---------------------------------------------------------------------------------

namespace {

GanConfig ema_config(float decay, int64_t warmup, uint64_t seed = 1) {
  GanConfig c = tiny_config(seed);
  c.ema_decay = decay;
  c.ema_warmup_steps = warmup;
  return c;
}

// Every parameter value of a network, in params() order.
std::vector<std::vector<float>> param_values(nn::Sequential& net) {
  std::vector<std::vector<float>> out;
  for (const nn::NamedParam& p : net.params()) out.push_back(p.value->values());
  return out;
}

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST(GanConfig, EmaDecayValidatedAndCarriedInJson) {
  for (float bad : {1.0f, -0.1f, 1.5f, std::nanf("")}) {
    GanConfig c = tiny_config();
    c.ema_decay = bad;
    try {
      c.validate();
      FAIL() << "expected std::invalid_argument for ema_decay " << bad;
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("ema_decay"), std::string::npos) << what;
      EXPECT_NE(what.find("[0, 1)"), std::string::npos) << what;
      EXPECT_NE(what.find(std::to_string(bad)), std::string::npos) << what;
    }
  }
  GanConfig warm = tiny_config();
  warm.ema_warmup_steps = -1;
  EXPECT_THROW(warm.validate(), std::invalid_argument);

  const GanConfig on = ema_config(0.999f, 5);
  const GanConfig back = config_from_json(config_to_json(on));
  EXPECT_EQ(back.ema_decay, 0.999f);
  EXPECT_EQ(back.ema_warmup_steps, 5);
  // JSON of a checkpoint written before the EMA fields: EMA off
  json old = json::parse(config_to_json(on));
  old.erase("ema_decay");
  old.erase("ema_warmup_steps");
  const GanConfig old_back = config_from_json(old.dump());
  EXPECT_EQ(old_back.ema_decay, 0.0f);
  EXPECT_EQ(old_back.ema_warmup_steps, 0);
  EXPECT_EQ(old_back.batch_size, on.batch_size);
  json bad = json::parse(config_to_json(on));
  bad["ema_decay"] = 1.0;
  EXPECT_THROW(config_from_json(bad.dump()), std::invalid_argument);

  GanTrainer off(tiny_spec(), tiny_config(), &digits20());
  EXPECT_FALSE(off.has_ema());
  EXPECT_EQ(off.G_ema(), nullptr);
  EXPECT_THROW(off.generate_ema(off.latent_batch(2, 0)), std::logic_error);
  EXPECT_THROW(off.reestimate_ema_batch_norm(1, 4, 0), std::logic_error);
}

// Hugging Face diffusers' EMAModel.get_decay with TensorFlow's ramp: the first W + 1 updates
// copy G, then min(decay, (1 + s) / (10 + s)) with s = n - W - 1.
TEST(GanTrainer, EmaWarmupIsTheTensorFlowRampAfterWarmupSteps) {
  const GanConfig c = ema_config(0.999f, 0);
  EXPECT_EQ(ema_effective_decay(c, 1), 0.0f);
  EXPECT_FLOAT_EQ(ema_effective_decay(c, 2), 2.0f / 11.0f);
  EXPECT_FLOAT_EQ(ema_effective_decay(c, 3), 3.0f / 12.0f);
  EXPECT_FLOAT_EQ(ema_effective_decay(c, 10), 10.0f / 19.0f);
  EXPECT_FLOAT_EQ(ema_effective_decay(c, 101), 101.0f / 110.0f);
  EXPECT_EQ(ema_effective_decay(c, 20000), 0.999f);  // capped
  EXPECT_EQ(ema_effective_decay(c, 1000000), 0.999f);
  const GanConfig w3 = ema_config(0.999f, 3);
  for (int64_t n = 1; n <= 4; ++n) EXPECT_EQ(ema_effective_decay(w3, n), 0.0f) << n;
  EXPECT_FLOAT_EQ(ema_effective_decay(w3, 5), 2.0f / 11.0f);
  const GanConfig low = ema_config(0.2f, 0);
  EXPECT_FLOAT_EQ(ema_effective_decay(low, 2), 2.0f / 11.0f);  // 0.1818 < 0.2
  EXPECT_EQ(ema_effective_decay(low, 3), 0.2f);                // 0.25 capped at 0.2
  EXPECT_EQ(ema_effective_decay(ema_config(0.0f, 0), 5), 0.0f);
}

// ema = d ema + (1 - d) G after each Step A, by hand from G's parameters after each step: with
// decay 0.2 and no warm-up steps, d = 0 (copy), 2/11, then min(0.2, 3/12) = 0.2.
TEST(GanTrainer, EmaUpdateMatchesAHandComputation) {
  GanTrainer t(tiny_spec(), ema_config(0.2f, 0, 8), &digits20());
  GanTrainer plain(tiny_spec(), tiny_config(8), &digits20());
  ASSERT_TRUE(t.has_ema());
  ASSERT_NE(t.G_ema(), nullptr);
  EXPECT_EQ(param_values(*t.G_ema()), param_values(t.G()));  // starts as a copy of G
  std::vector<std::vector<float>> expected = param_values(t.G());
  const float decays[3] = {0.0f, 2.0f / 11.0f, 0.2f};
  for (int step = 0; step < 3; ++step) {
    const StepMetrics m = t.step(), mp = plain.step();
    // the average does not change training
    EXPECT_EQ(m.loss_g, mp.loss_g);
    EXPECT_EQ(m.loss_d, mp.loss_d);
    EXPECT_EQ(t.ema_updates(), step + 1);
    const std::vector<std::vector<float>> g = param_values(t.G());
    const std::vector<std::vector<float>> ema = param_values(*t.G_ema());
    const float d = decays[step];
    ASSERT_EQ(ema.size(), g.size());
    for (size_t k = 0; k < g.size(); ++k) {
      for (size_t i = 0; i < g[k].size(); ++i) {
        expected[k][i] = d * expected[k][i] + (1.0f - d) * g[k][i];
        ASSERT_NEAR(ema[k][i], expected[k][i], 1e-6f)
            << "step " << step + 1 << ", " << t.G().params()[k].name << " [" << i << "]";
      }
    }
    if (step > 0) {
      EXPECT_NE(ema, g);  // an average, not G
    }
    // BatchNorm statistics: G's
    auto eb = t.G_ema()->buffers(), gb = t.G().buffers();
    ASSERT_EQ(eb.size(), 4u);
    for (size_t k = 0; k < eb.size(); ++k) {
      EXPECT_EQ(eb[k].value->values(), gb[k].value->values()) << eb[k].name;
    }
  }
  // G_ema samples in evaluation mode, like generate()
  const Tensor z = t.latent_batch(3, 5);
  const Tensor a = t.generate_ema(z), b = t.generate_ema(z);
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{3, 1, 20, 20}));
  EXPECT_EQ(a.values(), b.values());
  EXPECT_NE(a.values(), t.generate(z).values());
}

// After reestimate_ema_batch_norm, each running mean/var of G_ema is the plain average over the
// batches of that BN layer's batch mean / unbiased variance, computed here from G_ema's own
// training-mode forward passes on the same z (rows of latent_batch(batches * size, seed)).
TEST(GanTrainer, EmaBatchNormReestimationIsThePlainAverageOfBatchStatistics) {
  GanTrainer t(tiny_spec(), ema_config(0.5f, 0, 9), &digits20());
  GanTrainer twin(tiny_spec(), ema_config(0.5f, 0, 9), &digits20());
  for (int i = 0; i < 3; ++i) {
    t.step();
    twin.step();
  }
  const std::vector<float> g_mean =
      dynamic_cast<nn::BatchNorm&>(t.G().layer(5)).running_mean.values();
  const std::vector<std::vector<float>> g_params = param_values(t.G());
  const int64_t batches = 4, size = 8;
  t.reestimate_ema_batch_norm(batches, size, 99);
  nn::Sequential& E = *t.G_ema();
  std::vector<size_t> bn_layers;
  std::vector<std::vector<float>> got_mean, got_var;
  for (size_t i = 0; i < E.size(); ++i) {
    if (auto* bn = dynamic_cast<nn::BatchNorm*>(&E.layer(i))) {
      bn_layers.push_back(i);
      got_mean.push_back(bn->running_mean.values());
      got_var.push_back(bn->running_var.values());
      EXPECT_EQ(bn->momentum(), 0.1f);  // restored
    }
  }
  ASSERT_EQ(bn_layers, (std::vector<size_t>{1, 5}));
  EXPECT_NE(got_mean[1], g_mean);  // no longer G's statistics

  // By hand: the same z batches through G_ema in training mode, statistics in double.
  const Tensor z_all = t.latent_batch(batches * size, 99);
  const int64_t latent = z_all.dim(1);
  std::vector<std::vector<double>> sum_mean(bn_layers.size()), sum_var(bn_layers.size());
  E.set_training(true);
  for (int64_t k = 0; k < batches; ++k) {
    Tensor z({size, latent});
    for (int64_t i = 0; i < z.numel(); ++i) z[i] = z_all[k * size * latent + i];
    E.forward(z);
    for (size_t b = 0; b < bn_layers.size(); ++b) {
      const Tensor& x = E.activation_after(bn_layers[b] - 1);  // the BN layer's input
      const int64_t N = x.dim(0), C = x.dim(1), L = x.numel() / (N * C), M = N * L;
      sum_mean[b].resize(C, 0.0);
      sum_var[b].resize(C, 0.0);
      for (int64_t c = 0; c < C; ++c) {
        double s = 0.0, ss = 0.0;
        for (int64_t n = 0; n < N; ++n)
          for (int64_t l = 0; l < L; ++l) s += x[(n * C + c) * L + l];
        const double mean = s / M;
        for (int64_t n = 0; n < N; ++n)
          for (int64_t l = 0; l < L; ++l) {
            const double dev = x[(n * C + c) * L + l] - mean;
            ss += dev * dev;
          }
        sum_mean[b][c] += mean;
        sum_var[b][c] += ss / (M - 1);  // unbiased, as PyTorch's running_var
      }
    }
  }
  E.set_training(false);
  for (size_t b = 0; b < bn_layers.size(); ++b) {
    ASSERT_EQ(got_mean[b].size(), sum_mean[b].size());
    for (size_t c = 0; c < sum_mean[b].size(); ++c) {
      const double mean = sum_mean[b][c] / batches, var = sum_var[b][c] / batches;
      EXPECT_NEAR(got_mean[b][c], mean, 1e-5 * (1.0 + std::abs(mean)))
          << "layer " << bn_layers[b] << " channel " << c;
      EXPECT_NEAR(got_var[b][c], var, 1e-5 * (1.0 + std::abs(var)))
          << "layer " << bn_layers[b] << " channel " << c;
    }
  }
  // G and training are untouched: the next steps are the twin's
  EXPECT_EQ(param_values(t.G()), g_params);
  for (int i = 0; i < 2; ++i) {
    const StepMetrics m = t.step(), mt = twin.step();
    EXPECT_EQ(m.loss_g, mt.loss_g);
    EXPECT_EQ(m.loss_d, mt.loss_d);
  }
  EXPECT_THROW(t.reestimate_ema_batch_norm(0, 8, 1), std::invalid_argument);
  EXPECT_THROW(t.reestimate_ema_batch_norm(2, 1, 1), std::invalid_argument);
}

// With EMA: G_ema's tensors and update count are saved and restored; a reloaded trainer saves the
// same bytes and continues exactly (losses and G_ema). Without EMA: no G_ema tensors, same bytes.
TEST(GanTrainer, EmaCheckpointRoundTripAndExactResume) {
  const std::string path = temp_path("ema.safetensors"), again = temp_path("ema2.safetensors");
  GanTrainer a(tiny_spec(), ema_config(0.9f, 1, 10), &digits20());
  for (int i = 0; i < 3; ++i) a.step();
  a.reestimate_ema_batch_norm(2, 4, 3);
  a.save_checkpoint(path);
  const SafetensorsFile f = read_safetensors(path);
  EXPECT_EQ(f.tensors.count("G_ema.0.weight"), 1u);
  EXPECT_EQ(f.tensors.count("G_ema.1.running_mean"), 1u);
  EXPECT_EQ(f.tensors.at("G_ema.1.running_mean").values(),
            dynamic_cast<nn::BatchNorm&>(a.G_ema()->layer(1)).running_mean.values());
  EXPECT_EQ(f.metadata.at("ema.updates"), "3");
  const std::vector<std::vector<float>> saved_ema = param_values(*a.G_ema());
  std::vector<StepMetrics> expected;
  for (int i = 0; i < 3; ++i) expected.push_back(a.step());

  auto b = GanTrainer::from_checkpoint(path, &digits20());
  ASSERT_TRUE(b->has_ema());
  EXPECT_EQ(b->config().ema_decay, 0.9f);
  EXPECT_EQ(b->config().ema_warmup_steps, 1);
  EXPECT_EQ(b->ema_updates(), 3);
  EXPECT_EQ(param_values(*b->G_ema()), saved_ema);
  b->save_checkpoint(again);
  EXPECT_EQ(file_bytes(again), file_bytes(path));
  for (int i = 0; i < 3; ++i) {
    const StepMetrics m = b->step();
    EXPECT_EQ(m.loss_g, expected[i].loss_g) << "step " << m.step;
    EXPECT_EQ(m.loss_d, expected[i].loss_d) << "step " << m.step;
  }
  EXPECT_EQ(b->ema_updates(), 6);
  EXPECT_EQ(param_values(*b->G_ema()), param_values(*a.G_ema()));
  const Tensor z = a.latent_batch(2, 1);
  EXPECT_EQ(b->generate_ema(z).values(), a.generate_ema(z).values());

  GanTrainer off(tiny_spec(), tiny_config(10), &digits20());
  off.step();
  off.save_checkpoint(path);
  const SafetensorsFile g = read_safetensors(path);
  for (const auto& [name, tensor] : g.tensors) EXPECT_NE(name.rfind("G_ema.", 0), 0u) << name;
  EXPECT_EQ(g.metadata.count("ema.updates"), 0u);
  auto c = GanTrainer::from_checkpoint(path, &digits20());
  EXPECT_FALSE(c->has_ema());
  c->save_checkpoint(again);
  EXPECT_EQ(file_bytes(again), file_bytes(path));
  std::remove(path.c_str());
  std::remove(again.c_str());
}

// A checkpoint without G_ema (EMA off, or written before EMA existed, its config JSON without the
// fields) loads into a trainer with EMA on: G_ema starts as a copy of the loaded G. The other
// way, a checkpoint with G_ema loads into a trainer with EMA off, which ignores G_ema.
TEST(GanTrainer, CheckpointWithoutEmaLoadsIntoAnEmaTrainer) {
  const std::string path = temp_path("no_ema.safetensors");
  GanTrainer a(tiny_spec(), tiny_config(11), &digits20());
  a.step();
  a.step();
  a.save_checkpoint(path);
  {  // as written before the EMA fields: config JSON without them
    SafetensorsFile f = read_safetensors(path);
    json cfg = json::parse(f.metadata.at("config"));
    cfg.erase("ema_decay");
    cfg.erase("ema_warmup_steps");
    f.metadata["config"] = cfg.dump();
    write_safetensors(path, f.tensors, f.metadata);
  }
  EXPECT_FALSE(GanTrainer::from_checkpoint(path, &digits20())->has_ema());

  GanTrainer b(tiny_spec(), ema_config(0.5f, 0, 11), &digits20());
  b.step();  // one step: other weights than a's two
  ASSERT_NE(param_values(b.G()), param_values(a.G()));
  ASSERT_NE(param_values(*b.G_ema()), param_values(a.G()));
  b.load_checkpoint(path);
  ASSERT_TRUE(b.has_ema());
  EXPECT_EQ(b.steps_done(), 2);
  EXPECT_EQ(b.ema_updates(), 0);
  EXPECT_EQ(param_values(b.G()), param_values(a.G()));
  EXPECT_EQ(param_values(*b.G_ema()), param_values(a.G()));
  auto eb = b.G_ema()->buffers(), ab = a.G().buffers();
  for (size_t k = 0; k < eb.size(); ++k) EXPECT_EQ(eb[k].value->values(), ab[k].value->values());
  const StepMetrics ma = a.step(), mb = b.step();
  EXPECT_EQ(ma.loss_g, mb.loss_g);
  EXPECT_EQ(ma.loss_d, mb.loss_d);
  EXPECT_EQ(b.ema_updates(), 1);

  // EMA checkpoint into an EMA-off trainer: loads, G_ema ignored and left out of the next save
  b.save_checkpoint(path);
  GanTrainer off(tiny_spec(), tiny_config(11), &digits20());
  off.load_checkpoint(path);
  EXPECT_FALSE(off.has_ema());
  EXPECT_EQ(param_values(off.G()), param_values(b.G()));
  off.save_checkpoint(path);
  EXPECT_EQ(read_safetensors(path).tensors.count("G_ema.0.weight"), 0u);
  std::remove(path.c_str());
}

// DiffAugment in the trainer: D trains on T(x) and T(X_fake), so the same seed gives other losses
// than without it; the augmentation Rng is saved, so a resumed run continues exactly; a config
// without the key (older checkpoints) has it off, and an unknown transform is refused.
TEST(GanTrainer, DiffAugmentChangesDsInputsAndResumesExactly) {
  GanConfig plain = tiny_config(4), augmented = tiny_config(4);
  augmented.diff_augment = "color,translation,cutout";
  GanTrainer a(tiny_spec(), augmented, &digits20()), p(tiny_spec(), plain, &digits20());
  const StepMetrics ma = a.step(), mp = p.step();
  EXPECT_NE(ma.loss_d, mp.loss_d);
  EXPECT_TRUE(std::isfinite(ma.loss_g) && std::isfinite(ma.loss_d));
  a.step();

  const std::string path = temp_path("augment.safetensors");
  a.save_checkpoint(path);
  EXPECT_EQ(read_safetensors(path).metadata.count("rng.augment"), 1u);
  std::vector<StepMetrics> expected;
  for (int i = 0; i < 3; ++i) expected.push_back(a.step());
  auto b = GanTrainer::from_checkpoint(path, &digits20());
  EXPECT_EQ(b->config().diff_augment, "color,translation,cutout");
  for (int i = 0; i < 3; ++i) {
    const StepMetrics m = b->step();
    EXPECT_EQ(m.loss_g, expected[i].loss_g) << "step " << m.step;
    EXPECT_EQ(m.loss_d, expected[i].loss_d) << "step " << m.step;
    EXPECT_EQ(m.d_real, expected[i].d_real) << "step " << m.step;
  }
  EXPECT_EQ(param_values(b->G()), param_values(a.G()));
  std::remove(path.c_str());

  p.save_checkpoint(path);
  EXPECT_EQ(read_safetensors(path).metadata.count("rng.augment"), 0u);
  json old = json::parse(config_to_json(augmented));
  old.erase("diff_augment");
  EXPECT_EQ(config_from_json(old.dump()).diff_augment, "");
  EXPECT_EQ(json::parse(config_to_json(plain)).count("diff_augment"), 0u);
  GanConfig bad = augmented;
  bad.diff_augment = "color,mirror";
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  std::remove(path.c_str());
}
