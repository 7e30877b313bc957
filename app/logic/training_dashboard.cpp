#include "logic/training_dashboard.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <utility>

#include "convt/io/assets.h"
#include "convt/io/png.h"
#include "convt/nn/model_spec.h"
#include "logic/frame_scheduler.h"  // steady_seconds
#include "logic/quality_score.h"

namespace convt::lab {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> list_models() {
  std::vector<std::string> names;
  try {
    const fs::path dir = fs::path(asset_path("models/dcgan20.json")).parent_path();
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    }
  } catch (const std::exception&) {
  }
  if (names.empty()) names.push_back("dcgan20");
  std::sort(names.begin(), names.end());
  // dcgan20 (the notes' model) first.
  auto it = std::find(names.begin(), names.end(), "dcgan20");
  if (it != names.end()) std::rotate(names.begin(), it, it + 1);
  return names;
}

bool fashion_mnist_installed() {
  for (const std::string& dir : fashion_mnist_search_dirs()) {
    std::error_code ec;
    if (fs::exists(fs::path(dir) / "train-images-idx3-ubyte.gz", ec) ||
        fs::exists(fs::path(dir) / "train-images-idx3-ubyte", ec)) {
      return true;
    }
  }
  return false;
}

// CPU time of the calling thread (user + system), in seconds.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

// ---- The form -------------------------------------------------------------------------------

