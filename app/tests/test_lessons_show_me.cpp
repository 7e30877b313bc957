// Lessons: every "Show me" applied to a bare AppState (lab::Navigator::show_me; no window,
// no GL context) with the target panel's state checked: panel, preset, step, selection; and the
// --lesson / --show-me flags.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "app_state.h"
#include "convt/io/assets.h"
#include "convt/train/gan_trainer.h"
#include "convt/train/generator.h"
#include "gui_options.h"
#include "lab_process.h"
#include "logic/completion_model.h"
#include "logic/formula_model.h"
#include "logic/lessons_model.h"
#include "logic/navigator.h"
#include "logic/stepper_model.h"
#include "logic/training_dashboard.h"

namespace {

namespace fs = std::filesystem;
using convt::AppState;
using convt::lab::PanelId;
using convt::lab::StepperView;

// Lesson `lesson`'s Show me `index` on `s`, as its button asks the navigator.
bool apply_show_me(AppState& s, int lesson, int index, std::string* note = nullptr) {
  return convt::lab::Navigator(s).show_me(lesson, index, note);
}

// ---- Show me -------------------------------------------------------------------------------

// The stepper's state after a Show me.
void expect_stepper(const AppState& s, const std::string& preset, int64_t step, int y, int x) {
  EXPECT_EQ(s.view.active_panel, PanelId::kStepper);
  EXPECT_TRUE(s.view.select_requested);
  const auto& presets = convt::lab::stepper_presets();
  ASSERT_GE(s.view.stepper.preset_index, 0);
  EXPECT_EQ(presets[static_cast<size_t>(s.view.stepper.preset_index)].name, preset);
  EXPECT_EQ(s.model.stepper.config(), convt::lab::find_preset(preset)->config);
  EXPECT_EQ(s.model.stepper.position(), step < 0 ? s.model.stepper.event_count() : step);
  EXPECT_EQ(s.view.stepper.selected_oc, 0);
  EXPECT_EQ(s.view.stepper.selected_y, y);
  EXPECT_EQ(s.view.stepper.selected_x, x);
}

TEST(LessonsShowMe, Lesson1ConvWindowFiveDoneCellOneOneSelected) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 0, 0));
  expect_stepper(s, "conv2d", 45, 1, 1);
  // The last event applied belongs to output cell (1, 1): its window is complete.
  const convt::MacEvent e = s.model.stepper.event(44);
  const auto cell = s.model.stepper.destination(e);
  EXPECT_EQ(cell.y, 1);
  EXPECT_EQ(cell.x, 1);
  EXPECT_EQ(s.model.stepper.contributions(0, 1, 1).size(), 9u);
  EXPECT_EQ(s.view.lessons.current, 0);
}

TEST(LessonsShowMe, Lesson2NotesTwoStampsCentreSelected) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 1, 0));
  expect_stepper(s, "notes", 18, 1, 1);
  EXPECT_EQ(s.view.stepper.second, StepperView::Second::kGather);
  EXPECT_EQ(s.model.stepper.block_size(), 9);  // 18 = two whole stamps
}

TEST(LessonsShowMe, Lesson3FormulaAndTheGanCrop) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 2, 0));
  EXPECT_EQ(s.view.active_panel, PanelId::kFormula);
  EXPECT_EQ(s.view.formula.params.H, 4);
  EXPECT_EQ(s.view.formula.params.kernel_size, 4);
  EXPECT_EQ(s.view.formula.params.stride, 2);
  EXPECT_EQ(s.view.formula.params.padding, 1);
  EXPECT_EQ(convt::lab::evaluate(s.view.formula.params).H_out, 8);

  ASSERT_TRUE(apply_show_me(s, 2, 1));
  EXPECT_EQ(s.view.formula.params.output_padding, 1);
  EXPECT_EQ(convt::lab::evaluate(s.view.formula.params).H_out, 10);

  ASSERT_TRUE(apply_show_me(s, 2, 2));
  expect_stepper(s, "gan", -1, -1, -1);
  EXPECT_EQ(s.model.stepper.out_h(), 10);
}

