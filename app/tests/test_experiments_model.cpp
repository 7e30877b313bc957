// ExperimentsModel on the shipped checkpoints: the FFNN's samples sit
// closer to the mean digit and differ less from each other than the GAN's from the same z (the
// point of the comparison); the blank canvases have one view per ConvTranspose2d, before and
// after training; the random-weights RGB generator gives 32x32x3 noise; the shipped dcgan64
// gives 64x64x3 images from the first of the same z as rgb32's; rgb32 is the one trained on
// the smileys, or on all emoji when asked; missing files become
// messages, not crashes; a G-only checkpoint loads like a full one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "convt/io/assets.h"
#include "convt/io/safetensors.h"
#include "convt/train/gan_trainer.h"
#include "convt/train/generator.h"
#include "logic/experiments_model.h"

namespace {

namespace fs = std::filesystem;
using convt::Tensor;
namespace lab = convt::lab;

const lab::ExperimentsModel& shipped() {
  static lab::ExperimentsModel m = [] {
    lab::ExperimentsModel x;
    x.load();
    return x;
  }();
  return m;
}

}  // namespace

TEST(ExperimentsModel, FfnnSamplesAreBlurrierAndMoreAlikeThanTheGans) {
  const lab::ExperimentsModel& m = shipped();
  ASSERT_TRUE(m.ffnn_message.empty()) << m.ffnn_message;
  ASSERT_TRUE(m.gan_message.empty()) << m.gan_message;
  EXPECT_EQ(m.ffnn_samples.shape(), (std::vector<int64_t>{16, 1, 20, 20}));
  EXPECT_EQ(m.gan_samples.shape(), (std::vector<int64_t>{16, 1, 20, 20}));
  EXPECT_GT(m.ffnn_steps, 0);
  EXPECT_LT(m.ffnn_spread.mse_to_mean, m.gan_spread.mse_to_mean);
  EXPECT_LT(m.ffnn_spread.spread, m.gan_spread.spread);
}

TEST(ExperimentsModel, BlankCanvasBeforeAndAfterTraining) {
  const lab::ExperimentsModel& m = shipped();
  for (const lab::CanvasView* v : {&m.canvas_random, &m.canvas_trained}) {
    EXPECT_EQ(v->dream.shape(), (std::vector<int64_t>{1, 1, 20, 20})) << v->title;
    ASSERT_EQ(v->layers.size(), 3u) << v->title;
    EXPECT_EQ(v->layers[0].kernels.shape(), (std::vector<int64_t>{8, 1, 5, 5}));
    EXPECT_EQ(v->layers[2].kernels.shape(), (std::vector<int64_t>{1, 1, 5, 5}));  // 64 -> 1
    EXPECT_EQ(v->layers[1].footprint.shape(), (std::vector<int64_t>{1, 1, 20, 20}));
  }
  EXPECT_NE(m.canvas_random.dream.values(), m.canvas_trained.dream.values());
}