void init_training_form(TrainingDashboard& s) {
  if (s.form_ready) return;
  s.form_ready = true;
  s.models = list_models();
  s.fashion_installed = fashion_mnist_installed();
  const std::vector<std::string> emoji_dirs = emoji_search_dirs();
  s.emoji_installed = std::any_of(emoji_dirs.begin(), emoji_dirs.end(), [](const std::string& dir) {
    std::error_code ec;
    return std::filesystem::is_directory(dir, ec);
  });
  follow_selected_model(s);
  if (const TrainingPreset* fast = find_preset(s.presets, "fast start")) {
    apply_preset(*fast, s.form.gan);
  }
  s.form.gan.backend = nn::Backend::fast;
  // All cores: the window sleeps between frames (logic/frame_scheduler.h), so training no
  // longer shares a core with it.
  s.form.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void follow_selected_model(TrainingDashboard& s) {
  if (s.presets_model == s.model_index && !s.presets.empty()) return;
  const std::vector<TrainingPreset> old = s.presets;
  s.presets_model = s.model_index;
  s.presets_error.clear();
  const std::string model = s.models.empty() ? "dcgan20" : s.models[s.model_index];
  try {
    const nlohmann::json spec = nn::load_model_spec(model);
    const nlohmann::json& shape = spec.value("image_shape", nlohmann::json::array());
    const int64_t channels = shape.is_array() && !shape.empty() && shape[0].is_number_integer()
                                 ? shape[0].get<int64_t>()
                                 : 0;
    const bool gray_data =
        s.data_choice == DataChoice::kDigits || s.data_choice == DataChoice::kFashionMnist;
    if (channels == 3 && gray_data) {
      s.data_before_switch = s.data_choice;
      s.data_switched = true;
      s.data_choice = s.emoji_installed ? DataChoice::kEmoji : DataChoice::kFolder;
    } else if (channels == 1 && s.data_switched) {
      s.data_choice = s.data_before_switch;
      s.data_switched = false;
    } else if (channels == 1 && s.data_choice == DataChoice::kEmoji) {
      s.data_choice = DataChoice::kDigits;
    }
    s.presets = training_presets(spec);
  } catch (const std::exception& e) {
    s.presets = training_presets(nlohmann::json::object());  // the built-in ones
    s.presets_error = "model '" + model + "': " + e.what() + "; the presets are the built-in ones";
  }
  for (const TrainingPreset& was : old) {
    const TrainingPreset* now = find_preset(s.presets, was.name);
    if (now != nullptr && matches_preset(was, s.form.gan)) {
      apply_preset(*now, s.form.gan);
      break;
    }
  }
}

SessionConfig config_from_form(const TrainingDashboard& s) {
  SessionConfig cfg = s.form;
  cfg.model = s.models.empty() ? "dcgan20" : s.models[s.model_index];
  switch (s.data_choice) {
    case DataChoice::kDigits:
      cfg.data = "digits";
      break;
    case DataChoice::kFashionMnist:
      cfg.data = "fashion-mnist";
      break;
    case DataChoice::kFolder:
      cfg.data = s.folder;
      break;
    case DataChoice::kEmoji:
      cfg.data = "emoji";
      break;
  }
  cfg.gan.backend = s.backend;
  return cfg;
}

int64_t checked_batch_size(int batch) { return std::clamp(batch, 2, 1024); }

void check_hyperparameters(GanConfig& gan) {
  gan.lr_g = std::clamp(gan.lr_g, 1e-7f, 1.0f);
  gan.lr_d = std::clamp(gan.lr_d, 1e-7f, 1.0f);
  gan.beta1 = std::clamp(gan.beta1, 0.0f, 0.999f);
  gan.beta2 = std::clamp(gan.beta2, 0.0f, 0.9999f);
}

uint64_t checked_seed(int seed) { return static_cast<uint64_t>(std::max(0, seed)); }

// ---- Runs -------------------------------------------------------------------------------------

RunSavedBefore save_before_lesson(TrainingSession& session, const TrainingSnapshot& snap) {
  RunSavedBefore saved;
  saved.steps = session.steps_done();
  if (saved.steps <= 0) return saved;
  saved.path =
      snap.config.run_dir + "/before_lesson_step" + std::to_string(saved.steps) + ".safetensors";
  session.save_checkpoint(saved.path);
  return saved;
}

namespace {

// Selects models[model_index] on the built-in digits, a choice made for the student (a lesson's,
// a saved run's) that a later change of model treats as theirs; the form follows the model.
void select_model_on_digits(TrainingDashboard& dash, int model_index) {
  dash.model_index = model_index;
  dash.data_choice = DataChoice::kDigits;
  dash.data_switched = false;
  follow_selected_model(dash);
}

// Sets the form as a lesson's run asks: `target`'s preset (lr_G / lr_D when given), dcgan20 on
// the built-in digits.
void set_lesson_form(TrainingDashboard& dash, const TrainingTarget& target) {
  const auto it = std::find(dash.models.begin(), dash.models.end(), "dcgan20");
  select_model_on_digits(
      dash, it == dash.models.end() ? 0 : static_cast<int>(it - dash.models.begin()));
  const TrainingPreset* preset = find_preset(dash.presets, target.preset);
  if (preset == nullptr) {
    throw std::logic_error("lesson Show me: unknown training preset '" + target.preset + "'");
  }
  apply_preset(*preset, dash.form.gan);
  if (target.lr_g > 0.0f) dash.form.gan.lr_g = target.lr_g;
  if (target.lr_d > 0.0f) dash.form.gan.lr_d = target.lr_d;
}

}  // namespace

void start_lesson_run(TrainingDashboard& dash, const TrainingTarget& target, std::string* note) {
  dash.smoothing = target.smoothing;
  if (!target.saved_run.empty()) {
    open_saved_run(dash, saved_run_dir(target.saved_run), note);
    return;
  }
  if (dash.saved) close_saved_run(dash);
  init_training_form(dash);
  set_lesson_form(dash, target);
  if (target.action == TrainingTarget::Action::kNone) return;

  if (!dash.session) dash.session = std::make_unique<TrainingSession>();
  TrainingSession& session = *dash.session;
  session.read(dash.snap);
  const bool has_run =
      dash.snap.status == SessionStatus::kRunning || dash.snap.status == SessionStatus::kPaused;
  if (has_run) {
    // Queued before the new run, under a name of its own (the new run will write
    // <run_dir>/checkpoint.safetensors): nothing of the old one is lost.
    const RunSavedBefore saved = save_before_lesson(session, dash.snap);
    if (!saved.path.empty() && note != nullptr) {
      *note = "Your previous run (" + std::to_string(saved.steps) + " steps) was saved to " +
              saved.path + " (Load checkpoint takes it back).";
    }
  }
  const SessionConfig cfg = config_from_form(dash);
  if (target.action == TrainingTarget::Action::kStepA) {
    session.prepare(cfg);
    session.step_a();
  } else {
    session.start(cfg);
  }
}

// ---- Exports ----------------------------------------------------------------------------------

namespace {

// Creates `path`'s folder and runs write(path); note / note_ok say what happened.
template <class Write>
void export_file(TrainingDashboard& dash, const fs::path& path, Write write) {
  try {
    fs::create_directories(path.parent_path());
    write(path.string());
    dash.note = "wrote " + path.string();
    dash.note_ok = true;
  } catch (const std::exception& e) {
    dash.note = e.what();
    dash.note_ok = false;
  }
}

}  // namespace

void export_sample_grid(TrainingDashboard& dash) {
  const TrainingSnapshot& snap = dash.snap;
  if (snap.samples.values().empty()) return;
  const fs::path path = fs::path(snap.config.run_dir) /
                        ("samples_step_" + std::to_string(snap.samples_step) + ".png");
  export_file(dash, path,
              [&](const std::string& file) { write_png_grid(file, snap.samples, 8, 4); });
}

void export_metrics_csv(TrainingDashboard& dash) {
  const TrainingSnapshot& snap = dash.snap;
  const fs::path path = fs::path(snap.config.run_dir) / "metrics.csv";
  export_file(dash, path,
              [&](const std::string& file) { write_metrics_csv(file, snap.series, snap.events); });
}

// ---- A saved run, read-only -----------------------------------------------------------------

TrainingSnapshot saved_snapshot(const SavedRun& run, int g) {
  TrainingSnapshot snap;
  snap.status = SessionStatus::kIdle;
  snap.config.model = run.model;
  snap.config.data = run.data;
  snap.config.gan = run.gan;
  snap.config.threads = run.threads;
  snap.series = run.series;
  const std::vector<CurvePoint>& points = run.series.points();
  if (!points.empty()) {
    const CurvePoint& p = points.back();
    snap.has_metrics = true;
    snap.last.step = p.step;
    snap.last.loss_g = p.loss_g;
    snap.last.loss_d = p.loss_d;
    snap.last.d_real = p.d_real;
    snap.last.d_fake = p.d_fake;
    snap.last.acc_real = p.acc_real;
    snap.last.acc_fake = p.acc_fake;
    snap.step = p.step;
  }
  const SavedGrid& grid = run.grids.at(static_cast<size_t>(g));
  snap.samples = grid.samples;
  snap.samples_step = grid.step;
  snap.samples_version = static_cast<uint64_t>(g) + 1;
  snap.sample_diversity = grid.diversity;
  snap.real = run.real;
  snap.real_diversity = run.real_diversity;
  snap.has_score = grid.has_score;
  snap.score = grid.score;
  snap.score_step = grid.step;
  snap.score_note = "no quality score: the digit classifier could not be loaded";
  snap.error = run.error;
  snap.model_name = run.model;
  snap.dataset_description = run.data;
  return snap;
}

void show_saved_grid(TrainingDashboard& s, int g) {
  s.saved_grid = std::clamp(g, 0, static_cast<int>(s.saved->grids.size()) - 1);
  s.snap = saved_snapshot(*s.saved, s.saved_grid);
  s.tiled_samples_version = UINT64_MAX;  // re-tile
}

void open_saved_run(TrainingDashboard& state, const std::string& dir, std::string* note) {
  auto run = std::make_shared<SavedRun>(load_saved_run(dir));
  std::string scored;
  add_real_digits(*run);  // for the diversity diagnosis, even if the classifier is missing
  try {
    score_saved_run(*run, *load_classifier(asset_path(kDigitClassifierAsset)));
  } catch (const std::exception& e) {
    scored = std::string(" No class histogram: ") + e.what();
  }
  init_training_form(state);
  if (!state.session) state.session = std::make_unique<TrainingSession>();
  TrainingSession& session = *state.session;
  if (!state.saved) session.read(state.snap);
  std::string said;
  if (!state.saved) {
    // As a lesson's Show me does: paused (not training unseen behind the read-only view), then
    // saved under a name of its own, so closing the saved run brings it back as it was. Paused
    // whatever the last snapshot said: a start still queued (status Idle) is paused as soon as
    // it has loaded; with no run at all, pause() does nothing.
    session.pause();
    const RunSavedBefore saved = save_before_lesson(session, state.snap);
    if (!saved.path.empty()) {
      said = "Your run (" + std::to_string(saved.steps) + " steps) is paused and being saved to " +
             saved.path + "; Close (back to the dashboard) brings it back.";
    }
  }
  state.saved = run;
  state.note = said + scored;
  state.note_ok = scored.empty();
  show_saved_grid(state, static_cast<int>(run->grids.size()) - 1);
  if (note != nullptr) *note = said + scored;
}

void run_saved_run_live(TrainingDashboard& state) {
  if (!state.saved) return;
  const std::shared_ptr<const SavedRun> run = state.saved;  // closing drops state.saved
  const auto it = std::find(state.models.begin(), state.models.end(), run->model);
  if (it == state.models.end() || run->data != "digits") {  // the saved run stays open
    state.note = "Run it yourself: this saved run used model '" + run->model + "' on '" +
                 run->data +
                 "'; this dashboard can rerun only a model of assets/models on the built-in "
                 "digits. Nothing was started.";
    state.note_ok = false;
    return;
  }
  close_saved_run(state);
  // First, so that the run's values below stay in the form.
  select_model_on_digits(state, static_cast<int>(it - state.models.begin()));
  state.form.gan.batch_size = run->gan.batch_size;
  state.form.gan.lr_g = run->gan.lr_g;
  state.form.gan.lr_d = run->gan.lr_d;
  state.form.gan.beta1 = run->gan.beta1;
  state.form.gan.beta2 = run->gan.beta2;
  state.form.gan.seed = run->gan.seed;
  state.form.gan.init = "";  // the model spec's own, as `convt-lab train` uses by default
  state.form.threads = run->threads;
  state.backend = nn::Backend::fast;  // as the saved runs were made
  state.session->start(config_from_form(state));
}

void close_saved_run(TrainingDashboard& state) {
  state.saved.reset();
  state.saved_grid = 0;
  TrainingSnapshot fresh;  // version 0: the session's next read() copies
  state.snap = std::move(fresh);
  state.tiled_samples_version = UINT64_MAX;
  state.note.clear();
  if (state.session) state.session->read(state.snap);
}

void begin_headless_training(TrainingDashboard& state, double seconds, int threads) {
  init_training_form(state);
  if (!state.session) state.session = std::make_unique<TrainingSession>();
  SessionConfig cfg = config_from_form(state);
  cfg.gan.backend = nn::Backend::fast;
  cfg.threads = threads;
  state.form.threads = threads;
  state.backend = nn::Backend::fast;
  state.headless_seconds = seconds;
  state.session->start(cfg);
}

bool headless_training_ready(TrainingDashboard& state) {
  if (state.headless_seconds < 0.0 || !state.session) return true;
  if (state.headless_frames++ == 0) {  // the first frame: the run was just started
    state.headless_began_seconds = steady_seconds();
    state.headless_began_cpu_seconds = thread_cpu_seconds();
  }
  TrainingSnapshot& snap = state.snap;
  state.session->read(snap);
  if (snap.status == SessionStatus::kFailed) return true;  // show the error
  const bool trained =
      snap.status == SessionStatus::kRunning && snap.elapsed_seconds >= state.headless_seconds;
  if (trained && snap.samples_step > 0 && snap.samples_step + 50 >= snap.step) {
    const double wall_seconds = steady_seconds() - state.headless_began_seconds;
    const double ui_cpu_seconds = thread_cpu_seconds() - state.headless_began_cpu_seconds;
    std::printf("convt-lab: trained %" PRId64
                " steps in %.0f s (%.0f samples/s at the end, %d thread(s)); the window drew "
                "%.1f frames/s meanwhile (only when something changed); its UI thread used %.1f%% "
                "of a core, %.1f ms a frame over %" PRId64 " frames\n",
                snap.step, snap.elapsed_seconds, snap.samples_per_second, snap.config.threads,
                wall_seconds > 0.0 ? state.headless_frames / wall_seconds : 0.0,
                wall_seconds > 0.0 ? 100.0 * ui_cpu_seconds / wall_seconds : 0.0,
                state.headless_frames > 0 ? 1000.0 * ui_cpu_seconds / state.headless_frames : 0.0,
                state.headless_frames);
    std::fflush(stdout);
    return true;
  }
  return false;
}

bool lesson_run_ready(const TrainingDashboard& dash) {
  const TrainingSession* session = dash.session.get();
  if (session == nullptr || dash.headless_seconds >= 0.0) return true;
  TrainingSnapshot snap;
  session->read(snap);
  if (session->idle() || snap.status == SessionStatus::kRunning ||
      snap.status == SessionStatus::kFailed) {
    return true;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  return false;
}

}  // namespace convt::lab
