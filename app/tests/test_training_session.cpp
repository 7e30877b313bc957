// The training dashboard's worker thread and its snapshot exchange (app/logic/training_session.h)
// and the bounded metric series (app/logic/metric_series.h). Fast: tiny batches of the built-in
// digits; also run under ThreadSanitizer by ./test.sh.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/sequential.h"
#include "convt/train/gan_trainer.h"
#include "logic/generator_weights.h"
#include "logic/latent_model.h"
#include "logic/metric_series.h"
#include "logic/spec_preset.h"
#include "logic/training_dashboard.h"
#include "logic/training_session.h"

namespace {

namespace fs = std::filesystem;
using convt::lab::CurvePoint;
using convt::lab::FollowSchedule;
using convt::lab::GeneratorWeights;
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

TEST(MetricSeries, CsvHasAHeaderARowPerPointAndTheEvents) {
  MetricSeries s(8);
  for (int i = 1; i <= 3; ++i) s.push(point(i, 0.5f * static_cast<float>(i)));
  const std::string csv = convt::lab::metrics_csv(s, {{1, "lr_G 0.0001 -> 0.0002, beta1 0.5"}});
  EXPECT_EQ(csv,
            "step,loss_G,loss_D,D(x),D(G(z)),acc_real,acc_fake,steps_per_point,event\n"
            "1,0.5,1,0,0,0,0,1,\n"
            "2,1,2,0,0,0,0,1,\"lr_G 0.0001 -> 0.0002, beta1 0.5\"\n"  // the first step after it
            "3,1.5,3,0,0,0,0,1,\n");
}

TEST(MetricSeries, CsvIsWrittenWholeOrNotAtAll) {
  const fs::path dir = fs::temp_directory_path() / ("convt_csv_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  MetricSeries s(8);
  s.push(point(1, 1.0f));
  convt::lab::write_metrics_csv((dir / "metrics.csv").string(), s, {});
  EXPECT_TRUE(fs::exists(dir / "metrics.csv"));
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u);  // no temporary left behind
  try {
    convt::lab::write_metrics_csv((dir / "no_such_dir" / "m.csv").string(), s, {});
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_dir"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

// ---- Per-layer gradient norms -------------------------------------------------------------------

TEST(GradientNorms, PerLayerL2OverWeightAndBias) {
  convt::nn::Sequential net("D", {3});
  net.add(std::make_unique<convt::nn::Linear>(3, 4), "fc1");  // weight 4x3, bias 4
  net.add(std::make_unique<convt::nn::LeakyReLU>(0.2f));      // no parameters: no entry
  net.add(std::make_unique<convt::nn::Linear>(4, 1, false));  // weight 1x4
  for (auto& p : net.params()) p.grad->fill(2.0f);
  const auto norms = convt::lab::layer_gradient_norms(net, "D");
  ASSERT_EQ(norms.size(), 2u);
  EXPECT_EQ(norms[0].first, "D.0 fc1");
  EXPECT_EQ(norms[1].first, "D.2 Linear");                    // unlabelled: its type
  EXPECT_FLOAT_EQ(norms[0].second, 2.0f * std::sqrt(16.0f));  // 12 + 4 entries of 2
  EXPECT_FLOAT_EQ(norms[1].second, 2.0f * std::sqrt(4.0f));
}

TEST(GradientNorms, SeriesIsBoundedKeepsTheFirstAndTheLast) {
  convt::lab::GradientNormSeries s(8);
  for (int step = 1; step <= 100; ++step) {
    s.push(step, {{"G.0", static_cast<float>(step)}, {"D.0", 1.0f}});
    ASSERT_LE(s.steps().size(), 8u);
  }
  EXPECT_EQ(s.layers(), (std::vector<std::string>{"G.0", "D.0"}));
  EXPECT_EQ(s.steps().front(), 1);
  EXPECT_EQ(s.steps().back(), 100);
  EXPECT_FLOAT_EQ(s.norms().back()[0], 100.0f);
  for (size_t k = 1; k < s.steps().size(); ++k) EXPECT_LT(s.steps()[k - 1], s.steps()[k]);
  s.push(101, {{"G.0", 1.0f}});  // another model's layers: starts over
  EXPECT_EQ(s.steps(), (std::vector<int64_t>{101}));
}

// ---- FollowSchedule: when the latent explorer asks for a copy of G and takes it ----------------

TEST(FollowSchedule, NeverRequestsWhenNotFollowing) {
  FollowSchedule f(1.0);
  EXPECT_FALSE(f.should_request(100.0, 7));
  EXPECT_FALSE(f.is_new(7));
}

TEST(FollowSchedule, RequestsAtMostOncePerInterval) {
  FollowSchedule f(1.0);
  f.set_following(true);
  EXPECT_TRUE(f.should_request(10.0, 1));  // nothing taken yet
  f.requested(10.0);
  EXPECT_FALSE(f.should_request(10.5, 2));
  EXPECT_TRUE(f.should_request(11.0, 2));
}

TEST(FollowSchedule, NoRequestWhileTheCopyIsCurrent) {
  FollowSchedule f(1.0);
  f.set_following(true);
  ASSERT_TRUE(f.is_new(5));
  f.taken(5, 120);
  EXPECT_EQ(f.taken_step(), 120);
  EXPECT_FALSE(f.is_new(5));
  EXPECT_FALSE(f.should_request(50.0, 5));  // G has not changed (a paused run): no copies
  EXPECT_TRUE(f.should_request(50.0, 6));
  EXPECT_TRUE(f.is_new(6));
}

TEST(FollowSchedule, StartingAgainTakesTheNextCopy) {
  FollowSchedule f(1.0);
  f.set_following(true);
  f.taken(5, 120);
  f.requested(3.0);
  f.set_following(false);
  EXPECT_FALSE(f.should_request(9.0, 9));
  f.set_following(true);
  EXPECT_FALSE(f.have_taken());
  EXPECT_TRUE(f.is_new(5));
  EXPECT_TRUE(f.should_request(3.1, 5));
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
  // A run of one step, paused (so saved at dir_/checkpoint.safetensors) by a session that then
  // closes.
  void save_a_first_run() const {
    TrainingSession first;
    first.prepare(cfg_);
    first.one_batch();
    first.pause();
    ASSERT_TRUE(wait_idle(first));
  }
  fs::path dir_;
  convt::lab::SessionConfig cfg_;
};

// Which file a run is saved to and when (new run, reset, start over, loading another file):
// the same worker and command queue as SessionTest, a suite of its own so that ./test.sh's
// ThreadSanitizer phase can leave these out (each trains and writes checkpoints of several MB;
// under ThreadSanitizer they took 210 of its 455 test-seconds, for no exchange of their own).
class SessionFiles : public SessionTest {};

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

// Pause is acknowledged in the frame of the click: the session stops asking for steps at once,
// and the button reads "Pausing..." (disabled, so a second click cannot resume) until the
// worker's snapshot says paused; then "Resume". The worker wakes the window after each publish.
TEST_F(SessionTest, PauseIsAcknowledgedAtOnceAndTheWorkerWakesTheWindow) {
  using convt::lab::run_button;
  using Action = convt::lab::RunButton::Action;
  EXPECT_STREQ(run_button(SessionStatus::kIdle, false).label, "Start");
  EXPECT_EQ(run_button(SessionStatus::kFailed, false).action, Action::kStart);
  EXPECT_EQ(run_button(SessionStatus::kLoading, false).action, Action::kNone);

  TrainingSession s;
  std::atomic<int> wakes{0};
  s.set_publish_listener([&] { ++wakes; });
  s.start(cfg_);
  for (int i = 0; i < 3000 && s.steps_done() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(s.steps_done(), 2);
  EXPECT_GE(wakes.load(), 2);  // at least one publish per step
  EXPECT_TRUE(s.running_requested());
  EXPECT_EQ(run_button(SessionStatus::kRunning, s.running_requested()).action, Action::kPause);

  s.pause();
  // The same frame: the snapshot it drew may still say running.
  EXPECT_FALSE(s.running_requested());
  const convt::lab::RunButton pausing = run_button(SessionStatus::kRunning, s.running_requested());
  EXPECT_STREQ(pausing.label, "Pausing...");
  EXPECT_EQ(pausing.action, Action::kNone);
  EXPECT_STREQ(convt::lab::status_text(SessionStatus::kRunning, s.running_requested()),
               "pausing...");
  EXPECT_STREQ(convt::lab::status_text(SessionStatus::kRunning, true), "running");

  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  ASSERT_EQ(snap.status, SessionStatus::kPaused) << snap.error;
  EXPECT_EQ(run_button(snap.status, s.running_requested()).action, Action::kResume);

  // Step and Reset are acknowledged from the call until carried out, then no longer.
  EXPECT_FALSE(s.step_pending());
  s.step_a();
  EXPECT_TRUE(s.step_pending());
  ASSERT_TRUE(wait_idle(s));
  EXPECT_FALSE(s.step_pending());
  s.step_b();
  s.reset();
  EXPECT_TRUE(s.reset_pending());
  ASSERT_TRUE(wait_idle(s));
  EXPECT_FALSE(s.reset_pending());
  EXPECT_FALSE(s.step_pending());
  EXPECT_EQ(snapshot(s).status, SessionStatus::kIdle);
  s.set_publish_listener(nullptr);
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

// Files of `dir` named checkpoint-*.safetensors: the earlier runs' checkpoints that were kept.
std::vector<fs::path> kept_checkpoints(const fs::path& dir) {
  std::vector<fs::path> kept;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("checkpoint-", 0) == 0 && e.path().extension() == ".safetensors")
      kept.push_back(e.path());
  }
  return kept;
}

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A new run saving where an earlier run's checkpoint is (the dashboard's default path) first
// renames that file, bytes unchanged, and says so; the new run's checkpoint takes the path.
TEST_F(SessionFiles, NewRunKeepsTheEarlierRunsCheckpoint) {
  const fs::path ckpt = dir_ / "checkpoint.safetensors";
  save_a_first_run();  // closing: its steps are on disk already
  const std::string first_bytes = file_bytes(ckpt);
  ASSERT_FALSE(first_bytes.empty());
  EXPECT_TRUE(kept_checkpoints(dir_).empty());

  TrainingSession second;
  cfg_.gan.seed = 4;
  second.prepare(cfg_);
  second.one_batch();
  second.one_batch();
  second.pause();
  ASSERT_TRUE(wait_idle(second));
  const TrainingSnapshot snap = snapshot(second);
  EXPECT_TRUE(snap.error.empty()) << snap.error;
  const std::vector<fs::path> kept = kept_checkpoints(dir_);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(file_bytes(kept[0]), first_bytes);
  EXPECT_NE(file_bytes(ckpt), first_bytes);
  EXPECT_NE(snap.message.find(kept[0].string()), std::string::npos) << snap.message;
  ASSERT_FALSE(snap.events.empty());
  EXPECT_NE(snap.events.back().text.find("kept"), std::string::npos);

  second.one_batch();  // saving again: over its own file, nothing more is kept
  second.pause();
  ASSERT_TRUE(wait_idle(second));
  EXPECT_EQ(kept_checkpoints(dir_).size(), 1u);
}

// A run that continues a loaded checkpoint saves over that file: it is the same model.
TEST_F(SessionFiles, LoadedCheckpointIsSavedOverInPlace) {
  const fs::path ckpt = dir_ / "checkpoint.safetensors";
  save_a_first_run();
  TrainingSession s;
  s.prepare(cfg_);
  s.load_checkpoint(ckpt.string());
  s.one_batch();
  s.pause();
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_TRUE(snap.error.empty()) << snap.error;
  EXPECT_EQ(snap.last_good_step, 2);
  EXPECT_TRUE(kept_checkpoints(dir_).empty());
}

// Reset does not throw a trained run away: it is saved first, and loads back.
TEST_F(SessionFiles, ResetSavesARunThatTookSteps) {
  const fs::path ckpt = dir_ / "checkpoint.safetensors";
  TrainingSession s;
  s.prepare(cfg_);
  s.reset();  // no steps: nothing to save
  ASSERT_TRUE(wait_idle(s));
  EXPECT_FALSE(fs::exists(ckpt));

  s.prepare(cfg_);
  s.one_batch();
  s.step_a();  // a pending Step A is completed before the save, as on closing
  s.reset();
  ASSERT_TRUE(wait_idle(s));
  TrainingSnapshot snap = snapshot(s);
  EXPECT_EQ(snap.status, SessionStatus::kIdle);
  EXPECT_NE(snap.message.find(ckpt.string()), std::string::npos) << snap.message;
  ASSERT_TRUE(fs::exists(ckpt));

  s.prepare(cfg_);
  s.load_checkpoint(ckpt.string());
  ASSERT_TRUE(wait_idle(s));
  snap = snapshot(s);
  EXPECT_TRUE(snap.error.empty()) << snap.error;
  EXPECT_EQ(snap.step, 2);
}

// A save that fails before a reset keeps the run (paused) and says why.
TEST_F(SessionFiles, ResetKeepsTheRunWhenSavingItFails) {
  TrainingSession s;
  s.prepare(cfg_);
  s.one_batch();
  ASSERT_TRUE(wait_idle(s));
  fs::create_directories(dir_ / "checkpoint.safetensors" / "blocked");  // a folder: cannot write
  s.reset();
  ASSERT_TRUE(wait_idle(s));
  TrainingSnapshot snap = snapshot(s);
  EXPECT_EQ(snap.status, SessionStatus::kPaused);
  EXPECT_NE(snap.error.find("not reset"), std::string::npos) << snap.error;
  EXPECT_EQ(s.steps_done(), 1);

  // The way out the error names: save it elsewhere; then reset goes ahead (its steps are on disk).
  s.save_checkpoint((dir_ / "elsewhere.safetensors").string());
  s.reset();
  ASSERT_TRUE(wait_idle(s));
  snap = snapshot(s);
  EXPECT_EQ(snap.status, SessionStatus::kIdle) << snap.error;
  EXPECT_TRUE(fs::exists(dir_ / "elsewhere.safetensors"));
}

// Start over a run that took steps saves it first and says where, in the new run's message.
TEST_F(SessionFiles, StartOverATrainedRunSavesItFirst) {
  TrainingSession s;
  s.prepare(cfg_);
  s.one_batch();
  s.prepare(cfg_);
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_EQ(snap.step, 0);
  const fs::path ckpt = dir_ / "checkpoint.safetensors";
  ASSERT_TRUE(fs::exists(ckpt));
  EXPECT_NE(snap.message.find("the run before was saved to " + ckpt.string()), std::string::npos)
      << snap.message;
}

// Loading another file makes the run that model: its next save keeps the file of the model it
// replaced (renamed) instead of writing the loaded model over it.
TEST_F(SessionFiles, LoadingAnotherFileKeepsTheReplacedModelsCheckpoint) {
  const fs::path ckpt = dir_ / "checkpoint.safetensors";
  save_a_first_run();
  TrainingSession s;
  cfg_.gan.seed = 4;
  s.prepare(cfg_);
  s.one_batch();
  s.pause();  // renames the first run's file, writes this one's
  ASSERT_TRUE(wait_idle(s));
  ASSERT_EQ(kept_checkpoints(dir_).size(), 1u);
  const fs::path first_file = kept_checkpoints(dir_)[0];
  const std::string second_bytes = file_bytes(ckpt);

  s.load_checkpoint(first_file.string());
  s.one_batch();
  s.pause();  // the loaded model, saved at the default path: the second run's file is kept
  ASSERT_TRUE(wait_idle(s));
  EXPECT_TRUE(snapshot(s).error.empty()) << snapshot(s).error;
  const std::vector<fs::path> kept = kept_checkpoints(dir_);
  ASSERT_EQ(kept.size(), 2u);
  const bool second_kept =
      file_bytes(kept[0]) == second_bytes || file_bytes(kept[1]) == second_bytes;
  EXPECT_TRUE(second_kept);
  EXPECT_NE(file_bytes(ckpt), second_bytes);
}

// Loading the default checkpoint itself reverts to it: the unsaved steps are not written over it
// first.
TEST_F(SessionFiles, LoadingTheDefaultCheckpointRevertsToIt) {
  const fs::path ckpt = dir_ / "checkpoint.safetensors";
  TrainingSession s;
  s.prepare(cfg_);
  s.one_batch();
  s.pause();  // on disk at step 1
  s.one_batch();
  s.load_checkpoint(ckpt.string());
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_TRUE(snap.error.empty()) << snap.error;
  EXPECT_EQ(snap.step, 1);
}

// Pause scores G; a 28x28 digit model too (its samples area-resized to the classifier's 20x20).
TEST_F(SessionTest, PauseComputesTheQualityScore) {
  cfg_.classifier = "classifier/digits20.safetensors";
  cfg_.score_count = 40;
  for (const char* model : {"dcgan20", "dcgan28"}) {
    cfg_.model = model;
    TrainingSession s;
    s.prepare(cfg_);
    s.one_batch();
    s.pause();
    ASSERT_TRUE(wait_idle(s));
    const TrainingSnapshot snap = snapshot(s);
    EXPECT_TRUE(snap.score_note.empty()) << model << ": " << snap.score_note;
    ASSERT_TRUE(snap.has_score) << model;
    EXPECT_EQ(snap.score.count, 40);
    EXPECT_GE(snap.score.score, 1.0f - 1e-4f);
    EXPECT_EQ(snap.score_step, 1);
    EXPECT_EQ(snap.score_history.size(), 1u);
  }
}

// With an averaged G the snapshot carries G_ema's grid and score beside G's: after one step
// G_ema is still a copy of G (the first update copies), drawn with the grid's batch statistics;
// after a few steps it differs from G. Without one, no second grid and no second score.
TEST_F(SessionTest, AnAveragedGIsDrawnAndScoredBesideG) {
  cfg_.classifier = "classifier/digits20.safetensors";
  cfg_.score_count = 40;
  cfg_.gan.ema_decay = 0.9f;
  TrainingSession s;
  s.prepare(cfg_);
  s.one_batch();
  ASSERT_TRUE(wait_idle(s));
  TrainingSnapshot snap = snapshot(s);
  ASSERT_EQ(snap.samples_ema.shape(), snap.samples.shape());
  for (int i = 0; i < 4; ++i) s.one_batch();
  s.pause();
  ASSERT_TRUE(wait_idle(s));
  snap = snapshot(s);
  ASSERT_EQ(snap.samples_ema.shape(), (std::vector<int64_t>{16, 1, 20, 20}));
  EXPECT_NE(snap.samples_ema.values(), snap.samples.values());
  ASSERT_TRUE(snap.has_score);
  ASSERT_TRUE(snap.has_score_ema);
  EXPECT_EQ(snap.score_ema.count, 40);
  EXPECT_GE(snap.score_ema.score, 1.0f - 1e-4f);

  cfg_.gan.ema_decay = 0.0f;
  TrainingSession plain;
  plain.prepare(cfg_);
  plain.one_batch();
  plain.pause();
  ASSERT_TRUE(wait_idle(plain));
  snap = snapshot(plain);
  EXPECT_EQ(snap.samples_ema.numel(), 0);
  EXPECT_FALSE(snap.has_score_ema);
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

// The copy of G published on request is G at that step: the same tensors as a checkpoint saved
// there, and the explorer's G built from it draws what the checkpoint's G draws.
TEST_F(SessionTest, PublishesACopyOfGWhenAsked) {
  TrainingSession s;
  s.request_generator();  // no run: nothing to copy
  ASSERT_TRUE(wait_idle(s));
  EXPECT_EQ(s.generator(), nullptr);

  s.prepare(cfg_);
  s.one_batch();
  s.one_batch();
  s.request_generator();
  const std::string path = (dir_ / "at_step_2.safetensors").string();
  s.save_checkpoint(path);
  ASSERT_TRUE(wait_idle(s));
  const std::shared_ptr<const GeneratorWeights> w = s.generator();
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->step, 2);
  EXPECT_EQ(w->model_name, "dcgan20");
  EXPECT_EQ(w->data, "digits20");
  EXPECT_EQ(w->version, s.generator_version());
  EXPECT_EQ(snapshot(s).generator, w);  // the snapshot carries the same copy

  auto saved = convt::GanTrainer::from_checkpoint(path, nullptr);
  size_t compared = 0;
  for (const auto& p : saved->G().params()) {
    for (const auto& [name, tensor] : w->tensors) {
      if (name != p.name) continue;
      EXPECT_EQ(tensor.values(), p.value->values()) << name;
      ++compared;
    }
  }
  for (const auto& b : saved->G().buffers()) {
    for (const auto& [name, tensor] : w->tensors) {
      if (name != b.name) continue;
      EXPECT_EQ(tensor.values(), b.value->values()) << name;
      ++compared;
    }
  }
  EXPECT_EQ(compared, w->tensors.size());
  EXPECT_EQ(compared, saved->G().params().size() + saved->G().buffers().size());

  convt::lab::LatentModel from_file, followed;
  ASSERT_TRUE(from_file.load(path)) << from_file.error();
  ASSERT_TRUE(followed.load_generator(*w)) << followed.error();
  from_file.randomise(21);
  followed.randomise(21);
  EXPECT_EQ(followed.trained_steps(), 2);
  EXPECT_EQ(followed.image().values(), from_file.image().values());

  // A later step changes G's version; the copy already published does not change.
  const uint64_t version = s.generator_version();
  const std::vector<float> first = w->tensors.front().second.values();
  s.one_batch();
  ASSERT_TRUE(wait_idle(s));
  EXPECT_GT(s.generator_version(), version);
  EXPECT_EQ(w->tensors.front().second.values(), first);
  EXPECT_EQ(s.generator(), w);  // no new copy without a request
}

// A copy that does not fit (a tensor renamed or mis-shaped) is refused, naming the tensor; the
// explorer keeps the model it had.
TEST_F(SessionTest, ExplorerRefusesAMismatchedCopyOfG) {
  TrainingSession s;
  s.prepare(cfg_);
  s.request_generator();
  ASSERT_TRUE(wait_idle(s));
  const std::shared_ptr<const GeneratorWeights> w = s.generator();
  ASSERT_NE(w, nullptr);
  convt::lab::LatentModel m;
  ASSERT_TRUE(m.load_generator(*w)) << m.error();
  m.randomise(2);
  const std::vector<float> image = m.image().values();

  GeneratorWeights bad = *w;
  bad.tensors.front().second = convt::Tensor({3, 3});
  EXPECT_FALSE(m.load_generator(bad));
  EXPECT_NE(m.error().find("G." + bad.tensors.front().first), std::string::npos) << m.error();
  EXPECT_NE(m.error().find("previous model"), std::string::npos) << m.error();
  GeneratorWeights missing = *w;
  missing.tensors.pop_back();
  EXPECT_FALSE(m.load_generator(missing));
  EXPECT_NE(m.error().find("missing"), std::string::npos) << m.error();
  EXPECT_EQ(m.image().values(), image);
}

// The explorer follows a run while it trains: another thread (the UI) asks for copies and reads
// them while the worker steps (run under ThreadSanitizer by ./test.sh).
TEST_F(SessionTest, CopiesOfGAreReadWhileTraining) {
  TrainingSession s;
  std::atomic<bool> done{false};
  std::atomic<int> taken{0};
  std::thread ui([&] {
    FollowSchedule follow(0.0);
    follow.set_following(true);
    double now = 0.0;
    convt::lab::LatentModel m;
    while (!done) {
      now += 1.0;
      const std::shared_ptr<const GeneratorWeights> w = s.generator();
      if (w && follow.is_new(w->version)) {
        EXPECT_TRUE(m.load_generator(*w)) << m.error();
        EXPECT_EQ(m.image().shape(), (std::vector<int64_t>{1, 1, 20, 20}));
        follow.taken(w->version, w->step);
        ++taken;
      }
      if (follow.should_request(now, s.generator_version())) {
        s.request_generator();
        follow.requested(now);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  s.start(cfg_);
  for (int i = 0; i < 6000 && (s.steps_done() < 4 || taken < 2); ++i) {  // <= 60 s (TSan is slow)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.pause();
  ASSERT_TRUE(wait_idle(s));
  done = true;
  ui.join();
  EXPECT_GE(taken.load(), 2);
}

TEST_F(SessionTest, RecordsGradientNormsPerLayerWhenAsked) {
  TrainingSession s;
  s.prepare(cfg_);
  s.one_batch();  // off: nothing recorded
  ASSERT_TRUE(wait_idle(s));
  s.set_gradient_norms(true);
  s.one_batch();
  s.one_batch();
  ASSERT_TRUE(wait_idle(s));
  const TrainingSnapshot snap = snapshot(s);
  EXPECT_EQ(snap.grad_norms.steps(), (std::vector<int64_t>{2, 3}));
  // dcgan20: G's Linear, 3 BatchNorms, 3 ConvTranspose2d; D's 2 Conv2d and its Linear.
  const auto& layers = snap.grad_norms.layers();
  ASSERT_EQ(layers.size(), 10u);
  EXPECT_EQ(layers.front().rfind("G.0", 0), 0u) << layers.front();
  EXPECT_EQ(layers.back().rfind("D.", 0), 0u) << layers.back();
  for (const auto& row : snap.grad_norms.norms()) {
    for (float v : row) {
      EXPECT_TRUE(std::isfinite(v));
      EXPECT_GT(v, 0.0f);
    }
  }
}

}  // namespace

// The dashboard's "fast start" is, for every shipped model, the preset `convt-lab train --model M`
// uses (the spec's presets.default, read by the same apply_spec_preset): a student who trains
// in the window and one who runs the CLI get the same recipe; likewise "notes" and --preset notes.
TEST(TrainingPresets, FastStartIsEachModelsCliDefault) {
  convt::lab::TrainingDashboard dash;
  convt::lab::init_training_form(dash);  // its model list: assets/models/*.json
  ASSERT_GE(dash.models.size(), 4u);
  for (const std::string& model : dash.models) {
    SCOPED_TRACE(model);
    const nlohmann::json spec = convt::nn::load_model_spec(model);
    ASSERT_TRUE(convt::lab::has_spec_preset(spec, "default"));
    convt::GanConfig cli;
    convt::lab::apply_spec_preset(spec, "default", cli);
    const std::vector<convt::lab::TrainingPreset> presets = convt::lab::training_presets(spec);
    ASSERT_EQ(presets.size(), 2u);
    EXPECT_EQ(presets[0].name, "notes");
    const convt::lab::TrainingPreset* fast = convt::lab::find_preset(presets, "fast start");
    ASSERT_NE(fast, nullptr);
    EXPECT_TRUE(convt::lab::matches_preset(*fast, cli)) << convt::lab::preset_values(*fast);
    EXPECT_EQ(fast->why, convt::lab::spec_preset_why(spec, "default"));
    // The "notes" button is the CLI's --preset notes too, for every shipped model.
    ASSERT_TRUE(convt::lab::has_spec_preset(spec, "notes"));
    convt::GanConfig notes_cli;
    notes_cli.batch_size = 2;  // so that matching needs the spec's values, not the defaults
    convt::lab::apply_spec_preset(spec, "notes", notes_cli);
    EXPECT_TRUE(convt::lab::matches_preset(presets[0], notes_cli))
        << convt::lab::preset_values(presets[0]);
    EXPECT_TRUE(convt::lab::matches_preset(presets[0], convt::GanConfig{}));  // the notes' values
  }
  // dcgan20's measured default and rgb32's DCGAN settings differ, so the test above can tell.
  const auto fast = [](const char* model) {
    return *convt::lab::find_preset(convt::lab::training_presets(convt::nn::load_model_spec(model)),
                                    "fast start");
  };
  EXPECT_EQ(fast("dcgan20").batch_size, 32);
  EXPECT_FLOAT_EQ(fast("dcgan20").lr_g, 8e-4f);
  EXPECT_FLOAT_EQ(fast("dcgan20").lr_d, 5e-4f);
  EXPECT_FLOAT_EQ(fast("dcgan20").beta1, 0.0f);
  EXPECT_FLOAT_EQ(fast("dcgan20").beta2, 0.99f);
  EXPECT_FLOAT_EQ(fast("rgb32").lr_g, 2e-4f);
  EXPECT_FLOAT_EQ(fast("rgb32").beta2, 0.999f);
}

// A spec without presets (a student's own .json) gets the built-in buttons: the notes'
// settings (GanConfig's defaults) and Radford et al.'s DCGAN settings with an averaged G.
TEST(TrainingPresets, ASpecWithoutPresetsGetsTheBuiltInOnes) {
  const std::vector<convt::lab::TrainingPreset> presets =
      convt::lab::training_presets(nlohmann::json::object());
  ASSERT_EQ(presets.size(), 2u);
  const convt::GanConfig defaults;
  EXPECT_EQ(presets[0].name, "notes");
  EXPECT_TRUE(convt::lab::matches_preset(presets[0], defaults));
  EXPECT_EQ(presets[0].batch_size, 256);
  EXPECT_FLOAT_EQ(presets[0].lr_g, 1e-4f);
  const convt::lab::TrainingPreset& fast = presets[1];
  EXPECT_EQ(fast.name, "fast start");
  EXPECT_EQ(fast.batch_size, 64);
  EXPECT_FLOAT_EQ(fast.lr_g, 2e-4f);
  EXPECT_FLOAT_EQ(fast.lr_d, 2e-4f);
  EXPECT_FLOAT_EQ(fast.beta1, 0.5f);
  EXPECT_FLOAT_EQ(fast.beta2, 0.999f);
  EXPECT_FLOAT_EQ(fast.ema_decay, convt::lab::kDefaultEmaDecay);
  EXPECT_NE(fast.why.find("no default preset"), std::string::npos) << fast.why;
  EXPECT_EQ(convt::lab::preset_values(fast),
            "batch 64, Adam lr 0.0002, betas 0.5 / 0.999, averaged G (decay 0.999)");
}

// A preset key the spec leaves out keeps the built-in value; one out of its flag's range is
// refused naming the key, the range and the value, and the config is left as it was.
TEST(TrainingPresets, APresetValueOutOfRangeIsRefusedNamingTheKey) {
  nlohmann::json spec = nlohmann::json::parse(
      R"({"presets": {"default": {"lr_g": 5e-4, "beta2": 1.5}, "notes": {"batch": 32}}})");
  convt::GanConfig cfg;
  try {
    convt::lab::apply_spec_preset(spec, "default", cfg);
    ADD_FAILURE() << "beta2 1.5 was accepted";
  } catch (const convt::lab::SpecPresetError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("presets.default.beta2"), std::string::npos) << what;
    EXPECT_NE(what.find("[0, 0.9999999]"), std::string::npos) << what;
    EXPECT_NE(what.find("found 1.5"), std::string::npos) << what;
  }
  EXPECT_FLOAT_EQ(cfg.lr_g, 1e-4f);  // untouched: lr_g came before the bad beta2
  EXPECT_THROW(convt::lab::training_presets(spec), convt::lab::SpecPresetError);
  spec["presets"]["default"]["beta2"] = 0.9;
  const std::vector<convt::lab::TrainingPreset> presets = convt::lab::training_presets(spec);
  EXPECT_EQ(presets[0].batch_size, 32);     // notes: the spec's batch
  EXPECT_FLOAT_EQ(presets[0].lr_g, 1e-4f);  // and the notes' lr
  EXPECT_FLOAT_EQ(presets[1].lr_g, 5e-4f);  // fast start: the spec's lr_g
  EXPECT_FLOAT_EQ(presets[1].lr_d, 2e-4f);  // the built-in lr_d
  EXPECT_FLOAT_EQ(presets[1].beta2, 0.9f);
  try {
    convt::lab::apply_spec_preset(spec, "fast", cfg);
    ADD_FAILURE() << "an unknown preset was accepted";
  } catch (const convt::lab::SpecPresetError& e) {
    EXPECT_NE(std::string(e.what()).find("'default', 'notes'"), std::string::npos) << e.what();
  }
}