TEST(LessonsShowMe, Lesson4OverlapMapsWithAFourCountCellSelected) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 3, 0));
  expect_stepper(s, "k3s2", -1, 3, 3);
  EXPECT_EQ(s.view.stepper.second, StepperView::Second::kOverlap);
  const convt::lab::OverlapMap k3 = s.model.stepper.overlap();
  EXPECT_EQ(k3.counts[static_cast<size_t>(3 * k3.out_w + 3)], 4);  // "the selected cell got 4"

  ASSERT_TRUE(apply_show_me(s, 3, 1));
  expect_stepper(s, "k4s2", -1, 3, 3);
  EXPECT_EQ(s.view.stepper.second, StepperView::Second::kOverlap);
  EXPECT_EQ(s.model.stepper.overlap().interior_ratio, 1.0);

  // Resize-then-convolve: the numbers the text promises, from the core's conv2d.
  ASSERT_TRUE(apply_show_me(s, 3, 2));
  expect_stepper(s, "resize_conv", -1, 3, 3);
  EXPECT_EQ(s.view.stepper.second, StepperView::Second::kOutput);
  const convt::Tensor& y = s.model.stepper.output();  // (1, 1, 8, 8)
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{1, 1, 8, 8}));
  for (int oy = 1; oy < 7; ++oy)
    for (int ox = 1; ox < 7; ++ox) EXPECT_EQ(y.at(0, 0, oy, ox), 9.0f) << oy << "," << ox;
  EXPECT_EQ(y.at(0, 0, 0, 3), 6.0f);
  EXPECT_EQ(y.at(0, 0, 0, 0), 4.0f);
  EXPECT_EQ(s.model.stepper.contributions(0, 3, 3).size(), 9u);
}

TEST(LessonsShowMe, Lesson5PoolingStridedConvAndTheDiscriminatorTable) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 4, 0));
  expect_stepper(s, "maxpool", -1, 0, 0);
  bool picked = false;
  for (const convt::lab::Contribution& c : s.model.stepper.contributions(0, 0, 0)) {
    picked |= c.picked;
  }
  EXPECT_TRUE(picked);  // the argmax is marked

  ASSERT_TRUE(apply_show_me(s, 4, 1));
  expect_stepper(s, "conv2d", -1, 1, 1);

  ASSERT_TRUE(apply_show_me(s, 4, 2));
  EXPECT_EQ(s.view.active_panel, PanelId::kFormula);
  ASSERT_TRUE(s.view.formula.models_loaded);
  ASSERT_LT(static_cast<size_t>(s.view.formula.model_index), s.view.formula.models.size());
  const convt::lab::ModelSpec& d =
      s.view.formula.models[static_cast<size_t>(s.view.formula.model_index)];
  EXPECT_EQ(d.name, "dcgan20_D");
  for (const convt::lab::LayerSpec& layer : d.layers) EXPECT_NE(layer.type, "MaxPool2d");
  // "each then LeakyReLU(0.2) and Dropout(0.3)": what the table shows under each Conv2d.
  int convs = 0;
  for (const convt::lab::TableRow& r : convt::lab::network_table(d)) {
    if (r.type != "Conv2d") continue;
    ++convs;
    EXPECT_EQ(r.after, "LeakyReLU(0.2), Dropout(0.3)") << r.layer;
  }
  EXPECT_EQ(convs, 2);
  // On the left, D's first layer: k5 s2 'same' (padding 2, output_padding 1), conv2d 20 -> 10.
  const convt::lab::FormulaParams& p = s.view.formula.params;
  EXPECT_EQ(p.H, 10);
  EXPECT_EQ(convt::lab::evaluate(p).H_out, 20);
  bool twenty = false, nineteen = false;
  for (const convt::lab::RoundTripRow& r : convt::lab::round_trip(p).rows) {
    EXPECT_EQ(r.conv_output, 10);
    twenty |= r.conv_input == 20;
    nineteen |= r.conv_input == 19;
  }
  EXPECT_TRUE(twenty && nineteen);
}

