// CompletionModel (the completion panel's logic): log parsing, the canvas and its brush,
// masks, region errors by their definition, checkpoint loading (bad files keep the previous
// model), and completion / refinement / blank canvas / held-out evaluation against the core's
// CompletionTrainer (identities: the panel must show exactly what the trainer computes). The
// shipped models are checked last.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "convt/rng.h"
#include "convt/train/completion.h"
#include "logic/completion_model.h"

namespace {

namespace fs = std::filesystem;
using convt::CompletionConfig;
using convt::CompletionTrainer;
using convt::MaskKind;
using convt::Tensor;
using convt::lab::CompletionModel;
using convt::lab::Tying;

constexpr int kSize = CompletionModel::kSize;

// A temporary directory per test, removed at the end.
class CompletionModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("convt_completion_model_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An untrained (seeded) completion checkpoint; 28x28 unless `size` says otherwise.
  std::string checkpoint(bool tied, uint64_t seed = 3, int size = kSize) {
    CompletionConfig cfg;
    cfg.tied = tied;
    cfg.seed = seed;
    cfg.image_size = size;
    CompletionTrainer t(cfg, nullptr);
    const std::string path =
        (dir_ / (std::string(tied ? "tied" : "untied") + "_" + std::to_string(seed) + "_" +
                 std::to_string(size) + ".safetensors"))
            .string();
    t.save_checkpoint(path);
    return path;
  }

  fs::path dir_;
};

// Images (n, 1, 28, 28) with values in [-1, 1] from Rng(seed).
Tensor random_images(int64_t n, uint64_t seed) {
  convt::Rng rng(seed);
  Tensor x({n, 1, kSize, kSize});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = rng.uniform(-1.0f, 1.0f);
  return x;
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a[i], b[i]) << "at " << i;
}

// ---- Logs ---------------------------------------------------------------------------------------

const char* kLog =
    "step,epoch,loss,samples_per_second,heldout_mse\n"
    "1,0,0.9,100,-1\n"
    "2,0,0.7,300,0.5\n"
    "3,0,0.6,200,-1\n"
    "4,0,0.5,400,0.25\n";

