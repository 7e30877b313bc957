// LatentModel and its helpers: interpolation against its definition, the plane grid,
// nearest neighbour, class directions, channel ranking, checkpoint loading (bad files keep the
// previous model), layer outputs and the stepper slice of a real ConvTranspose2d layer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "convt/io/safetensors.h"
#include "convt/nn/model_spec.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/rng.h"
#include "logic/latent_model.h"
#include "logic/quality_score.h"
#include "logic/stepper_model.h"

namespace {

namespace fs = std::filesystem;
using convt::Tensor;
using convt::lab::Latent;

double norm(const Latent& a) {
  double s = 0;
  for (float x : a) s += static_cast<double>(x) * x;
  return std::sqrt(s);
}
double angle(const Latent& a, const Latent& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += static_cast<double>(a[i]) * b[i];
  return std::acos(std::clamp(d / (norm(a) * norm(b)), -1.0, 1.0));
}
Latent random_latent(int dim, uint64_t seed, bool unit) {
  convt::Rng rng(seed);
  Latent v(static_cast<size_t>(dim));
  for (float& x : v) x = rng.normal();
  if (unit) {
    const double n = norm(v);
    for (float& x : v) x = static_cast<float>(x / n);
  }
  return v;
}

TEST(Interpolation, LerpEndpointsAndMidpoint) {
  const Latent a{1, 2, 3}, b{3, -2, 5};
  EXPECT_EQ(convt::lab::lerp(a, b, 0.0f), a);
  EXPECT_EQ(convt::lab::lerp(a, b, 1.0f), b);
  const Latent m = convt::lab::lerp(a, b, 0.5f);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(m[i], (a[i] + b[i]) / 2);
  EXPECT_THROW(convt::lab::lerp(a, Latent{1, 2}, 0.5f), std::invalid_argument);
}

// slerp(a, b, t) = sin((1-t) w)/sin w a + sin(t w)/sin w b, w = angle(a, b), from its definition.
TEST(Interpolation, SlerpMatchesDefinition) {
  const Latent a = random_latent(100, 1, false), b = random_latent(100, 2, false);
  const double w = angle(a, b);
  for (float t : {0.1f, 0.25f, 0.5f, 0.9f}) {
    const Latent s = convt::lab::slerp(a, b, t);
    for (size_t i = 0; i < a.size(); ++i) {
      const double expect =
          std::sin((1 - t) * w) / std::sin(w) * a[i] + std::sin(t * w) / std::sin(w) * b[i];
      EXPECT_NEAR(s[i], expect, 1e-5) << "t=" << t << " i=" << i;
    }
  }
}

TEST(Interpolation, SlerpEndpointsExactConstantAngleUnitNorm) {
  const Latent a = random_latent(100, 3, true), b = random_latent(100, 4, true);
  const int steps = 9;
  const auto path = convt::lab::interpolate(a, b, steps, convt::lab::Interpolation::kSpherical);
  ASSERT_EQ(path.size(), 9u);
  EXPECT_EQ(path.front(), a);  // exact, not approximately
  EXPECT_EQ(path.back(), b);
  const double w = angle(a, b);
  for (int i = 0; i < steps; ++i) {
    EXPECT_NEAR(norm(path[static_cast<size_t>(i)]), 1.0, 1e-5) << i;
    EXPECT_NEAR(angle(a, path[static_cast<size_t>(i)]), w * i / (steps - 1), 1e-4) << i;
    if (i > 0) {
      EXPECT_NEAR(angle(path[static_cast<size_t>(i - 1)], path[static_cast<size_t>(i)]),
                  w / (steps - 1), 1e-4)
          << i;
    }
  }
  // lerp cuts the chord: its midpoint is shorter than 1.
  const auto chord = convt::lab::interpolate(a, b, 3, convt::lab::Interpolation::kLinear);
  EXPECT_LT(norm(chord[1]), 0.99);
}

TEST(Interpolation, SlerpFallsBackToLerpWhenParallel) {
  const Latent a = random_latent(10, 5, false);
  Latent b = a;
  for (float& x : b) x *= 2.0f;  // same direction: sin(omega) = 0
  for (float t : {0.3f, 0.7f}) {
    EXPECT_EQ(convt::lab::slerp(a, b, t), convt::lab::lerp(a, b, t));
  }
  const Latent zero(10, 0.0f);
  EXPECT_EQ(convt::lab::slerp(zero, a, 0.5f), convt::lab::lerp(zero, a, 0.5f));
  EXPECT_THROW(convt::lab::interpolate(a, b, 1, convt::lab::Interpolation::kLinear),
               std::invalid_argument);
}

TEST(Plane, GridAroundZ) {
  const Latent z = random_latent(100, 6, false);
  const auto axes = convt::lab::random_orthonormal_axes(100, 7);
  EXPECT_NEAR(norm(axes.u), 1.0, 1e-5);
  EXPECT_NEAR(norm(axes.v), 1.0, 1e-5);
  EXPECT_NEAR(angle(axes.u, axes.v), M_PI / 2, 1e-5);
  const int n = 5;
  const float spacing = 0.5f;
  const auto grid = convt::lab::plane_grid(z, axes, n, spacing);
  ASSERT_EQ(grid.size(), 25u);
  EXPECT_EQ(grid[12], z);  // the centre
  for (size_t k = 0; k < z.size(); ++k) {
    EXPECT_NEAR(grid[13][k] - grid[12][k], spacing * axes.u[k], 1e-6);  // right: +u
    EXPECT_NEAR(grid[7][k] - grid[12][k], spacing * axes.v[k], 1e-6);   // up: +v
  }
  const auto c = convt::lab::component_axes(100, 3, 8);
  const auto g2 = convt::lab::plane_grid(z, c, 3, 1.0f);
  EXPECT_FLOAT_EQ(g2[5][3], z[3] + 1.0f);
  EXPECT_FLOAT_EQ(g2[1][8], z[8] + 1.0f);
  EXPECT_THROW(convt::lab::plane_grid(z, axes, 4, 1.0f), std::invalid_argument);
  EXPECT_THROW(convt::lab::component_axes(100, 3, 3), std::invalid_argument);
}

TEST(NearestNeighbour, FindsTheRealDigit) {
  const convt::Dataset digits = convt::load_builtin_digits(20);
  const int64_t per = 400;
  std::vector<float> img(digits.images.data() + 1234 * per, digits.images.data() + 1235 * per);
  auto nb = convt::lab::nearest_neighbour(digits.images, img.data(), per);
  EXPECT_EQ(nb.index, 1234);
  EXPECT_FLOAT_EQ(nb.distance, 0.0f);
  img[0] += 0.3f;  // a small change keeps it closest; the distance is the change
  nb = convt::lab::nearest_neighbour(digits.images, img.data(), per);
  EXPECT_EQ(nb.index, 1234);
  EXPECT_NEAR(nb.distance, 0.3f, 1e-6);
  EXPECT_THROW(convt::lab::nearest_neighbour(digits.images, img.data(), 399),
               std::invalid_argument);
  // Ties go to the lower index.
  Tensor two({2, 1, 1, 2}, {1, 1, 1, 1});
  const float q[2] = {0, 0};
  EXPECT_EQ(convt::lab::nearest_neighbour(two, q, 2).index, 0);
}

TEST(ClassDirections, MeanPerLabelAndMoveToward) {
  Tensor zs({4, 2}, {1, 2, 3, 4, 10, 10, 7, 7});
  const auto dirs = convt::lab::class_directions(zs, {0, 0, 2, -1}, 3);
  ASSERT_EQ(dirs.num_classes(), 3);
  EXPECT_EQ(dirs.count, (std::vector<int64_t>{2, 0, 1}));
  EXPECT_EQ(dirs.mean[0], (Latent{2, 3}));
  EXPECT_TRUE(dirs.mean[1].empty());
  EXPECT_EQ(dirs.mean[2], (Latent{10, 10}));
  EXPECT_EQ(convt::lab::toward_class({0, 0}, dirs, 2, 0.5f), (Latent{5, 5}));
  EXPECT_THROW(convt::lab::toward_class({0, 0}, dirs, 1, 0.5f), std::invalid_argument);
}

// The dashboard's shipped digit classifier labels real digits: most of every 50th one right.
TEST(ClassDirections, ClassifierLabelsRealDigits) {
  const convt::Dataset digits = convt::load_builtin_digits(20);
  auto net = convt::lab::load_classifier(convt::asset_path("classifier/digits20.safetensors"));
  Tensor images({200, 1, 20, 20});
  std::vector<int> truth;
  for (int64_t n = 0; n < 200; ++n) {
    std::copy(digits.images.data() + n * 50 * 400, digits.images.data() + (n * 50 + 1) * 400,
              images.data() + n * 400);
    truth.push_back(digits.labels[static_cast<size_t>(n * 50)]);
  }
  const std::vector<int> labels = convt::lab::classify(*net, images, 0.0f);
  int right = 0;
  for (size_t n = 0; n < labels.size(); ++n) right += labels[n] == truth[n];
  EXPECT_GT(right, 180);
  // No probability reaches 1.01: every label is "unsure".
  for (int l : convt::lab::classify(*net, images, 1.01f)) EXPECT_EQ(l, -1);
}

TEST(RankChannels, MostActiveFirst) {
  Tensor act({1, 3, 1, 2}, {0.1f, -0.1f, 2, -2, -0.5f, 0.5f});
  const auto r = convt::lab::rank_channels(act);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].channel, 1);
  EXPECT_FLOAT_EQ(r[0].mean_abs, 2.0f);
  EXPECT_FLOAT_EQ(r[0].min, -2.0f);
  EXPECT_EQ(r[1].channel, 2);
  EXPECT_EQ(r[2].channel, 0);
  const auto flat = convt::lab::rank_channels(Tensor({1, 3}, {0, -3, 1}));
  EXPECT_EQ(flat[0].channel, 1);
}