TEST(LessonsShowMe, Lesson6CompletionTiedAndUntiedBottomHalf) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 5, 0));
  EXPECT_EQ(s.view.active_panel, PanelId::kCompletion);
  EXPECT_TRUE(s.view.select_requested);
  EXPECT_EQ(s.completion.show, convt::lab::CompletionShow::kBoth);
  EXPECT_EQ(s.completion.section, convt::lab::CompletionSection::kRefine);
  EXPECT_EQ(s.completion.model.region(), convt::MaskKind::bottom_half);
  EXPECT_EQ(s.completion.digit, 600);
  EXPECT_FALSE(s.completion.drawn);
}

TEST(LessonsShowMe, Lesson9LatentAtSeedSeven) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 8, 0));
  EXPECT_EQ(s.view.active_panel, PanelId::kLatent);
  EXPECT_EQ(s.latent.seed, 7u);
  EXPECT_EQ(s.latent.steps, 9);
  EXPECT_EQ(s.latent.mode, convt::lab::Interpolation::kSpherical);
}

TEST(LessonsShowMe, Lesson10RefinementFfnnVsGanAndTheBlankCanvas) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 9, 0));
  EXPECT_EQ(s.view.active_panel, PanelId::kCompletion);
  EXPECT_EQ(s.completion.section, convt::lab::CompletionSection::kRefine);
  EXPECT_EQ(s.completion.refine_passes, 5);
  // Its own point, not lesson 6's: "a held-out 7 ... completed by the tied CNN".
  EXPECT_EQ(s.completion.show, convt::lab::CompletionShow::kTiedOnly);
  EXPECT_EQ(s.completion.model.region(), convt::MaskKind::bottom_half);
  ASSERT_EQ(s.completion.digit, 700);
  ASSERT_GT(s.completion.heldout.size(), 700);
  EXPECT_EQ(s.completion.heldout.labels[700], 7);
  ASSERT_TRUE(apply_show_me(s, 9, 1));
  EXPECT_EQ(s.view.active_panel, PanelId::kExperiments);  // FFNN vs GAN, the decoder's dream
  ASSERT_TRUE(apply_show_me(s, 9, 2));
  EXPECT_EQ(s.view.active_panel, PanelId::kCompletion);
  EXPECT_EQ(s.completion.section, convt::lab::CompletionSection::kBlankCanvas);
  EXPECT_EQ(s.completion.blank_seed, 1u);
  // "each model draws 8 near-identical grey patches ... spread across codes under 0.01".
  EXPECT_EQ(s.completion.blank_count, 8);
  for (convt::lab::Tying t : convt::lab::kBothTyings) {
    const convt::Tensor drawings = s.completion.model.blank_canvas(t, 8, 1);
    ASSERT_EQ(drawings.dim(0), 8) << convt::lab::tying_name(t);
    EXPECT_LT(convt::lab::spread_across_images(drawings), 0.01) << convt::lab::tying_name(t);
  }
}

// "Show me generators in colour": Other generators with rgb32 on the smileys, as the look-for
// text describes it, even after the student switched it to all emoji; its samples are the
// smileys file's.
TEST(LessonsShowMe, Lesson10ColourGeneratorsOpenOnTheSmileys) {
  AppState s;
  s.experiments.model.load();
  s.experiments.model.rgb_all_emoji = true;
  s.experiments.model.recompute();
  const int64_t all_steps = s.experiments.model.rgb_steps;
  s.experiments.stale = false;
  ASSERT_TRUE(apply_show_me(s, 9, 3));
  EXPECT_EQ(s.view.active_panel, PanelId::kExperiments);
  EXPECT_FALSE(s.experiments.model.rgb_all_emoji);
  EXPECT_TRUE(s.experiments.stale);
  const convt::Generator faces =
      convt::load_generator(convt::asset_path("checkpoints/rgb32_emoji_faces_G.safetensors"),
                            convt::GeneratorChoice::prefer_ema);
  EXPECT_EQ(s.experiments.model.rgb_steps, faces.steps);
  EXPECT_NE(s.experiments.model.rgb_steps, all_steps);
}