TEST(CompletionLog, ParsesEveryRowAndTheHeldOutRows) {
  const convt::lab::CompletionLog log = convt::lab::parse_completion_log(kLog, "log.csv");
  EXPECT_EQ(log.step, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(log.loss, (std::vector<float>{0.9f, 0.7f, 0.6f, 0.5f}));
  EXPECT_EQ(log.heldout_step, (std::vector<float>{2, 4}));
  EXPECT_EQ(log.heldout_mse, (std::vector<float>{0.5f, 0.25f}));
  EXPECT_DOUBLE_EQ(log.mean_samples_per_second, 250.0);
  EXPECT_EQ(log.last_step(), 4);
  EXPECT_FLOAT_EQ(static_cast<float>(log.final_heldout_mse()), 0.25f);
}

TEST(CompletionLog, RefusalsNameTheFileLineAndColumn) {
  auto message = [](const std::string& text) {
    try {
      convt::lab::parse_completion_log(text, "run/log.csv");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message("").find("run/log.csv: empty"), std::string::npos);
  EXPECT_NE(message("step,loss\n1,2\n").find("line 1: expected the header"), std::string::npos);
  EXPECT_NE(message("step,epoch,loss,samples_per_second,heldout_mse\n1,0,0.5,10\n")
                .find("line 2: expected 5 fields, found 4"),
            std::string::npos);
  EXPECT_NE(message("step,epoch,loss,samples_per_second,heldout_mse\n1,0,0.5,10,-1\n2,0,x,1,-1\n")
                .find("line 3, column loss: expected a number, found 'x'"),
            std::string::npos);
  EXPECT_NE(message("step,epoch,loss,samples_per_second,heldout_mse\n").find("no rows"),
            std::string::npos);
}

TEST(CompletionLog, MissingFileNamesThePath) {
  try {
    convt::lab::load_completion_log("/nonexistent/convt/log.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/convt/log.csv"), std::string::npos);
  }
}

// ---- Canvas and brush ------------------------------------------------------------------------

TEST(CompletionCanvas, StartsAsPaperAndCopiesAnImage) {
  CompletionModel m;
  ASSERT_EQ(m.canvas().shape(), (std::vector<int64_t>{1, 1, kSize, kSize}));
  for (int64_t i = 0; i < m.canvas().numel(); ++i) ASSERT_EQ(m.canvas()[i], -1.0f);
  const Tensor images = random_images(3, 1);
  m.set_canvas(images, 2);
  for (int64_t i = 0; i < kSize * kSize; ++i)
    ASSERT_EQ(m.canvas()[i], images[2 * kSize * kSize + i]);
  EXPECT_THROW(m.set_canvas(images, 3), std::invalid_argument);
  EXPECT_THROW(m.set_canvas(Tensor({1, 1, 20, 20}), 0), std::invalid_argument);
  m.clear_canvas();
  for (int64_t i = 0; i < m.canvas().numel(); ++i) ASSERT_EQ(m.canvas()[i], -1.0f);
}

TEST(CompletionCanvas, DabInksItsPixelAndLeavesFarPixels) {
  CompletionModel m;
  const convt::lab::Brush brush;                             // inner 0.6, outer 1.6
  EXPECT_TRUE(m.stroke(10.5f, 12.5f, 10.5f, 12.5f, brush));  // the centre of pixel (10, 12)
  EXPECT_EQ(m.canvas()[10 * kSize + 12], 1.0f);              // d = 0: full ink
  // Pixel (10, 13): d = 1, s = (1.6 - 1) / 1.0 = 0.6 -> -1 + 1.2 = 0.2.
  EXPECT_NEAR(m.canvas()[10 * kSize + 13], 0.2f, 1e-6f);
  EXPECT_EQ(m.canvas()[10 * kSize + 15], -1.0f);  // d = 3 > outer
  EXPECT_EQ(m.canvas()[0], -1.0f);
}

TEST(CompletionCanvas, StrokeInksEveryPixelAlongTheSegment) {
  CompletionModel m;
  m.stroke(5.5f, 2.5f, 5.5f, 20.5f, convt::lab::Brush());
  for (int c = 2; c <= 20; ++c) EXPECT_EQ(m.canvas()[5 * kSize + c], 1.0f) << "column " << c;
  EXPECT_EQ(m.canvas()[5 * kSize + 24], -1.0f);
}

TEST(CompletionCanvas, DrawNeverLightensAndEraseReturnsToPaper) {
  CompletionModel m;
  convt::lab::Brush brush;
  m.stroke(14.5f, 14.5f, 14.5f, 14.5f, brush);
  EXPECT_FALSE(m.stroke(14.5f, 14.5f, 14.5f, 14.5f, brush)) << "a second dab changes nothing";
  brush.erase = true;
  EXPECT_TRUE(m.stroke(14.5f, 14.5f, 14.5f, 14.5f, brush));
  EXPECT_EQ(m.canvas()[14 * kSize + 14], -1.0f);
}

TEST(CompletionCanvas, StrokeOutsideTheCanvasIsClipped) {
  CompletionModel m;
  EXPECT_FALSE(m.stroke(-10.0f, -10.0f, -8.0f, -8.0f, convt::lab::Brush()));
  EXPECT_TRUE(m.stroke(0.0f, 0.0f, 0.0f, 0.0f, convt::lab::Brush()));  // the corner pixel
}

// ---- Masks ------------------------------------------------------------------------------------

TEST(CompletionMask, BottomHalfHidesRows14To27WithZero) {
  CompletionModel m;
  m.set_canvas(random_images(1, 2), 0);
  ASSERT_EQ(m.region(), MaskKind::bottom_half);
  for (int r = 0; r < kSize; ++r) {
    for (int c = 0; c < kSize; ++c) {
      const int i = r * kSize + c;
      EXPECT_EQ(m.mask()[i], r < 14 ? 1.0f : 0.0f);
      EXPECT_EQ(m.masked()[i], r < 14 ? m.canvas()[i] : 0.0f);
    }
  }
}

TEST(CompletionMask, RegionsHideWhatTheySay) {
  CompletionModel m;
  auto hidden = [&] {
    int n = 0;
    for (int64_t i = 0; i < m.mask().numel(); ++i) n += m.mask()[i] == 0.0f;
    return n;
  };
  m.set_region(MaskKind::left_half);
  EXPECT_EQ(hidden(), 28 * 14);
  EXPECT_EQ(m.mask()[0], 0.0f);
  EXPECT_EQ(m.mask()[27], 1.0f);
  m.set_region(MaskKind::everything);
  EXPECT_EQ(hidden(), 28 * 28);
  m.set_region(MaskKind::random_square);
  EXPECT_EQ(hidden(), 14 * 14);
}

TEST(CompletionMask, RandomSquareFollowsItsSeed) {
  CompletionModel a, b;
  a.set_region(MaskKind::random_square);
  b.set_region(MaskKind::random_square);
  expect_same(a.mask(), b.mask());
  bool moved = false;
  for (uint64_t seed = 2; seed < 6 && !moved; ++seed) {
    b.set_square_seed(seed);
    for (int64_t i = 0; i < a.mask().numel(); ++i) moved |= a.mask()[i] != b.mask()[i];
  }
  EXPECT_TRUE(moved) << "another seed should move the square";
}

TEST(CompletionMask, EveryChangeBumpsTheVersion) {
  CompletionModel m;
  uint64_t v = m.version();
  m.set_region(MaskKind::left_half);
  EXPECT_GT(m.version(), v);
  v = m.version();
  m.stroke(3.5f, 3.5f, 3.5f, 3.5f, convt::lab::Brush());
  EXPECT_GT(m.version(), v);
  v = m.version();
  m.set_region(MaskKind::left_half);  // unchanged
  EXPECT_EQ(m.version(), v);
}

// ---- Region error -----------------------------------------------------------------------------

// By definition: out = target + 0.5 on the hidden pixels, exact elsewhere.
TEST(RegionError, MatchesTheDefinition) {
  CompletionModel m;  // bottom half: 392 hidden
  const Tensor target = random_images(1, 4);
  Tensor out = target;
  for (int64_t i = 0; i < out.numel(); ++i) {
    if (m.mask()[i] == 0.0f) out[i] += 0.5f;
  }
  const convt::lab::RegionError e = convt::lab::region_error(out, target, m.mask());
  EXPECT_EQ(e.hidden, 392);
  EXPECT_NEAR(e.hidden_mse, 0.25, 1e-6);
  EXPECT_NEAR(e.mse, 0.25 * 392.0 / 784.0, 1e-6);
  EXPECT_EQ(convt::lab::region_error(target, target, m.mask()).mse, 0.0);
  EXPECT_THROW(convt::lab::region_error(Tensor({1, 1, 4, 4}), target, m.mask()),
               std::invalid_argument);
}

// By definition: two images that differ by 2 at one pixel of 784 have spread (2 / 2) / 784.
TEST(SpreadAcrossImages, MatchesTheDefinition) {
  Tensor x({2, 1, kSize, kSize}, 0.25f);
  EXPECT_EQ(convt::lab::spread_across_images(x), 0.0);
  x[kSize * kSize + 5] = 2.25f;
  EXPECT_NEAR(convt::lab::spread_across_images(x), 1.0 / 784.0, 1e-12);
  EXPECT_THROW(convt::lab::spread_across_images(Tensor({0, 1, 2, 2})), std::invalid_argument);
}

// ---- Loading ----------------------------------------------------------------------------------

TEST_F(CompletionModelTest, LoadsBothKindsWithTheirCounts) {
  CompletionModel m;
  ASSERT_TRUE(m.load(Tying::kTied, checkpoint(true))) << m.error(Tying::kTied);
  ASSERT_TRUE(m.load(Tying::kUntied, checkpoint(false))) << m.error(Tying::kUntied);
  CompletionConfig cfg;
  cfg.tied = true;
  CompletionTrainer tied(cfg, nullptr);
  EXPECT_EQ(m.parameter_count(Tying::kTied), tied.net().parameter_count());
  // Tying removes the two decoder kernels: c1 C k k + c2 c1 k k conv weights.
  const int64_t kernels = cfg.channels1 * cfg.image_channels * cfg.kernel_size * cfg.kernel_size +
                          cfg.channels2 * cfg.channels1 * cfg.kernel_size * cfg.kernel_size;
  EXPECT_EQ(m.parameter_count(Tying::kUntied) - m.parameter_count(Tying::kTied), kernels);
  EXPECT_EQ(m.conv_parameter_count(Tying::kUntied) - m.conv_parameter_count(Tying::kTied), kernels);
  EXPECT_EQ(m.latent_dim(Tying::kTied), cfg.latent_dim);
  EXPECT_EQ(m.trained_mask(Tying::kTied), MaskKind::bottom_half);
}

TEST_F(CompletionModelTest, RefusesTheOtherKindAndKeepsThePreviousModel) {
  CompletionModel m;
  const std::string untied = checkpoint(false);
  ASSERT_TRUE(m.load(Tying::kUntied, untied));
  EXPECT_FALSE(m.load(Tying::kUntied, checkpoint(true)));
  EXPECT_NE(m.error(Tying::kUntied).find("expected a untied completion model, found a tied one"),
            std::string::npos)
      << m.error(Tying::kUntied);
  EXPECT_TRUE(m.loaded(Tying::kUntied));
  EXPECT_EQ(m.path(Tying::kUntied), untied);
}

TEST_F(CompletionModelTest, RefusesAnotherImageSize) {
  CompletionModel m;
  EXPECT_FALSE(m.load(Tying::kTied, checkpoint(true, 3, 16)));
  EXPECT_NE(m.error(Tying::kTied).find("1 x 28 x 28"), std::string::npos) << m.error(Tying::kTied);
  EXPECT_NE(m.error(Tying::kTied).find("1 x 16 x 16"), std::string::npos);
  EXPECT_FALSE(m.loaded(Tying::kTied));
}

TEST_F(CompletionModelTest, MissingAndTruncatedFilesAreRefusedWithTheirPath) {
  CompletionModel m;
  const std::string missing = (dir_ / "nope.safetensors").string();
  EXPECT_FALSE(m.load(Tying::kTied, missing));
  EXPECT_NE(m.error(Tying::kTied).find(missing), std::string::npos) << m.error(Tying::kTied);

  const std::string good = checkpoint(true);
  ASSERT_TRUE(m.load(Tying::kTied, good));
  const std::string cut = (dir_ / "cut.safetensors").string();
  {
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream out(cut, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  EXPECT_FALSE(m.load(Tying::kTied, cut));
  EXPECT_NE(m.error(Tying::kTied).find("cut.safetensors"), std::string::npos)
      << m.error(Tying::kTied);
  EXPECT_TRUE(m.loaded(Tying::kTied));
  EXPECT_EQ(m.path(Tying::kTied), good);
}

TEST(CompletionModelEmpty, AnswersNothingWithoutAModel) {
  CompletionModel m;
  EXPECT_FALSE(m.loaded(Tying::kTied));
  EXPECT_TRUE(m.completion(Tying::kTied).empty());
  EXPECT_TRUE(m.refinement(Tying::kTied, 3).empty());
  EXPECT_TRUE(m.blank_canvas(Tying::kTied, 4, 1).empty());
  EXPECT_EQ(m.parameter_count(Tying::kUntied), 0);
}

// ---- What the models make of the input: the trainer's own answers -----------------------------

TEST_F(CompletionModelTest, CompletionIsTheTrainersCompletionOfTheMaskedCanvas) {
  const std::string path = checkpoint(false);
  CompletionModel m;
  ASSERT_TRUE(m.load(Tying::kUntied, path));
  m.set_canvas(random_images(1, 5), 0);
  auto ref = CompletionTrainer::from_checkpoint(path, nullptr);
  expect_same(m.completion(Tying::kUntied), ref->complete(m.masked()));
  m.set_region(MaskKind::left_half);  // recomputed after a change
  expect_same(m.completion(Tying::kUntied), ref->complete(m.masked()));
  const convt::lab::RegionError e = m.completion_error(Tying::kUntied);
  const convt::lab::RegionError want =
      convt::lab::region_error(ref->complete(m.masked()), m.canvas(), m.mask());
  EXPECT_EQ(e.mse, want.mse);
  EXPECT_EQ(e.hidden_mse, want.hidden_mse);
}

TEST_F(CompletionModelTest, RefinementFeedsEachPassBackWithTheVisiblePixels) {
  const std::string path = checkpoint(true);
  CompletionModel m;
  ASSERT_TRUE(m.load(Tying::kTied, path));
  m.set_canvas(random_images(1, 6), 0);
  const std::vector<Tensor> passes = m.refinement(Tying::kTied, 3);
  ASSERT_EQ(passes.size(), 3u);
  auto ref = CompletionTrainer::from_checkpoint(path, nullptr);
  expect_same(passes[0], m.completion(Tying::kTied));
  // Pass k + 1 completes pass k's output with the visible pixels of the canvas put back.
  for (int k = 1; k < 3; ++k) {
    Tensor input = passes[static_cast<size_t>(k - 1)];
    for (int64_t i = 0; i < input.numel(); ++i) {
      if (m.mask()[i] != 0.0f) input[i] = m.canvas()[i];
    }
    expect_same(passes[static_cast<size_t>(k)], ref->complete(input));
  }
  EXPECT_THROW(m.refinement(Tying::kTied, 0), std::invalid_argument);
  EXPECT_THROW(m.refinement(Tying::kTied, CompletionModel::kMaxPasses + 1), std::invalid_argument);
}

TEST_F(CompletionModelTest, BlankCanvasIsTheTrainersDrawingAndFollowsTheSeed) {
  const std::string path = checkpoint(false);
  CompletionModel m;
  ASSERT_TRUE(m.load(Tying::kUntied, path));
  auto ref = CompletionTrainer::from_checkpoint(path, nullptr);
  const Tensor a = m.blank_canvas(Tying::kUntied, 4, 11);
  ASSERT_EQ(a.shape(), (std::vector<int64_t>{4, 1, kSize, kSize}));
  expect_same(a, ref->generate_from_blank(4, 11));
  const Tensor b = m.blank_canvas(Tying::kUntied, 4, 12);
  bool differ = false;
  for (int64_t i = 0; i < a.numel(); ++i) differ |= a[i] != b[i];
  EXPECT_TRUE(differ) << "another seed should give other codes, other drawings";
  EXPECT_THROW(m.blank_canvas(Tying::kUntied, 0, 1), std::invalid_argument);
}

// The panel's held-out MSE with the bottom half hidden is the trainer's own evaluate().
TEST_F(CompletionModelTest, EvaluateMatchesTheTrainersEvaluation) {
  const std::string path = checkpoint(true);
  CompletionModel m;
  ASSERT_TRUE(m.load(Tying::kTied, path));
  const Tensor images = random_images(20, 7);
  auto ref = CompletionTrainer::from_checkpoint(path, nullptr);
  const convt::CompletionEval want = ref->evaluate(images, 1);
  const convt::CompletionEval got = m.evaluate(Tying::kTied, images, 1);
  EXPECT_EQ(got.images, 20);
  EXPECT_NEAR(got.mse, want.mse, 1e-9);
  EXPECT_NEAR(got.hidden_mse, want.hidden_mse, 1e-9);
}

// ---- The shipped models (assets/README.md) --------------------------------------------------

const char* kShipped[2] = {"checkpoints/completion28_tied.safetensors",
                           "checkpoints/completion28_untied.safetensors"};
const char* kShippedLog[2] = {"runs/completion28/tied/log.csv", "runs/completion28/untied/log.csv"};

TEST(CompletionShipped, BothLoadWithTheirLogsAtEqualSteps) {
  CompletionModel m;
  for (Tying t : convt::lab::kBothTyings) {
    const int i = static_cast<int>(t);
    ASSERT_TRUE(m.load(t, convt::asset_path(kShipped[i]))) << m.error(t);
    ASSERT_TRUE(m.load_log(t, convt::asset_path(kShippedLog[i]))) << m.log_error(t);
    EXPECT_EQ(m.log(t).last_step(), m.trained_steps(t)) << convt::lab::tying_name(t);
  }
  EXPECT_EQ(m.trained_steps(Tying::kTied), m.trained_steps(Tying::kUntied));
  EXPECT_GT(m.trained_steps(Tying::kTied), 0);
  EXPECT_LT(m.conv_parameter_count(Tying::kTied), m.conv_parameter_count(Tying::kUntied));
}

// The held-out MSE the panel computes is the one the run logged, it fell during training, and
// the completions beat the guess "the hidden half is blank paper" on the hidden pixels.
TEST(CompletionShipped, HeldOutMseMatchesTheLogAndBeatsABlankGuess) {
  const convt::Dataset held = convt::split_holdout(convt::load_builtin_digits(kSize), 10).second;
  CompletionModel m;   // bottom half hidden, as in training
  double blank = 0.0;  // hidden pixels guessed as paper (-1)
  int64_t hidden = 0;
  for (int64_t i = 0; i < held.images.numel(); ++i) {
    if ((i % (kSize * kSize)) / kSize >= kSize / 2) {
      blank += (held.images[i] + 1.0) * (held.images[i] + 1.0);
      ++hidden;
    }
  }
  blank /= static_cast<double>(hidden);
  for (Tying t : convt::lab::kBothTyings) {
    const int i = static_cast<int>(t);
    ASSERT_TRUE(m.load(t, convt::asset_path(kShipped[i]))) << m.error(t);
    ASSERT_TRUE(m.load_log(t, convt::asset_path(kShippedLog[i]))) << m.log_error(t);
    const convt::CompletionEval e = m.evaluate(t, held.images);
    EXPECT_NEAR(e.mse, m.log(t).final_heldout_mse(), 1e-4) << convt::lab::tying_name(t);
    EXPECT_LT(m.log(t).final_heldout_mse(), m.log(t).heldout_mse.front());
    EXPECT_LT(e.hidden_mse, blank) << convt::lab::tying_name(t);
  }
}

}  // namespace
