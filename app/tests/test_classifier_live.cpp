// "Train it live" (app/logic/classifier_live.h): the held-out split, a short run on a worker
// thread that learns (accuracy up, first-layer kernels changed) and publishes snapshots the
// view loads, Stop and destruction that end a run within a step, and the shipped classifier's
// file left as it was.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "logic/classifier_live.h"
#include "logic/cnn_inside.h"
#include "logic/quality_score.h"

namespace {

using convt::Dataset;
using convt::lab::LiveClassifierOptions;
using convt::lab::LiveClassifierRun;
using convt::lab::LiveClassifierSnapshot;

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Waits until the run finishes (at most `limit` seconds); false on timeout.
bool wait_done(const LiveClassifierRun& run, double limit) {
  const auto start = std::chrono::steady_clock::now();
  while (run.running()) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > limit) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class ClassifierLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    all_ = std::make_shared<Dataset>(convt::load_builtin_digits(20));
    // Every 4th digit (the digits are ordered by class): 2500 of every class, for short runs.
    auto small = std::make_shared<Dataset>();
    const int64_t n = all_->size() / 4;
    small->images = convt::Tensor({n, 1, 20, 20});
    for (int64_t i = 0; i < n; ++i) {
      std::copy(all_->images.data() + 4 * i * 400, all_->images.data() + (4 * i + 1) * 400,
                small->images.data() + i * 400);
      small->labels.push_back(all_->labels[static_cast<size_t>(4 * i)]);
    }
    small_ = small;
  }
  static void TearDownTestSuite() {
    all_.reset();
    small_.reset();
  }
  static std::shared_ptr<const Dataset> all_, small_;
};
std::shared_ptr<const Dataset> ClassifierLiveTest::all_, ClassifierLiveTest::small_;

TEST_F(ClassifierLiveTest, EveryTenthDigitIsHeldOutAsTheShippedClassifierWas) {
  Dataset train, heldout;
  convt::lab::split_digits(*all_, &train, &heldout);
  ASSERT_EQ(train.size(), 9000);
  ASSERT_EQ(heldout.size(), 1000);
  EXPECT_EQ(heldout.labels[0], all_->labels[9]);
  EXPECT_EQ(heldout.images[0], all_->images[9 * 400]);
  EXPECT_EQ(heldout.images[400 + 200], all_->images[19 * 400 + 200]);
  EXPECT_EQ(train.images[9 * 400 + 123], all_->images[10 * 400 + 123]);  // 9 is held out
  Dataset bad;
  bad.images = convt::Tensor({2, 1, 28, 28});
  bad.labels = {1, 2};
  try {
    convt::lab::split_digits(bad, &train, &heldout);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 1, 28, 28)"), std::string::npos) << e.what();
  }
}

TEST_F(ClassifierLiveTest, AShortRunLearnsAndLeavesTheShippedFileAsItWas) {
  const std::string shipped = convt::asset_path(convt::lab::kDigitClassifierAsset);
  const std::string before = file_bytes(shipped);
  LiveClassifierOptions o;
  o.epochs = 2;  // 2250 training digits: 2 x 35 steps
  o.eval_every = 10;
  LiveClassifierRun run(small_, o);
  ASSERT_TRUE(wait_done(run, 120.0));
  const auto s = run.snapshot();
  ASSERT_TRUE(s->done);
  EXPECT_EQ(s->error, "");
  EXPECT_FALSE(s->stopped);
  EXPECT_EQ(s->total_steps, 70);
  EXPECT_EQ(s->step, 70);
  ASSERT_GE(s->accuracy.size(), 8u);
  EXPECT_EQ(s->curve_steps.front(), 0.0f);
  EXPECT_EQ(s->curve_steps.back(), 70.0f);
  EXPECT_LT(s->accuracy.front(), 0.3f) << "random weights: about 1 in 10 right";
  EXPECT_GT(s->accuracy.back(), 0.7f) << "70 steps of Adam on the digits";
  for (size_t k = 1; k < s->curve_steps.size(); ++k) {
    EXPECT_GT(s->curve_steps[k], s->curve_steps[k - 1]);
  }
  // The first layer's kernels moved away from their initial values.
  auto fresh = convt::lab::build_digit_classifier(o.seed);
  auto trained = convt::lab::build_digit_classifier(99);
  convt::lab::load_live_params(*s, *trained);
  const convt::Tensor& w0 = *fresh->params()[0].value;
  const convt::Tensor& w1 = *trained->params()[0].value;
  ASSERT_EQ(w0.shape(), w1.shape());
  double moved = 0.0;
  for (int64_t k = 0; k < w0.numel(); ++k) moved += std::fabs(w1[k] - w0[k]);
  EXPECT_GT(moved / static_cast<double>(w0.numel()), 0.01);
  EXPECT_EQ(file_bytes(shipped), before);
}

TEST_F(ClassifierLiveTest, StopAndDestructionEndARunWithinAStep) {
  {
    LiveClassifierRun run(all_, LiveClassifierOptions{});
    while (run.version() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    run.stop();
    ASSERT_TRUE(wait_done(run, 10.0));
    EXPECT_TRUE(run.snapshot()->done);
    EXPECT_TRUE(run.snapshot()->stopped);
    EXPECT_LT(run.snapshot()->step, run.snapshot()->total_steps);
  }
  const auto start = std::chrono::steady_clock::now();
  {
    LiveClassifierRun run(all_, LiveClassifierOptions{});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }  // destroyed while training: at most one step and one held-out evaluation later (well under
     // a second in a Release build; ThreadSanitizer makes both about 50 times slower)
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30.0);
}

TEST_F(ClassifierLiveTest, TheViewRunsTheLiveWeightsWhenAsked) {
  convt::lab::InsideModel m;
  m.d_path = "";  // no D
  m.load();
  ASSERT_EQ(m.classifier_error, "");
  const std::vector<float> shipped = m.probabilities;
  LiveClassifierOptions o;
  o.epochs = 1;
  o.eval_every = 5;
  m.digits = std::const_pointer_cast<Dataset>(small_);
  ASSERT_TRUE(m.start_live(o));
  EXPECT_TRUE(m.use_live);
  ASSERT_TRUE(wait_done(*m.live, 120.0));
  EXPECT_TRUE(m.take_live());
  EXPECT_FALSE(m.take_live()) << "nothing new";
  const convt::lab::NetworkInside direct = convt::lab::look_inside(*m.live_net, m.canvas);
  ASSERT_EQ(m.cls.output.numel(), 10);
  for (int k = 0; k < 10; ++k) EXPECT_FLOAT_EQ(m.cls.output[k], direct.output[k]);
  EXPECT_NE(m.probabilities, shipped);
  m.use_live = false;
  m.recompute();
  for (int k = 0; k < 10; ++k) EXPECT_FLOAT_EQ(m.probabilities[static_cast<size_t>(k)], shipped[k]);
}

}  // namespace