// Lesson 8's saved runs open read-only: the training panel, the run (assets/runs/<name>), its
// last grid, its curves; no run is started.
TEST(LessonsShowMe, Lesson8ModeCollapseAndDivergenceOpenSavedRunsReadOnly) {
  AppState s;
  ASSERT_TRUE(apply_show_me(s, 7, 2));
  EXPECT_EQ(s.view.active_panel, PanelId::kTraining);
  EXPECT_TRUE(s.view.select_requested);
  ASSERT_NE(s.training.saved, nullptr);
  const convt::lab::SavedRun& collapse = *s.training.saved;
  EXPECT_EQ(collapse.name, "mode_collapse");
  EXPECT_EQ(s.training.smoothing, 10);  // the panel's default
  EXPECT_EQ(s.training.saved_grid, static_cast<int>(collapse.grids.size()) - 1);
  EXPECT_EQ(s.training.snap.samples_step, collapse.grids.back().step);
  EXPECT_EQ(s.training.snap.series.points().size(), collapse.series.points().size());
  EXPECT_TRUE(collapse.grids.back().has_score);  // the classifier's histogram, for the diagnoses
  ASSERT_NE(s.training.session, nullptr);
  EXPECT_EQ(s.training.session->steps_done(), 0);  // nothing trains

  ASSERT_TRUE(apply_show_me(s, 7, 3));
  ASSERT_NE(s.training.saved, nullptr);
  EXPECT_EQ(s.training.saved->name, "divergence");
  EXPECT_EQ(s.training.snap.step, s.training.saved->series.points().back().step);
  // "the curves are raw here (smoothing 1), and loss_G peaks at 4487 at step 155"
  EXPECT_EQ(s.training.smoothing, 1);
  const auto& points = s.training.saved->series.points();
  const auto peak =
      std::max_element(points.begin(), points.end(),
                       [](const auto& a, const auto& b) { return a.loss_g < b.loss_g; });
  ASSERT_NE(peak, points.end());
  EXPECT_EQ(peak->step, 155);
  EXPECT_NEAR(peak->loss_g, 4487.0f, 0.5f);

  convt::lab::close_saved_run(s.training);
  EXPECT_EQ(s.training.saved, nullptr);
  EXPECT_EQ(s.training.snap.step, 0);  // the (empty) live session again
}

TEST(LessonsShowMe, Lessons1And5ShowAKernelAndPoolingOnARealDigit) {
  AppState s;
  s.model.cnn.relu = s.model.cnn.pool = true;  // as a student may have left them
  ASSERT_TRUE(apply_show_me(s, 0, 1));
  EXPECT_EQ(s.view.active_panel, PanelId::kCnn);
  EXPECT_EQ(s.view.came_from.back_to, PanelId::kLessons);
  const convt::lab::CnnModel& m = s.model.cnn;
  ASSERT_TRUE(m.ok) << m.error;
  EXPECT_STREQ(convt::lab::cnn_kernel_presets()[static_cast<size_t>(m.preset)].name, "sobel_x");
  EXPECT_EQ(m.source, convt::lab::CnnSource::kDigit);
  EXPECT_NE(m.picture_name.find("(a 3)"), std::string::npos) << m.picture_name;
  EXPECT_FALSE(m.relu);
  EXPECT_FALSE(m.pool);
  EXPECT_EQ(s.view.cnn.pinned_y, 14);
  EXPECT_EQ(s.view.cnn.pinned_x, 10);
  // The look-for text's claim: the selected pixel's 9 products.
  EXPECT_EQ(m.products(0, 14, 10).size(), 9u);

  ASSERT_TRUE(apply_show_me(s, 4, 3));
  EXPECT_EQ(s.view.active_panel, PanelId::kCnn);
  ASSERT_TRUE(s.model.cnn.pool_ok) << s.model.cnn.pool_error;
  EXPECT_TRUE(s.model.cnn.relu);
  EXPECT_EQ(s.model.cnn.out_h(), 28);
  EXPECT_EQ(s.model.cnn.pooled.dim(2), 14);  // "the 28x28 map becomes 14x14"
}