// A freshly initialised dcgan20 checkpoint (no training needed for these checks).
class LatentModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("convt_latent_test_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    convt::GanConfig cfg;
    cfg.seed = 11;
    convt::GanTrainer t(convt::nn::load_model_spec("dcgan20"), cfg, nullptr);
    t.save_checkpoint((*dir_ / "a.safetensors").string());
    convt::GanConfig cfg2 = cfg;
    cfg2.seed = 12;
    convt::GanTrainer t2(convt::nn::load_model_spec("dcgan20"), cfg2, nullptr);
    t2.save_checkpoint((*dir_ / "b.safetensors").string());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  static std::string path(const char* name) { return (*dir_ / name).string(); }
  static fs::path* dir_;
};
fs::path* LatentModelTest::dir_ = nullptr;

TEST_F(LatentModelTest, LoadsAndGenerates) {
  convt::lab::LatentModel m;
  EXPECT_FALSE(m.loaded());
  ASSERT_TRUE(m.load(path("a.safetensors"))) << m.error();
  EXPECT_EQ(m.model_name(), "dcgan20");
  EXPECT_EQ(m.latent_dim(), 100);
  m.randomise(5);
  EXPECT_EQ(m.z(), convt::lab::LatentModel::row(m.latent_batch(1, 5), 0));
  const Tensor img = m.image();
  EXPECT_EQ(img.shape(), (std::vector<int64_t>{1, 1, 20, 20}));
  // The layer outputs: one per layer of G, the last is the image.
  const auto& layers = m.layers();
  ASSERT_EQ(layers.size(), m.G().size());
  EXPECT_EQ(layers.back().output.values(), img.values());
  EXPECT_EQ(layers[4].type, "ConvTranspose2d");
  EXPECT_EQ(layers[4].channels, 128);
  EXPECT_EQ(layers[4].height, 10);
  EXPECT_GE(layers[4].ranked.front().mean_abs, layers[4].ranked.back().mean_abs);
  // Names as Inside G shows them: index and label, the index once for an unnamed layer.
  EXPECT_EQ(layers[3].type, "Reshape");
  EXPECT_EQ(layers[3].name(), "3");
  EXPECT_EQ(layers[4].name(), "4 up1");
  // The same z in a batch gives the same image.
  const Tensor batch = m.generate(std::vector<Latent>{m.z(), m.z()});
  for (int64_t k = 0; k < 400; ++k) EXPECT_NEAR(batch[k + 400], img[k], 1e-5);
  EXPECT_EQ(m.image().values(), img.values());  // recomputed after the batch overwrote G's acts
  // Components: set, reset, zero.
  const float before = m.z()[7];
  m.set_component(7, 2.5f);
  EXPECT_FLOAT_EQ(m.z()[7], 2.5f);
  EXPECT_NE(m.image().values(), img.values());
  m.reset_component(7);
  EXPECT_FLOAT_EQ(m.z()[7], before);
  m.zero();
  EXPECT_EQ(m.z(), Latent(100, 0.0f));
  EXPECT_THROW(m.set_component(100, 0), std::invalid_argument);
  EXPECT_THROW(m.set_z(Latent(3)), std::invalid_argument);
}

