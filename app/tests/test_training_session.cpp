// The training dashboard's worker thread and its snapshot exchange (app/logic/training_session.h)
// and the bounded metric series (app/logic/metric_series.h). Fast: tiny batches of the built-in
// digits; also run under ThreadSanitizer by ./test.sh.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "logic/metric_series.h"
#include "logic/training_session.h"

namespace {

namespace fs = std::filesystem;
using convt::lab::CurvePoint;
using convt::lab::MetricSeries;
using convt::lab::SessionStatus;
using convt::lab::TrainingSession;
using convt::lab::TrainingSnapshot;

CurvePoint point(int64_t step, float value) {
  CurvePoint p;
  p.step = step;
  p.loss_g = value;
  p.loss_d = 2.0f * value;
  return p;
}

TEST(MetricSeries, KeepsEveryStepUntilFull) {
  MetricSeries s(8);
  for (int i = 1; i <= 7; ++i) s.push(point(i, static_cast<float>(i)));
  ASSERT_EQ(s.points().size(), 7u);
  EXPECT_EQ(s.stride(), 1);
  EXPECT_EQ(s.points()[0].step, 1);
  EXPECT_FLOAT_EQ(s.points()[6].loss_g, 7.0f);
}

TEST(MetricSeries, MergesPairsWhenFullAndNeverDropsTheStart) {
  MetricSeries s(8);
  const int n = 1000;
  for (int i = 1; i <= n; ++i) s.push(point(i, static_cast<float>(i)));
  EXPECT_EQ(s.total_pushed(), n);
  EXPECT_LE(s.points().size(), 8u);
  EXPECT_GE(s.points().size(), 4u);
  const int64_t stride = s.stride();
  EXPECT_GT(stride, 1);
  // Point k is the mean of steps k*stride+1 .. (k+1)*stride (values = step numbers): an identity.
  for (size_t k = 0; k < s.points().size(); ++k) {
    const double first = static_cast<double>(k) * stride + 1;
    const double last = first + stride - 1;
    EXPECT_EQ(s.points()[k].step, static_cast<int64_t>(last)) << k;
    EXPECT_NEAR(s.points()[k].loss_g, (first + last) / 2.0, 1e-3 * last) << k;
    EXPECT_NEAR(s.points()[k].loss_d, first + last, 2e-3 * last) << k;
  }
  // The start is kept: the first point covers step 1.
  EXPECT_EQ(s.points()[0].step, stride);
}

TEST(MetricSeries, RefusesOddOrTinyCapacity) {
  EXPECT_THROW(MetricSeries(3), std::invalid_argument);
  EXPECT_THROW(MetricSeries(7), std::invalid_argument);
}

TEST(MetricSeries, SmoothIsAMovingAverage) {
  const std::vector<float> v = {0, 2, 4, 6};
  EXPECT_EQ(convt::lab::smooth(v, 1), v);
  const std::vector<float> s = convt::lab::smooth(v, 2);
  EXPECT_FLOAT_EQ(s[0], 0.0f);
  EXPECT_FLOAT_EQ(s[1], 1.0f);
  EXPECT_FLOAT_EQ(s[3], 5.0f);
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("convt_session_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    cfg_.run_dir = dir_.string();
    cfg_.gan.batch_size = 8;
    cfg_.gan.backend = convt::nn::Backend::fast;
    cfg_.gan.seed = 3;
    cfg_.threads = 1;
    cfg_.grid_count = 16;
    cfg_.series_capacity = 16;
    cfg_.classifier = "";  // the quality score has its own test below (it costs a G forward)
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Waits until the worker has carried out every queued command (at most 60 s).
  static bool wait_idle(const TrainingSession& s) {
    for (int i = 0; i < 6000; ++i) {
      if (s.idle()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  static TrainingSnapshot snapshot(const TrainingSession& s) {
    TrainingSnapshot snap;
    s.read(snap);
    return snap;
  }
  fs::path dir_;
  convt::lab::SessionConfig cfg_;
};

TEST_F(SessionTest, StepsOneAtATime) {
  TrainingSession s;
  s.one_batch();  // no run yet: refused with a message
  ASSERT_TRUE(wait_idle(s));
  EXPECT_NE(snapshot(s).error.find("no run yet"), std::string::npos);

  s.prepare(cfg_);
  ASSERT_TRUE(wait_idle(s));
  TrainingSnapshot snap = snapshot(s);
  ASSERT_EQ(snap.status, SessionStatus::kPaused) << snap.error;
  EXPECT_EQ(snap.step, 0);
  ASSERT_EQ(snap.samples.shape(), (std::vector<int64_t>{16, 1, 20, 20}));
  ASSERT_EQ(snap.real.shape(), (std::vector<int64_t>{16, 1, 20, 20}));
  EXPECT_GT(snap.real_diversity, 0.1f);

  s.one_batch();
  ASSERT_TRUE(wait_idle(s));
  snap = snapshot(s);
  EXPECT_EQ(snap.step, 1);
  ASSERT_EQ(snap.series.points().size(), 1u);
  EXPECT_TRUE(snap.has_metrics);
  EXPECT_GT(snap.last.loss_d, 0.0f);

  s.step_a();
  ASSERT_TRUE(wait_idle(s));
  snap = snapshot(s);
  EXPECT_TRUE(snap.step_a_pending);
  EXPECT_EQ(snap.step, 1);
  s.step_b();
  ASSERT_TRUE(wait_idle(s));
  snap = snapshot(s);
  EXPECT_FALSE(snap.step_a_pending);
  EXPECT_EQ(snap.step, 2);
  EXPECT_EQ(snap.series.points().size(), 2u);
  EXPECT_EQ(s.steps_done(), 2);
}

TEST_F(SessionTest, ReadCopiesOnlyNewSnapshots) {
  TrainingSession s;
  s.prepare(cfg_);
  ASSERT_TRUE(wait_idle(s));
  TrainingSnapshot snap;
  EXPECT_TRUE(s.read(snap));
  EXPECT_FALSE(s.read(snap));  // nothing new
  s.one_batch();
  ASSERT_TRUE(wait_idle(s));
  EXPECT_TRUE(s.read(snap));
  EXPECT_EQ(snap.version, s.version());
}

TEST_F(SessionTest, RunsWhileAnotherThreadReadsThenPausesAndSaves) {
  TrainingSession s;
  std::atomic<bool> done{false};
  std::atomic<int64_t> reads{0};
  std::thread reader([&] {
    TrainingSnapshot snap;
    while (!done) {
      if (s.read(snap)) {
        ++reads;
        // A snapshot is consistent: its series never holds more steps than it says were done.
        EXPECT_LE(snap.series.total_pushed(), snap.step);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  s.start(cfg_);
  for (int i = 0; i < 3000 && s.steps_done() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.pause();
  ASSERT_TRUE(wait_idle(s));
  done = true;
  reader.join();
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_EQ(snap.status, SessionStatus::kPaused) << snap.error;
  EXPECT_GE(snap.step, 5);
  EXPECT_GT(reads.load(), 0);
  EXPECT_TRUE(fs::exists(dir_ / "checkpoint.safetensors"));
  EXPECT_EQ(snap.last_good_step, snap.step);
  // Paused means paused.
  const int64_t steps = s.steps_done();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(s.steps_done(), steps);
}

TEST_F(SessionTest, HyperparameterChangeIsMarkedAndTrainingContinues) {
  TrainingSession s;
  s.prepare(cfg_);
  s.one_batch();
  s.set_hyperparameters(2e-4f, 1e-4f, 0.5f, 0.999f);
  s.one_batch();
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_TRUE(snap.error.empty()) << snap.error;
  EXPECT_EQ(snap.step, 2);
  ASSERT_EQ(snap.events.size(), 1u);
  EXPECT_EQ(snap.events[0].step, 1);
  EXPECT_NE(snap.events[0].text.find("lr_G"), std::string::npos);
  EXPECT_FLOAT_EQ(snap.config.gan.lr_g, 2e-4f);
}

TEST_F(SessionTest, ClosingMidRunSavesACheckpoint) {
  {
    TrainingSession s;
    s.start(cfg_);
    for (int i = 0; i < 3000 && s.steps_done() < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }  // destructor: stop between steps, save
  EXPECT_TRUE(fs::exists(dir_ / "checkpoint.safetensors"));
  // and it loads back into a new run
  TrainingSession s;
  s.prepare(cfg_);
  s.load_checkpoint((dir_ / "checkpoint.safetensors").string());
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_TRUE(snap.error.empty()) << snap.error;
  EXPECT_GE(snap.step, 2);
}

TEST_F(SessionTest, PauseComputesTheQualityScore) {
  cfg_.classifier = "classifier/digits20.safetensors";
  cfg_.score_count = 40;
  TrainingSession s;
  s.prepare(cfg_);
  s.one_batch();
  s.pause();
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_TRUE(snap.score_note.empty()) << snap.score_note;
  ASSERT_TRUE(snap.has_score);
  EXPECT_EQ(snap.score.count, 40);
  EXPECT_GE(snap.score.score, 1.0f - 1e-4f);
  EXPECT_EQ(snap.score_step, 1);
  EXPECT_EQ(snap.score_history.size(), 1u);
}

TEST_F(SessionTest, BadDataFailsWithTheReason) {
  TrainingSession s;
  cfg_.data = (dir_ / "no_such_folder").string();
  s.start(cfg_);
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_EQ(snap.status, SessionStatus::kFailed);
  EXPECT_FALSE(snap.error.empty());
  s.reset();
  ASSERT_TRUE(wait_idle(s));
  EXPECT_EQ(snapshot(s).status, SessionStatus::kIdle);
}

}  // namespace
