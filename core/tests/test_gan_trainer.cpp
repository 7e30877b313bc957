// GanTrainer: model building and shape errors, a short real training run on the built-in
// digits, determinism, non-finite handling, checkpoint round trip, resume and refusal.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "convt/data/dataset.h"
#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/train/gan_trainer.h"

using namespace convt;
using nlohmann::json;

namespace {

json tiny_spec() {
  std::ifstream f(std::string(CONVT_FIXTURE_DIR) + "/nn/tiny20.json");
  return json::parse(f);
}

const Dataset& digits20() {
  static const Dataset d = load_builtin_digits(20);
  return d;
}

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