// The training data's name, as the file records it (the panel's load message shows it).
TEST_F(LatentModelTest, SaysWhatTheFileWasTrainedOn) {
  const convt::Dataset digits = convt::load_builtin_digits(20);
  convt::GanConfig cfg;
  cfg.batch_size = 8;
  convt::GanTrainer t(convt::nn::load_model_spec("dcgan20"), cfg, &digits);
  t.save_checkpoint(path("on_digits.safetensors"));
  convt::lab::LatentModel m;
  ASSERT_TRUE(m.load(path("on_digits.safetensors"))) << m.error();
  EXPECT_EQ(m.trained_on(), "digits20");
  ASSERT_TRUE(m.load(path("a.safetensors"))) << m.error();  // saved without data
  EXPECT_EQ(m.trained_on(), "");
}

TEST_F(LatentModelTest, BadCheckpointKeepsThePreviousModel) {
  convt::lab::LatentModel m;
  ASSERT_TRUE(m.load(path("a.safetensors")));
  m.randomise(9);
  const Latent z = m.z();
  const Tensor img = m.image();

  // Corrupt: garbage bytes.
  { std::ofstream(path("garbage.safetensors"), std::ios::binary) << "not a checkpoint at all"; }
  EXPECT_FALSE(m.load(path("garbage.safetensors")));
  EXPECT_NE(m.error().find("garbage.safetensors"), std::string::npos) << m.error();
  EXPECT_NE(m.error().find("previous model"), std::string::npos) << m.error();
  // Truncated: the first half of a real checkpoint.
  {
    std::ifstream in(path("b.safetensors"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path("half.safetensors"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  EXPECT_FALSE(m.load(path("half.safetensors")));
  // Another model: a valid .safetensors that is not a GAN checkpoint.
  convt::write_safetensors(path("other.safetensors"), {{"0.weight", Tensor({4, 3}, 1.0f)}},
                           {{"format", "classifier"}});
  EXPECT_FALSE(m.load(path("other.safetensors")));
  EXPECT_FALSE(m.error().empty());
  EXPECT_FALSE(m.load(path("missing.safetensors")));

  EXPECT_EQ(m.path(), path("a.safetensors"));
  EXPECT_EQ(m.z(), z);
  EXPECT_EQ(m.image().values(), img.values());

  // A good one replaces it, keeping z; the image changes (other weights).
  ASSERT_TRUE(m.load(path("b.safetensors"))) << m.error();
  EXPECT_TRUE(m.error().empty());
  EXPECT_EQ(m.z(), z);
  EXPECT_NE(m.image().values(), img.values());
}

// Another model of ours (28x28) loads too: its own image size and layers.
TEST_F(LatentModelTest, LoadsTheOtherGan) {
  convt::GanConfig cfg;
  cfg.seed = 13;
  convt::GanTrainer t(convt::nn::load_model_spec("dcgan28"), cfg, nullptr);
  t.save_checkpoint(path("c28.safetensors"));
  convt::lab::LatentModel m;
  ASSERT_TRUE(m.load(path("a.safetensors")));
  ASSERT_TRUE(m.load(path("c28.safetensors"))) << m.error();
  EXPECT_EQ(m.model_name(), "dcgan28");
  EXPECT_EQ(m.image().shape(), (std::vector<int64_t>{1, 1, 28, 28}));
  EXPECT_EQ(m.layers().size(), m.G().size());
  EXPECT_FALSE(m.conv_transpose_layers().empty());
}

// The nearest real image searches the built-in digits for a digit generator and the emoji a
// generator was trained on for an emoji one; nothing for other data.
TEST(NearestRealSpec, DigitsOrTheEmojiTheGeneratorWasTrainedOn) {
  using convt::lab::nearest_real_spec;
  EXPECT_EQ(nearest_real_spec({1, 20, 20}, "digits20"), "digits");
  EXPECT_EQ(nearest_real_spec({1, 28, 28}, "digits28"), "digits");
  EXPECT_EQ(nearest_real_spec({1, 20, 20}, ""), "digits");  // a dcgan20 file older than the name
  EXPECT_EQ(nearest_real_spec({3, 32, 32}, "emoji:smileys-emotion"), "emoji:smileys-emotion");
  EXPECT_EQ(nearest_real_spec({3, 64, 64}, "emoji"), "emoji");
  EXPECT_EQ(nearest_real_spec({1, 28, 28}, "fashion-mnist-train"), "");
  EXPECT_EQ(nearest_real_spec({3, 32, 32}, "my_photos"), "");
  EXPECT_EQ(nearest_real_spec({3, 32, 32}, "emojis_of_mine"), "");  // a folder, not the package
  EXPECT_EQ(nearest_real_spec({}, ""), "");                         // no model
}

TEST_F(LatentModelTest, StepperSliceIsTheRealLayer) {
  convt::lab::LatentModel m;
  ASSERT_TRUE(m.load(path("a.safetensors")));
  m.randomise(3);
  EXPECT_EQ(m.conv_transpose_layers(), (std::vector<int>{4, 7, 10}));
  const auto& layers = m.layers();
  const int layer = 4, oc = 17, oy = 6, ox = 3;
  // Summing the slices over every input channel gives the layer's real output.
  double sum = 0;
  for (int ic = 0; ic < 256; ++ic) {
    const auto s = m.stepper_slice(layer, ic, oc, oy, ox);
    sum += s.slice_output.at(0, 0, oy, ox);
  }
  EXPECT_NEAR(sum, layers[4].output.at(0, oc, oy, ox), 1e-4);

  const auto s = m.stepper_slice(layer, 40, oc, oy, ox);
  EXPECT_EQ(s.input.shape(), (std::vector<int64_t>{1, 1, 5, 5}));
  EXPECT_EQ(s.weight.shape(), (std::vector<int64_t>{1, 1, 5, 5}));
  EXPECT_EQ(s.input.at(0, 0, 2, 1), layers[3].output.at(0, 40, 2, 1));
  EXPECT_EQ(s.params.stride.h, 2);
  EXPECT_EQ(s.params.padding.h, 2);
  EXPECT_EQ(s.params.output_padding.h, 1);
  ASSERT_FALSE(s.events.empty());
  EXPECT_EQ(s.event_index, s.events.front());
  EXPECT_EQ(s.event_count, 25 * 25);

  // The stepper replays it: same output, and its event event_index writes (oy, ox).
  convt::lab::StepperModel stepper;
  ASSERT_EQ(convt::lab::load_into_stepper(s, stepper), "");
  EXPECT_EQ(stepper.event_count(), s.event_count);
  EXPECT_EQ(stepper.position(), s.event_index + 1);
  const convt::MacEvent e = stepper.event(s.event_index);
  EXPECT_EQ(e.oy, oy);
  EXPECT_EQ(e.ox, ox);
  EXPECT_FALSE(e.cropped);
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) {
      EXPECT_FLOAT_EQ(stepper.output().at(0, 0, y, x), s.slice_output.at(0, 0, y, x));
    }
  }
  EXPECT_FALSE(s.windowed());  // 5x5 fits the stepper whole

  EXPECT_THROW(m.stepper_slice(5, 0, 0, 0, 0), std::invalid_argument);    // a BatchNorm
  EXPECT_THROW(m.stepper_slice(4, 256, 0, 0, 0), std::invalid_argument);  // channel
  EXPECT_THROW(m.stepper_slice(4, 0, 0, 10, 0), std::invalid_argument);   // pixel
}

// The whole-plane contribution of input channel ic to output pixel (oc, oy, ox) of G's layer,
// by the core kernel on the full plane (the reference for the windowed slices).
float whole_plane_contribution(convt::lab::LatentModel& m, int layer, int ic, int oc, int oy,
                               int ox) {
  const auto& layers = m.layers();
  const Tensor& x = layers[static_cast<size_t>(layer - 1)].output;  // (1, C_in, H, W)
  const int64_t H = x.dim(2), W = x.dim(3);
  Tensor plane({1, 1, H, W});
  std::copy(x.data() + ic * H * W, x.data() + (ic + 1) * H * W, plane.data());
  convt::Pair k;
  const auto params =
      convt::lab::conv_transpose_params(convt::nn::load_model_spec("dcgan20"), layer, &k);
  const auto s = m.stepper_slice(layer, ic, oc, oy, ox);  // for its weight
  Tensor out;
  convt::conv_transpose2d_forward(out, plane, s.weight, nullptr, params);
  return out.at(0, 0, oy, ox);
}

// Every ConvTranspose2d layer of G can be stepped through: up2 (10x10 input) and the output layer
// (20x20 input) through an 8x8 window holding every input pixel that reaches the chosen output
// pixel, which then gets exactly the layer's value.
TEST_F(LatentModelTest, EveryConvTransposeLayerFitsTheStepper) {
  convt::lab::LatentModel m;
  ASSERT_TRUE(m.load(path("a.safetensors")));
  m.randomise(4);
  struct Case {
    int layer, ic, oc, oy, ox;
  };
  for (const Case c : {Case{7, 3, 5, 0, 0}, Case{7, 100, 63, 19, 19}, Case{7, 9, 1, 11, 6},
                       Case{10, 0, 0, 0, 19}, Case{10, 33, 0, 19, 0}, Case{10, 17, 0, 9, 10}}) {
    SCOPED_TRACE("layer " + std::to_string(c.layer) + " pixel (" + std::to_string(c.oy) + ", " +
                 std::to_string(c.ox) + ")");
    const auto s = m.stepper_slice(c.layer, c.ic, c.oc, c.oy, c.ox);
    EXPECT_TRUE(s.windowed());
    EXPECT_EQ(s.input.shape(), (std::vector<int64_t>{1, 1, 8, 8}));
    EXPECT_EQ(convt::lab::stepper_fit(s), "");
    // The window is the real input plane, shifted.
    const Tensor& x = m.layers()[static_cast<size_t>(c.layer - 1)].output;
    EXPECT_EQ(s.input.at(0, 0, 7, 2), x.at(0, c.ic, s.window_y0 + 7, s.window_x0 + 2));
    EXPECT_EQ(s.window_oy, c.oy - s.window_y0 * s.params.stride.h);
    // Its contribution at the chosen pixel is the whole plane's.
    EXPECT_NEAR(s.slice_output.at(0, 0, s.window_oy, s.window_ox),
                whole_plane_contribution(m, c.layer, c.ic, c.oc, c.oy, c.ox), 1e-6);
    // The stepper replays it and lands on a write of that pixel.
    convt::lab::StepperModel stepper;
    ASSERT_EQ(convt::lab::load_into_stepper(s, stepper), "");
    ASSERT_GE(s.event_index, 0);
    EXPECT_EQ(stepper.position(), s.event_index + 1);
    const convt::MacEvent e = stepper.event(s.event_index);
    EXPECT_EQ(e.oy, s.window_oy);
    EXPECT_EQ(e.ox, s.window_ox);
    EXPECT_FLOAT_EQ(stepper.output().at(0, 0, s.window_oy, s.window_ox),
                    s.slice_output.at(0, 0, s.window_oy, s.window_ox));
  }
  // Summed over every input channel, the windows give the layer's real output.
  const int layer = 7, oc = 12, oy = 19, ox = 4;
  double sum = 0;
  for (int ic = 0; ic < 128; ++ic) {
    const auto s = m.stepper_slice(layer, ic, oc, oy, ox);
    sum += s.slice_output.at(0, 0, s.window_oy, s.window_ox);
  }
  EXPECT_NEAR(sum, m.layers()[7].output.at(0, oc, oy, ox), 1e-4);
}

// The window's first row, by the rule: every reaching input row inside, the pixel inside the
// window's output, as central as possible.
TEST(StepperWindow, StartHoldsEveryReachingRow) {
  using convt::lab::stepper_window_start;
  // k5 s1 p2 on 20 rows, 8-row windows (8 output rows): output row 19 is reached by rows 17..19.
  EXPECT_EQ(stepper_window_start(20, 8, 19, 5, 1, 2, 1, 8), 12);
  EXPECT_EQ(stepper_window_start(20, 8, 0, 5, 1, 2, 1, 8), 0);
  const int mid = stepper_window_start(20, 8, 10, 5, 1, 2, 1, 8);  // rows 8..12
  EXPECT_LE(mid, 8);
  EXPECT_GE(mid + 8, 13);
  EXPECT_EQ(10 - mid, 4);  // output row 4 of 0..7: as central as it gets (3.5)
  // k5 s2 p2 op1 on 10 rows, 8-row windows (16 output rows): row 19 is reached by row 9 only.
  EXPECT_EQ(stepper_window_start(10, 8, 19, 5, 2, 2, 1, 16), 2);
  // The whole plane when it fits.
  EXPECT_EQ(stepper_window_start(5, 8, 3, 5, 2, 2, 1, 10), 0);
  // No window: a kernel wider than the window's reach (k7 s1 p0 on 20 rows, 3-row windows).
  EXPECT_EQ(stepper_window_start(20, 3, 10, 7, 1, 0, 1, 9), -1);
}

}  // namespace
