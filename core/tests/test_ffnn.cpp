// The notes' FFNN + transposed-convolution experiment: the ffnn20 spec's
// shapes, the MSE falling on real digits, samples drifting towards the mean image (the optimum of
// MSE to random targets), the weights-only checkpoint, sample_spread's identities, refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "convt/data/dataset.h"
#include "convt/train/ffnn.h"

using namespace convt;

namespace {

// 512 of the built-in 20x20 digits, every class (the digits are stored class by class).
const Dataset& digits() {
  static const Dataset d = [] {
    const Dataset all = load_builtin_digits(20);
    Dataset s;
    s.images = Tensor({512, 1, 20, 20});
    for (int64_t i = 0; i < 512; ++i) {
      const int64_t src = i * (all.size() / 512);
      std::copy(all.images.data() + src * 400, all.images.data() + (src + 1) * 400,
                s.images.data() + i * 400);
      s.labels.push_back(all.labels[static_cast<size_t>(src)]);
    }
    s.name = "digits20-512";
    return s;
  }();
  return d;
}

FfnnConfig tiny_config() {
  FfnnConfig c;
  c.batch_size = 32;
  c.lr = 1e-3f;
  c.seed = 4;
  c.backend = nn::Backend::fast;
  return c;
}

double mean_of(const std::vector<float>& v, size_t from, size_t to) {
  return std::accumulate(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(to),
                         0.0) /
         static_cast<double>(to - from);
}

}  // namespace

TEST(Ffnn, Ffnn20ShapesNoiseToAnEightByEightMapToTheImage) {
  FfnnTrainer t(nn::load_model_spec("ffnn/ffnn20"), tiny_config(), nullptr);
  EXPECT_EQ(t.latent_dim(), 100);
  EXPECT_EQ(t.G().shape_after(4), (std::vector<int64_t>{32, 8, 8}));    // the FFNN's 8x8 map
  EXPECT_EQ(t.G().shape_after(5), (std::vector<int64_t>{16, 20, 20}));  // (8-1)*2 + 5 + 1 = 20
  EXPECT_EQ(t.G().output_shape(), (std::vector<int64_t>{1, 20, 20}));
}

TEST(Ffnn, MseFallsOnRealDigitsAndSamplesApproachTheMean) {
  FfnnTrainer t(nn::load_model_spec("ffnn/ffnn20"), tiny_config(), &digits());
  const Tensor mean = mean_image(digits());
  const Tensor z = t.latent_batch(32, 9);
  const double before = sample_spread(t.generate(z), mean).mse_to_mean;
  std::vector<float> losses;
  for (int i = 0; i < 60; ++i) {
    const FfnnMetrics m = t.step();
    ASSERT_TRUE(std::isfinite(m.loss)) << "step " << m.step;
    losses.push_back(m.loss);
  }
  EXPECT_EQ(t.steps_done(), 60);
  EXPECT_LT(mean_of(losses, 50, 60), 0.8 * mean_of(losses, 0, 10));
  const double after = sample_spread(t.generate(z), mean).mse_to_mean;
  EXPECT_LT(after, 0.5 * before) << "samples should move towards the average digit";
}

TEST(Ffnn, DeterministicForASeed) {
  FfnnTrainer a(nn::load_model_spec("ffnn/ffnn20"), tiny_config(), &digits());
  FfnnTrainer b(nn::load_model_spec("ffnn/ffnn20"), tiny_config(), &digits());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a.step().loss, b.step().loss);
}

TEST(Ffnn, CheckpointGivesTheSameSamples) {
  FfnnTrainer t(nn::load_model_spec("ffnn/ffnn20"), tiny_config(), &digits());
  for (int i = 0; i < 3; ++i) t.step();
  const std::string path = ::testing::TempDir() + "convt_test_ffnn.safetensors";
  t.save_checkpoint(path);
  nlohmann::json spec;
  int64_t steps = 0;
  auto G = FfnnTrainer::load_generator(path, &spec, &steps);
  EXPECT_EQ(steps, 3);
  EXPECT_EQ(spec["name"], "ffnn20");
  const Tensor z = t.latent_batch(4, 1);
  const Tensor expected = t.generate(z);
  G->set_backend(nn::Backend::fast);  // as the trainer's (naive and fast differ in the last bits)
  EXPECT_EQ(G->forward(z).values(), expected.values());
  std::remove(path.c_str());
}

TEST(Ffnn, RefusesAnotherImageShapeAndABadCheckpoint) {
  const Dataset d28 = load_builtin_digits(28);
  try {
    FfnnTrainer t(nn::load_model_spec("ffnn/ffnn20"), tiny_config(), &d28);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("(1, 28, 28)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(FfnnTrainer::load_generator(::testing::TempDir() + "no_such.safetensors"),
               CheckpointError);
}

TEST(SampleSpread, IdenticalSamplesHaveNoSpreadAndTheMeanIsAtZero) {
  Tensor mean({1, 1, 2, 2}, std::vector<float>{0.5f, -0.5f, 0.0f, 1.0f});
  Tensor same({3, 1, 2, 2});
  for (int64_t i = 0; i < 3; ++i) std::copy(mean.data(), mean.data() + 4, same.data() + i * 4);
  const SampleSpread s = sample_spread(same, mean);
  EXPECT_DOUBLE_EQ(s.mse_to_mean, 0.0);
  EXPECT_NEAR(s.spread, 0.0, 1e-7);
  // two samples +-1 around 0: std 1 per pixel, squared distance 1
  Tensor pm({2, 1, 1, 1}, std::vector<float>{1.0f, -1.0f});
  const SampleSpread p = sample_spread(pm, Tensor({1, 1, 1, 1}, 0.0f));
  EXPECT_DOUBLE_EQ(p.mse_to_mean, 1.0);
  EXPECT_DOUBLE_EQ(p.spread, 1.0);
  EXPECT_THROW(sample_spread(pm, Tensor({1, 1, 2, 1})), std::invalid_argument);
}