TEST(ExperimentsModel, RandomRgbGeneratorGivesNoiseOfTheRightShape) {
  const lab::ExperimentsModel& m = shipped();
  ASSERT_EQ(m.rgb_random.shape(), (std::vector<int64_t>{16, 3, 32, 32}));
  double sum = 0, sq = 0;
  for (float v : m.rgb_random.values()) {
    ASSERT_TRUE(std::isfinite(v));
    sum += v;
    sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(m.rgb_random.numel());
  EXPECT_GT(std::sqrt(sq / n - (sum / n) * (sum / n)), 0.1) << "should look like noise, not flat";
}

TEST(ExperimentsModel, ShippedDcgan64MakesColourImagesFromTheSameZ) {
  const lab::ExperimentsModel& m = shipped();
  ASSERT_TRUE(m.rgb64_message.empty()) << m.rgb64_message;
  ASSERT_EQ(m.rgb64_trained.shape(), (std::vector<int64_t>{8, 3, 64, 64}));
  EXPECT_GT(m.rgb64_steps, 0);
  EXPECT_TRUE(m.rgb64_averaged);
  // Two different z give two different images.
  const int64_t image = 3 * 64 * 64;
  double diff = 0;
  for (int64_t i = 0; i < image; ++i)
    diff += std::abs(m.rgb64_trained[i] - m.rgb64_trained[image + i]);
  EXPECT_GT(diff / image, 0.01);
}

TEST(ExperimentsModel, Rgb32OnTheSmileysByDefaultOrOnAllEmojiFromTheSameZ) {
  lab::ExperimentsModel m;
  m.load();
  ASSERT_FALSE(m.rgb_all_emoji);
  ASSERT_TRUE(m.rgb_message.empty()) << m.rgb_message;
  ASSERT_EQ(m.rgb_trained.shape(), (std::vector<int64_t>{16, 3, 32, 32}));
  const convt::Generator faces =
      convt::load_generator(convt::asset_path("checkpoints/rgb32_emoji_faces_G.safetensors"),
                            convt::GeneratorChoice::prefer_ema);
  const convt::Generator all =
      convt::load_generator(convt::asset_path("checkpoints/rgb32_emoji_G.safetensors"),
                            convt::GeneratorChoice::prefer_ema);
  EXPECT_EQ(m.rgb_steps, faces.steps);
  EXPECT_TRUE(m.rgb_averaged);
  const Tensor on_faces = m.rgb_trained;
  m.rgb_all_emoji = true;
  m.recompute();
  ASSERT_TRUE(m.rgb_message.empty()) << m.rgb_message;
  EXPECT_EQ(m.rgb_steps, all.steps);
  ASSERT_NE(faces.steps, all.steps);  // else the steps above tell nothing
  ASSERT_EQ(m.rgb_trained.shape(), on_faces.shape());
  double diff = 0;
  for (int64_t i = 0; i < on_faces.numel(); ++i) diff += std::abs(on_faces[i] - m.rgb_trained[i]);
  EXPECT_GT(diff / static_cast<double>(on_faces.numel()), 0.05) << "two generators, one picture";
}

TEST(ExperimentsModel, MissingFilesBecomeMessages) {
  lab::ExperimentsModel::Paths p;
  p.ffnn = "/nonexistent/ffnn.safetensors";
  p.gan = "/nonexistent/gan.safetensors";
  p.rgb = "/nonexistent/rgb.safetensors";
  p.rgb_faces = "/nonexistent/rgb_faces.safetensors";
  p.rgb64 = "/nonexistent/rgb64.safetensors";
  lab::ExperimentsModel m(p);
  m.load();
  EXPECT_NE(m.ffnn_message.find("/nonexistent/ffnn.safetensors"), std::string::npos)
      << m.ffnn_message;
  EXPECT_NE(m.gan_message.find("/nonexistent/gan.safetensors"), std::string::npos);
  EXPECT_NE(m.rgb_message.find("/nonexistent/rgb_faces.safetensors"), std::string::npos)
      << m.rgb_message;
  EXPECT_NE(m.rgb_message.find("--data emoji:smileys-emotion"), std::string::npos) << m.rgb_message;
  EXPECT_EQ(m.rgb_trained.numel(), 0);
  m.rgb_all_emoji = true;
  m.recompute();
  EXPECT_NE(m.rgb_message.find("/nonexistent/rgb.safetensors"), std::string::npos) << m.rgb_message;
  EXPECT_NE(m.rgb_message.find("--with-emoji"), std::string::npos) << m.rgb_message;
  EXPECT_NE(m.rgb64_message.find("/nonexistent/rgb64.safetensors"), std::string::npos)
      << m.rgb64_message;
  EXPECT_NE(m.rgb64_message.find("--model dcgan64"), std::string::npos) << m.rgb64_message;
  EXPECT_EQ(m.rgb64_trained.numel(), 0);
  EXPECT_EQ(m.ffnn_samples.numel(), 0);
  EXPECT_EQ(m.canvas_random.layers.size(), 3u);  // random weights need no file
  EXPECT_TRUE(m.canvas_trained.layers.empty());
}