TEST(LessonsShowMe, BadLessonOrIndexThrows) {
  AppState s;
  EXPECT_THROW(apply_show_me(s, 10, 0), std::out_of_range);
  EXPECT_THROW(apply_show_me(s, -1, 0), std::out_of_range);
  EXPECT_THROW(apply_show_me(s, 0, 5), std::out_of_range);
}

// The training Show me's start real runs: in a temporary run directory, stopped (and saved there)
// when the AppState goes.
class LessonsTrainingTest : public convt::test::LabRunDir {
 protected:
  void SetUp() override {
    LabRunDir::SetUp();
    state_ = std::make_unique<AppState>();
    state_->training.form.run_dir = dir_.string();
  }
  void TearDown() override {
    state_.reset();  // stops the worker before its run directory goes
    LabRunDir::TearDown();
  }
  // Reads snapshots until `done` holds (at most 60 s; the test fails on its state, not on time).
  template <class Done>
  convt::lab::TrainingSnapshot wait_for(Done done) {
    convt::lab::TrainingSnapshot& snap = state_->training.snap;
    for (int i = 0; i < 6000; ++i) {
      state_->training.session->read(snap);
      if (done(snap)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return snap;
  }
  std::unique_ptr<AppState> state_;
};

TEST_F(LessonsTrainingTest, Lesson7NotesPresetOneStepADone) {
  ASSERT_TRUE(apply_show_me(*state_, 6, 0));
  EXPECT_EQ(state_->view.active_panel, PanelId::kTraining);
  const convt::GanConfig& form = state_->training.form.gan;
  EXPECT_EQ(form.batch_size, 256);  // the notes' preset
  EXPECT_FLOAT_EQ(form.lr_g, 1e-4f);
  EXPECT_FLOAT_EQ(form.lr_d, 1e-4f);
  EXPECT_FLOAT_EQ(form.beta1, 0.5f);
  ASSERT_NE(state_->training.session, nullptr);
  const convt::lab::TrainingSnapshot snap =
      wait_for([&](const auto&) { return state_->training.session->idle(); });
  EXPECT_EQ(snap.status, convt::lab::SessionStatus::kPaused) << snap.error;
  EXPECT_TRUE(snap.step_a_pending);  // "B next"
  // "the line under the Step buttons gives L_G": the message the panel draws there.
  EXPECT_EQ(snap.message.rfind("Step A: G updated, L_G = ", 0), 0u) << snap.message;
  EXPECT_EQ(snap.step, 0);
  EXPECT_EQ(snap.config.gan.batch_size, 256);
  EXPECT_EQ(snap.config.data, "digits");
}

TEST_F(LessonsTrainingTest, Lesson8DTooStrongRunsWithLrDThousandTimesLrG) {
  ASSERT_TRUE(apply_show_me(*state_, 7, 1));
  EXPECT_EQ(state_->view.active_panel, PanelId::kTraining);
  const convt::lab::TrainingSnapshot snap = wait_for(
      [](const auto& s) { return s.status == convt::lab::SessionStatus::kRunning && s.step > 0; });
  ASSERT_EQ(snap.status, convt::lab::SessionStatus::kRunning) << snap.error;
  EXPECT_FLOAT_EQ(snap.config.gan.lr_d, 2e-3f);
  EXPECT_FLOAT_EQ(snap.config.gan.lr_g, 2e-6f);
  EXPECT_EQ(snap.config.gan.batch_size, 32);  // fast start
}

TEST_F(LessonsTrainingTest, Lesson8HealthyRunThenAnotherSavesTheFirst) {
  ASSERT_TRUE(apply_show_me(*state_, 7, 0));
  convt::lab::TrainingSnapshot snap = wait_for([](const auto& s) { return s.step >= 2; });
  ASSERT_GE(snap.step, 2) << snap.error;
  EXPECT_FLOAT_EQ(snap.config.gan.lr_g, 8e-4f);  // fast start, unchanged
  EXPECT_FLOAT_EQ(snap.config.gan.lr_d, 5e-4f);
  EXPECT_FLOAT_EQ(snap.config.gan.beta2, 0.99f);

  std::string note;
  ASSERT_TRUE(apply_show_me(*state_, 7, 1, &note));
  EXPECT_NE(note.find("saved"), std::string::npos) << note;
  snap = wait_for([](const auto& s) {
    return s.status == convt::lab::SessionStatus::kRunning && s.config.gan.lr_d == 2e-3f;
  });
  EXPECT_FLOAT_EQ(snap.config.gan.lr_d, 2e-3f);
  // The first run went to a file of its own, which the new run's checkpoints do not overwrite.
  const size_t at = note.find(dir_.string() + "/before_lesson_step");
  ASSERT_NE(at, std::string::npos) << note;
  const std::string saved = note.substr(at, note.find(".safetensors", at) + 12 - at);
  state_->training.session->save_checkpoint("");  // the new run's own checkpoint
  snap = wait_for([&](const auto&) { return fs::exists(dir_ / "checkpoint.safetensors"); });
  ASSERT_TRUE(fs::exists(saved)) << saved;
  const auto first = convt::GanTrainer::from_checkpoint(saved, nullptr);
  EXPECT_GE(first->steps_done(), 2);
  EXPECT_FLOAT_EQ(first->config().lr_d, 5e-4f);  // the healthy run, not the new one
}

// A live run, then a saved run: the live run is saved under a name of its own and paused, and
// closing the saved run brings it back with its steps (nothing lost); a live Show me then closes
// a saved run that is open.
TEST_F(LessonsTrainingTest, Lesson8SavedRunPausesAndSavesTheLiveRun) {
  ASSERT_TRUE(apply_show_me(*state_, 7, 0));
  convt::lab::TrainingSnapshot snap = wait_for([](const auto& s) { return s.step >= 2; });
  ASSERT_GE(snap.step, 2) << snap.error;

  std::string note;
  ASSERT_TRUE(apply_show_me(*state_, 7, 2, &note));
  ASSERT_NE(state_->training.saved, nullptr);
  EXPECT_NE(note.find("paused"), std::string::npos) << note;
  const size_t at = note.find(dir_.string() + "/before_lesson_step");
  ASSERT_NE(at, std::string::npos) << note;
  const std::string saved = note.substr(at, note.find(".safetensors", at) + 12 - at);
  convt::lab::TrainingSession& session = *state_->training.session;
  for (int i = 0; i < 6000 && !session.idle(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(fs::exists(saved)) << saved;
  const int64_t steps = session.steps_done();
  EXPECT_GE(convt::GanTrainer::from_checkpoint(saved, nullptr)->steps_done(), 2);
  EXPECT_EQ(state_->training.snap.step, state_->training.saved->series.points().back().step);

  convt::lab::close_saved_run(state_->training);
  snap = state_->training.snap;
  EXPECT_EQ(snap.status, convt::lab::SessionStatus::kPaused) << snap.error;
  EXPECT_EQ(snap.step, steps);  // the live run, as it was

  ASSERT_TRUE(apply_show_me(*state_, 7, 3));
  ASSERT_NE(state_->training.saved, nullptr);
  ASSERT_TRUE(apply_show_me(*state_, 7, 1));  // D too strong: live again
  EXPECT_EQ(state_->training.saved, nullptr);
}

// A saved run opened right after a live run was asked to start (its snapshot still says Idle or
// Loading): that run is paused too, as soon as it has loaded, and does not train unseen behind
// the read-only view.
TEST_F(LessonsTrainingTest, Lesson8SavedRunRightAfterAStartPausesThatRun) {
  ASSERT_TRUE(apply_show_me(*state_, 7, 0));  // a live run: start queued
  ASSERT_TRUE(apply_show_me(*state_, 7, 2));  // at once, before it has published anything
  ASSERT_NE(state_->training.saved, nullptr);
  convt::lab::TrainingSession& session = *state_->training.session;
  convt::lab::TrainingSnapshot live;
  for (int i = 0; i < 6000; ++i) {
    session.read(live);
    if (session.idle() && live.status != convt::lab::SessionStatus::kLoading &&
        live.status != convt::lab::SessionStatus::kIdle) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(live.status, convt::lab::SessionStatus::kPaused) << live.error;
  const int64_t steps = live.step;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  session.read(live);
  EXPECT_EQ(live.step, steps) << "the live run kept training behind the saved run";
}

// "Run it yourself" on the mode-collapse run: a live run with its settings.
TEST_F(LessonsTrainingTest, Lesson8RunTheSavedRunYourself) {
  ASSERT_TRUE(apply_show_me(*state_, 7, 2));
  ASSERT_NE(state_->training.saved, nullptr);
  const convt::GanConfig want = state_->training.saved->gan;
  convt::lab::run_saved_run_live(state_->training);
  EXPECT_EQ(state_->training.saved, nullptr);
  const convt::lab::TrainingSnapshot snap = wait_for([](const auto& s) { return s.step >= 1; });
  ASSERT_GE(snap.step, 1) << snap.error;
  EXPECT_EQ(snap.config.gan.batch_size, 16);
  EXPECT_EQ(snap.config.gan.batch_size, want.batch_size);
  EXPECT_FLOAT_EQ(snap.config.gan.lr_g, 5e-3f);
  EXPECT_FLOAT_EQ(snap.config.gan.lr_d, 5e-5f);
  EXPECT_EQ(snap.config.gan.seed, 1u);
  EXPECT_EQ(snap.config.data, "digits");
  EXPECT_EQ(snap.config.threads, 1);
}

// ---- --lesson and --show-me ----------------------------------------------------------------

convt::GuiParseResult parse(std::vector<std::string> args, convt::GuiOptions& options) {
  args.insert(args.begin(), "convt-lab");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return convt::parse_gui_options(static_cast<int>(argv.size()), argv.data(), options);
}

TEST(LessonsOptions, LessonAndShowMeParse) {
  convt::GuiOptions o;
  auto r = parse({"--screenshot", "x.png", "--lesson", "2"}, o);
  ASSERT_EQ(r.status, convt::GuiParseResult::Status::kRun) << r.message;
  EXPECT_EQ(o.lesson, 1);
  EXPECT_EQ(o.panel, PanelId::kLessons);
  r = parse({"--show-me", "8.2", "--screenshot", "x.png", "--train-seconds", "5"}, o);
  ASSERT_EQ(r.status, convt::GuiParseResult::Status::kRun) << r.message;
  EXPECT_EQ(o.show_me_lesson, 7);
  EXPECT_EQ(o.show_me_index, 1);
  convt::GuiOptions p;
  ASSERT_EQ(parse({"--show-me", "3"}, p).status, convt::GuiParseResult::Status::kRun);
  EXPECT_EQ(p.show_me_lesson, 2);
  EXPECT_EQ(p.show_me_index, 0);
}

TEST(LessonsOptions, BadNumbersGiveOneLineNamingTheRange) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--lesson", "11"},
        {"--lesson", "0"},
        {"--lesson", "two"},
        {"--show-me", "1.3"},
        {"--show-me", "12"},
        {"--show-me", "x.1"},
        {"--show-me"},
        {"--show-me", "1", "--screenshot", "x.png", "--train-seconds", "5"}}) {
    convt::GuiOptions o;
    const convt::GuiParseResult r = parse(args, o);
    EXPECT_EQ(r.status, convt::GuiParseResult::Status::kError) << args[0];
    EXPECT_EQ(r.message.find('\n'), std::string::npos) << r.message;
    EXPECT_NE(r.message.find(args[0] == "--lesson" ? "1 to 10" : "--"), std::string::npos)
        << r.message;
  }
}

}  // namespace
