// The links between panels (lab::Navigator) and the training dashboard's GL-free logic
// (lab::TrainingDashboard), on a bare AppState: no window, no GL context. Every lesson's Show
// me is checked in test_lessons_show_me.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "app_state.h"
#include "convt/io/assets.h"
#include "logic/latent_model.h"
#include "logic/navigator.h"
#include "logic/training_dashboard.h"

namespace {

namespace fs = std::filesystem;
using convt::AppState;
using convt::lab::Navigator;
using convt::lab::PanelId;

// ---- Opening panels and coming back -----------------------------------------------------------

TEST(Navigator, OpenPanelSelectsItsTabOnTheNextFrame) {
  AppState s;
  s.view.select_requested = false;
  Navigator(s).open_panel(PanelId::kFormula);
  EXPECT_EQ(s.view.active_panel, PanelId::kFormula);
  EXPECT_TRUE(s.view.select_requested);
  EXPECT_FALSE(s.view.came_from.active);  // the menu leaves no banner
}

TEST(Navigator, ShowMeLeavesABannerAndBackReopensTheLesson) {
  AppState s;
  Navigator nav(s);
  ASSERT_TRUE(nav.show_me(3, 0));  // lesson 4: the stepper
  const convt::lab::CameFrom& back = s.view.came_from;
  EXPECT_TRUE(back.active);
  EXPECT_EQ(back.shown_on, PanelId::kStepper);
  EXPECT_EQ(back.back_to, PanelId::kLessons);
  EXPECT_EQ(back.button, "Back to lesson 4");
  EXPECT_EQ(back.text.rfind("Lesson 4 (", 0), 0u) << back.text;

  s.view.lessons.current = 0;  // the student looked at another lesson meanwhile
  s.view.select_requested = false;
  nav.go_back();
  EXPECT_EQ(s.view.active_panel, PanelId::kLessons);
  EXPECT_EQ(s.view.lessons.current, 3);
  EXPECT_TRUE(s.view.select_requested);
  EXPECT_FALSE(s.view.came_from.active);
}

// ---- "Play the stamp in the stepper" (lesson 2's landing exercise) ----------------------------

TEST(Navigator, ThePlayedStampIsTheExercisesPixelAndLandsOnItsAnswer) {
  for (uint64_t seed = 0; seed < 30; ++seed) {
    AppState s;
    const convt::lab::Exercise e =
        convt::lab::make_exercise(convt::lab::ExerciseKind::kLandingCells, seed);
    ASSERT_EQ(Navigator(s).play_landing_stamp(e, 1), "") << e.prompt;
    const convt::lab::StepperModel& m = s.model.stepper;
    const convt::lab::StepperView& v = s.view.stepper;
    EXPECT_EQ(s.view.active_panel, PanelId::kStepper);
    EXPECT_TRUE(v.playing);
    EXPECT_EQ(s.view.came_from.button, "Back to lesson 2");
    const int64_t taps = static_cast<int64_t>(e.kernel_size) * e.kernel_size;
    ASSERT_EQ(v.play_until, m.position() + taps);
    // The played events are the pixel's own, and the ones the output keeps are the answer.
    std::vector<int> landed(e.expected_cells.size(), 0);
    for (int64_t k = m.position(); k < v.play_until; ++k) {
      const convt::MacEvent ev = m.event(k);
      EXPECT_EQ(ev.iy, e.at_y);
      EXPECT_EQ(ev.ix, e.at_x);
      if (!ev.cropped) landed[static_cast<size_t>(ev.oy * e.grid_w + ev.ox)] = 1;
    }
    EXPECT_EQ(landed, e.expected_cells) << e.prompt;
    if (m.position() > 0) {  // it starts at the pixel's first scatter-add
      const convt::MacEvent before = m.event(m.position() - 1);
      EXPECT_FALSE(before.iy == e.at_y && before.ix == e.at_x);
    }
  }
  AppState s;
  const convt::lab::Exercise other =
      convt::lab::make_exercise(convt::lab::ExerciseKind::kConvValue, 1);
  EXPECT_NE(Navigator(s).play_landing_stamp(other, 0), "");
  EXPECT_FALSE(s.view.stepper.playing);
}

// ---- "Step through this" ----------------------------------------------------------------------

// A slice of the shipped generator's first ConvT layer, for the latent explorer's z of seed 1.
convt::lab::StepperSlice shipped_slice() {
  convt::lab::LatentModel m;
  EXPECT_TRUE(m.load(convt::asset_path(convt::lab::kShippedCheckpoint))) << m.error();
  m.randomise(1);
  const int layer = m.conv_transpose_layers().front();
  return m.stepper_slice(layer, 0, 0, 3, 2);
}

TEST(Navigator, StepThroughThisOpensTheStepperOnTheSliceWithABannerBack) {
  AppState s;
  const convt::lab::StepperSlice slice = shipped_slice();
  ASSERT_EQ(convt::lab::stepper_fit(slice), "");
  s.view.stepper.playing = true;
  Navigator nav(s);
  EXPECT_EQ(nav.open_stepper_on_slice(slice, "4 ConvTranspose2d"), "");

  EXPECT_EQ(s.model.stepper.event_count(), slice.event_count);
  EXPECT_EQ(s.model.stepper.position(), slice.event_index + 1);
  EXPECT_EQ(s.view.stepper.preset_index, -1);  // edited by hand: not a preset
  EXPECT_FALSE(s.view.stepper.playing);
  EXPECT_EQ(s.view.stepper.selected_oc, 0);
  EXPECT_EQ(s.view.stepper.selected_y, slice.window_oy);
  EXPECT_EQ(s.view.stepper.selected_x, slice.window_ox);
  EXPECT_EQ(s.view.active_panel, PanelId::kStepper);
  EXPECT_TRUE(s.view.select_requested);
  const convt::lab::CameFrom& back = s.view.came_from;
  EXPECT_TRUE(back.active);
  EXPECT_EQ(back.shown_on, PanelId::kStepper);
  EXPECT_EQ(back.back_to, PanelId::kLatent);
  EXPECT_EQ(back.button, "Back to Latent");
  EXPECT_NE(back.text.find("G layer 4 ConvTranspose2d, input channel 0 -> output channel 0, "
                           "output pixel (3, 2)"),
            std::string::npos)
      << back.text;

  nav.go_back();
  EXPECT_EQ(s.view.active_panel, PanelId::kLatent);
  EXPECT_FALSE(s.view.came_from.active);
}

TEST(Navigator, ASliceTheStepperCannotShowChangesNothing) {
  AppState s;
  convt::lab::StepperSlice slice = shipped_slice();
  slice.input = convt::Tensor({1, 1, 20, 20});  // larger than the stepper's inputs
  const std::string why = convt::lab::stepper_fit(slice);
  ASSERT_NE(why, "");
  const int64_t version = s.model.stepper.version();
  EXPECT_EQ(Navigator(s).open_stepper_on_slice(slice, "4 ConvTranspose2d"), why);
  EXPECT_EQ(s.model.stepper.version(), version);
  EXPECT_EQ(s.view.active_panel, PanelId::kLessons);
  EXPECT_FALSE(s.view.came_from.active);
}

// ---- The training dashboard -------------------------------------------------------------------

TEST(Navigator, OpenSavedRunShowsItInTheDashboardWithoutSwitchingTabs) {
  AppState s;
  Navigator nav(s);
  EXPECT_EQ(nav.training_session(), nullptr);  // no dashboard drawn, no link yet
  std::string note = "unchanged";
  nav.open_saved_run("mode_collapse", &note);
  ASSERT_NE(s.training.saved, nullptr);
  EXPECT_EQ(s.training.saved->name, "mode_collapse");
  EXPECT_EQ(s.training.saved_grid, static_cast<int>(s.training.saved->grids.size()) - 1);
  EXPECT_EQ(note, "");  // no live run to save; the classifier scored it
  EXPECT_NE(nav.training_session(), nullptr);
  EXPECT_EQ(nav.training_session(), s.training.session.get());
  EXPECT_EQ(s.view.active_panel, PanelId::kLessons);

  convt::lab::close_saved_run(s.training);
  EXPECT_EQ(s.training.saved, nullptr);
}

TEST(Navigator, StartLessonRunWithoutActionSetsTheFormOnly) {
  AppState s;
  convt::lab::TrainingTarget target;
  target.preset = "fast start";
  target.lr_g = 0.01f;
  target.smoothing = 1;
  Navigator(s).start_lesson_run(target);
  EXPECT_TRUE(s.training.form_ready);
  EXPECT_FLOAT_EQ(s.training.form.gan.lr_g, 0.01f);
  EXPECT_EQ(s.training.smoothing, 1);
  EXPECT_EQ(s.training.data_choice, convt::lab::DataChoice::kDigits);
  EXPECT_EQ(s.training.session, nullptr);  // kNone: nothing started
  const convt::lab::SessionConfig cfg = convt::lab::config_from_form(s.training);
  EXPECT_EQ(cfg.model, "dcgan20");
  EXPECT_EQ(cfg.data, "digits");

  target.preset = "no such preset";
  EXPECT_THROW(Navigator(s).start_lesson_run(target), std::logic_error);
}

TEST(TrainingDashboard, InputChecksKeepTheFormInRange) {
  EXPECT_EQ(convt::lab::checked_batch_size(1), 2);
  EXPECT_EQ(convt::lab::checked_batch_size(64), 64);
  EXPECT_EQ(convt::lab::checked_batch_size(5000), 1024);
  EXPECT_EQ(convt::lab::checked_seed(-3), 0u);
  EXPECT_EQ(convt::lab::checked_seed(7), 7u);
  convt::GanConfig gan;
  gan.lr_g = 0.0f;
  gan.lr_d = 5.0f;
  gan.beta1 = 1.0f;
  gan.beta2 = -0.5f;
  convt::lab::check_hyperparameters(gan);
  EXPECT_FLOAT_EQ(gan.lr_g, 1e-7f);
  EXPECT_FLOAT_EQ(gan.lr_d, 1.0f);
  EXPECT_FLOAT_EQ(gan.beta1, 0.999f);
  EXPECT_FLOAT_EQ(gan.beta2, 0.0f);
}

// The form follows the selected model: untouched values become the new model's preset of the
// same name (what `convt-lab train --model M` would use); typed values are kept; the data
// follows the model's channels; a model whose spec cannot be read gets the built-in presets and
// says why.
TEST(TrainingDashboard, PresetsFollowTheSelectedModelButKeepTypedValues) {
  convt::lab::TrainingDashboard dash;
  convt::lab::init_training_form(dash);
  auto index_of = [&](const std::string& name) {
    const auto it = std::find(dash.models.begin(), dash.models.end(), name);
    EXPECT_NE(it, dash.models.end()) << name;
    return static_cast<int>(it - dash.models.begin());
  };
  ASSERT_EQ(dash.models.at(static_cast<size_t>(dash.model_index)), "dcgan20");
  EXPECT_FLOAT_EQ(dash.form.gan.lr_g, 8e-4f);  // dcgan20's measured default
  EXPECT_FLOAT_EQ(dash.form.gan.beta2, 0.99f);

  dash.emoji_installed = true;
  dash.model_index = index_of("rgb32");
  convt::lab::follow_selected_model(dash);
  EXPECT_FLOAT_EQ(dash.form.gan.lr_g, 2e-4f);  // rgb32's default: the DCGAN paper's
  EXPECT_FLOAT_EQ(dash.form.gan.beta2, 0.999f);
  EXPECT_TRUE(dash.presets_error.empty()) << dash.presets_error;
  EXPECT_EQ(dash.data_choice, convt::lab::DataChoice::kEmoji);  // colour: not the gray digits

  apply_preset(*convt::lab::find_preset(dash.presets, "notes"), dash.form.gan);
  dash.model_index = index_of("dcgan20");
  convt::lab::follow_selected_model(dash);
  EXPECT_EQ(dash.form.gan.batch_size, 256);  // still the notes' preset, dcgan20's
  EXPECT_EQ(dash.data_choice, convt::lab::DataChoice::kDigits);  // back to gray

  dash.emoji_installed = false;
  dash.model_index = index_of("dcgan64");
  convt::lab::follow_selected_model(dash);
  EXPECT_EQ(dash.data_choice, convt::lab::DataChoice::kFolder);  // colour, no emoji installed
  dash.model_index = index_of("dcgan28");
  convt::lab::follow_selected_model(dash);
  EXPECT_EQ(dash.data_choice, convt::lab::DataChoice::kDigits);  // what the move left
  dash.data_choice = convt::lab::DataChoice::kFolder;  // the student's own folder (radio button)
  dash.model_index = index_of("rgb32");
  convt::lab::follow_selected_model(dash);
  dash.model_index = index_of("dcgan20");
  convt::lab::follow_selected_model(dash);
  EXPECT_EQ(dash.data_choice, convt::lab::DataChoice::kFolder);  // a folder suits both: kept
  dash.data_choice = convt::lab::DataChoice::kDigits;

  dash.form.gan.lr_g = 5e-4f;  // typed by the student
  dash.model_index = index_of("rgb32");
  convt::lab::follow_selected_model(dash);
  EXPECT_FLOAT_EQ(dash.form.gan.lr_g, 5e-4f);
  EXPECT_EQ(dash.form.gan.batch_size, 256);

  dash.models.push_back("no_such_model");
  dash.model_index = static_cast<int>(dash.models.size()) - 1;
  convt::lab::follow_selected_model(dash);
  EXPECT_NE(dash.presets_error.find("no_such_model"), std::string::npos) << dash.presets_error;
  ASSERT_EQ(dash.presets.size(), 2u);
  EXPECT_EQ(dash.presets[1].batch_size, 64);  // the built-in fast start
}

TEST(TrainingDashboard, ExportsWriteIntoTheRunFolderAndSaySo) {
  const fs::path dir = fs::temp_directory_path() / "convt_test_navigator_exports";
  fs::remove_all(dir);
  AppState s;
  convt::lab::open_saved_run(s.training, convt::lab::saved_run_dir("mode_collapse"));
  s.training.snap.config.run_dir = (dir / "run").string();
  convt::lab::export_metrics_csv(s.training);
  EXPECT_TRUE(s.training.note_ok) << s.training.note;
  EXPECT_EQ(s.training.note, "wrote " + (dir / "run" / "metrics.csv").string());
  EXPECT_TRUE(fs::exists(dir / "run" / "metrics.csv"));

  convt::lab::export_sample_grid(s.training);
  const fs::path png =
      dir / "run" / ("samples_step_" + std::to_string(s.training.snap.samples_step) + ".png");
  EXPECT_TRUE(s.training.note_ok) << s.training.note;
  EXPECT_TRUE(fs::exists(png));

  // A folder that cannot be made: the error is the note.
  { std::ofstream(dir / "file") << "x"; }
  s.training.snap.config.run_dir = (dir / "file" / "run").string();
  convt::lab::export_metrics_csv(s.training);
  EXPECT_FALSE(s.training.note_ok);
  fs::remove_all(dir);
}

}  // namespace
