#include "logic/training_session.h"

#include <pthread.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <utility>

#include "convt/fast/fast_ops.h"
#include "convt/io/assets.h"
#include "convt/io/png.h"
#include "convt/nn/model_spec.h"
#include "convt/train/generator.h"
#include "logic/spec_preset.h"

namespace convt::lab {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::vector<std::string>& training_preset_names() {
  static const std::vector<std::string> names = {"notes", "fast start"};
  return names;
}

std::vector<TrainingPreset> training_presets(const nlohmann::json& spec) {
  // The buttons' spec preset, or `fallback` when the spec has none.
  auto preset = [&](const std::string& name, const std::string& key, const GanConfig& fallback,
                    const std::string& fallback_why) {
    GanConfig cfg = fallback;
    std::string why = fallback_why;
    if (has_spec_preset(spec, key)) {
      apply_spec_preset(spec, key, cfg);
      why = spec_preset_why(spec, key);
      if (why.empty()) why = "the model's \"" + key + "\" preset";
    }
    return TrainingPreset{name,      why,       cfg.batch_size, cfg.lr_g,        cfg.lr_d,
                          cfg.beta1, cfg.beta2, cfg.ema_decay,  cfg.diff_augment};
  };
  const GanConfig notes;  // GanConfig's defaults are the notes' settings
  GanConfig dcgan;
  dcgan.batch_size = 64;
  dcgan.lr_g = dcgan.lr_d = 2e-4f;
  dcgan.ema_decay = kDefaultEmaDecay;
  return {
      preset("notes", "notes", notes, "the study notes' settings"),
      preset("fast start", "default", dcgan,
             "this model has no default preset: Radford et al. 2016's DCGAN settings at batch "
             "64, with an averaged G"),
  };
}

const TrainingPreset* find_preset(const std::vector<TrainingPreset>& presets,
                                  const std::string& name) {
  for (const TrainingPreset& p : presets) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

void apply_preset(const TrainingPreset& preset, GanConfig& cfg) {
  cfg.batch_size = preset.batch_size;
  cfg.lr_g = preset.lr_g;
  cfg.lr_d = preset.lr_d;
  cfg.beta1 = preset.beta1;
  cfg.beta2 = preset.beta2;
  cfg.ema_decay = preset.ema_decay;
  cfg.diff_augment = preset.diff_augment;
}

std::string preset_values(const TrainingPreset& p) {
  char buf[160];
  if (p.lr_g == p.lr_d) {
    std::snprintf(buf, sizeof buf, "batch %lld, Adam lr %g, betas %g / %g",
                  static_cast<long long>(p.batch_size), p.lr_g, p.beta1, p.beta2);
  } else {
    std::snprintf(buf, sizeof buf, "batch %lld, Adam lr_G %g, lr_D %g, betas %g / %g",
                  static_cast<long long>(p.batch_size), p.lr_g, p.lr_d, p.beta1, p.beta2);
  }
  std::string text = buf;
  if (p.ema_decay > 0.0f) {
    std::snprintf(buf, sizeof buf, ", averaged G (decay %g)", p.ema_decay);
    text += buf;
  }
  if (!p.diff_augment.empty()) text += ", DiffAugment " + p.diff_augment;
  return text;
}

bool matches_preset(const TrainingPreset& preset, const GanConfig& cfg) {
  return cfg.batch_size == preset.batch_size && cfg.lr_g == preset.lr_g &&
         cfg.lr_d == preset.lr_d && cfg.beta1 == preset.beta1 && cfg.beta2 == preset.beta2 &&
         cfg.ema_decay == preset.ema_decay && cfg.diff_augment == preset.diff_augment;
}

const char* status_name(SessionStatus s) {
  switch (s) {
    case SessionStatus::kIdle:
      return "idle";
    case SessionStatus::kLoading:
      return "loading";
    case SessionStatus::kRunning:
      return "running";
    case SessionStatus::kPaused:
      return "paused";
    case SessionStatus::kFailed:
      return "stopped (error)";
  }
  return "?";
}

namespace {
// Pause was asked for (running_requested is false) and the worker has not yet stopped.
bool pausing(SessionStatus status, bool running_requested) {
  return status == SessionStatus::kRunning && !running_requested;
}
}  // namespace

const char* status_text(SessionStatus status, bool running_requested) {
  return pausing(status, running_requested) ? "pausing..." : status_name(status);
}

RunButton run_button(SessionStatus status, bool running_requested) {
  using Action = RunButton::Action;
  if (pausing(status, running_requested)) return RunButton{"Pausing...", Action::kNone};
  switch (status) {
    case SessionStatus::kRunning:
      return RunButton{"Pause", Action::kPause};
    case SessionStatus::kPaused:
      return RunButton{"Resume", Action::kResume};
    case SessionStatus::kLoading:
      return RunButton{"Loading...", Action::kNone};
    case SessionStatus::kIdle:
    case SessionStatus::kFailed:
      break;
  }
  return RunButton{"Start", Action::kStart};
}

struct TrainingSession::Command {
  enum class Kind {
    kStart,
    kPrepare,
    kPause,
    kResume,
    kStepA,
    kStepB,
    kOneBatch,
    kReset,
    kSetHyper,
    kSave,
    kLoad,
    kSendGenerator
  };
  Kind kind = Kind::kPause;
  SessionConfig cfg;
  float lr_g = 0, lr_d = 0, beta1 = 0, beta2 = 0;
  std::string path;
};

// One run: the data, the trainer, the fixed z. Owned and used by the worker thread only.
struct TrainingSession::Run {
  SessionConfig cfg;
  Dataset data;
  std::unique_ptr<GanTrainer> trainer;
  Tensor z_fixed;                              // (grid_count, latent_dim)
  std::unique_ptr<nn::Sequential> classifier;  // quality score; nullptr: none
  Tensor z_score;                              // (score_count, latent_dim)
  Clock::time_point last_score{};
  double score_interval_seconds = 0.0;  // max(cfg.score_seconds, 9 x the last scoring's time)
  Clock::time_point last_samples{};
  // Seconds between sample grids while running: max(cfg.sample_refresh_seconds, 25 x the time
  // the last grid took), so drawing G(fixed z) costs at most ~4% of training.
  double sample_interval_seconds = 0.0;
  Clock::time_point last_autosave{};
  Clock::time_point running_since{};  // when the current stretch of running began
  double elapsed_before = 0.0;        // running time before running_since
  // samples/s over a sliding window of recent steps.
  std::deque<std::pair<double, int64_t>> recent;  // (seconds of the step, batch size)
  // The checkpoint files of this run's model (weakly canonical): those it wrote, and the one it
  // continues since a load. Saving over one of them continues this model; any other file at a
  // save's path is kept under a new name first.
  std::vector<fs::path> own_files;
  bool owns(const fs::path& file) const {
    const fs::path f = fs::weakly_canonical(file);
    for (const fs::path& own : own_files)
      if (own == f) return true;
    return false;
  }
  // steps_done() when the model was last on disk (saved anywhere, or loaded); -1: never. A run
  // whose steps are all on disk needs no save before it is dropped.
  int64_t on_disk_step = -1;
};

namespace {

// Back to an empty snapshot, keeping the counters that must only increase.
void clear_snapshot(TrainingSnapshot& s) {
  const uint64_t version = s.version, samples_version = s.samples_version;
  TrainingSnapshot fresh;
  fresh.version = version;
  fresh.samples_version = samples_version;
  s = std::move(fresh);
}

// Moves `file` (an earlier run's checkpoint) to a free name beside it,
// <stem>-<its last write time, UTC, YYYYmmdd-HHMMSS>[-K]<extension>, and returns that name.
std::string keep_under_new_name(const fs::path& file) {
  struct stat st {};
  const std::time_t t = ::stat(file.c_str(), &st) == 0 ? st.st_mtime : std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  fs::path kept;
  for (int k = 1;; ++k) {
    kept =
        file.parent_path() / (file.stem().string() + "-" + stamp +
                              (k > 1 ? "-" + std::to_string(k) : "") + file.extension().string());
    if (!fs::exists(kept)) break;
  }
  fs::rename(file, kept);
  return kept.string();
}

std::string format_lr(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
  return buf;
}

}  // namespace

// Mean over pixels of the standard deviation across the batch: ~0 when all images are the same.
float batch_diversity(const Tensor& images) {
  if (images.ndim() != 4 || images.dim(0) < 2) return 0.0f;
  const int64_t n = images.dim(0);
  const int64_t per = images.numel() / n;
  const float* x = images.data();
  double total = 0.0;
  for (int64_t j = 0; j < per; ++j) {
    double sum = 0.0, sum2 = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double v = x[i * per + j];
      sum += v;
      sum2 += v * v;
    }
    const double mean = sum / n;
    total += std::sqrt(std::max(0.0, sum2 / n - mean * mean));
  }
  return static_cast<float>(total / per);
}

// The first `count` images of the dataset, spread evenly over it.
Tensor pick_real(const Dataset& data, int count) {
  const int64_t n = std::min<int64_t>(count, data.size());
  const int64_t per = data.images.numel() / std::max<int64_t>(1, data.size());
  std::vector<int64_t> shape = data.images.shape();
  shape[0] = n;
  Tensor out(shape);  // (n, C, H, W)
  for (int64_t i = 0; i < n; ++i) {
    const int64_t src = i * (data.size() / n);
    std::copy(data.images.data() + src * per, data.images.data() + (src + 1) * per,
              out.data() + i * per);
  }
  return out;
}

TrainingSession::TrainingSession() : worker_([this] { worker_main(); }) {}

TrainingSession::~TrainingSession() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void TrainingSession::push(Command c) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    queue_.push_back(std::move(c));
  }
  queue_cv_.notify_all();
}

void TrainingSession::start(const SessionConfig& cfg) {
  Command c;
  c.kind = Command::Kind::kStart;
  c.cfg = cfg;
  push(std::move(c));
}
void TrainingSession::prepare(const SessionConfig& cfg) {
  Command c;
  c.kind = Command::Kind::kPrepare;
  c.cfg = cfg;
  push(std::move(c));
}
void TrainingSession::pause() {
  running_ = false;  // takes effect before the next step, even with commands queued
  Command c;
  c.kind = Command::Kind::kPause;
  push(std::move(c));
}
void TrainingSession::resume() {
  Command c;
  c.kind = Command::Kind::kResume;
  push(std::move(c));
}
void TrainingSession::step_a() {
  running_ = false;
  ++pending_steps_;
  Command c;
  c.kind = Command::Kind::kStepA;
  push(std::move(c));
}
void TrainingSession::step_b() {
  running_ = false;
  ++pending_steps_;
  Command c;
  c.kind = Command::Kind::kStepB;
  push(std::move(c));
}
void TrainingSession::one_batch() {
  running_ = false;
  ++pending_steps_;
  Command c;
  c.kind = Command::Kind::kOneBatch;
  push(std::move(c));
}
void TrainingSession::reset() {
  running_ = false;
  ++pending_resets_;
  Command c;
  c.kind = Command::Kind::kReset;
  push(std::move(c));
}
void TrainingSession::set_hyperparameters(float lr_g, float lr_d, float beta1, float beta2) {
  Command c;
  c.kind = Command::Kind::kSetHyper;
  c.lr_g = lr_g;
  c.lr_d = lr_d;
  c.beta1 = beta1;
  c.beta2 = beta2;
  push(std::move(c));
}
void TrainingSession::save_checkpoint(const std::string& path) {
  Command c;
  c.kind = Command::Kind::kSave;
  c.path = path;
  push(std::move(c));
}
void TrainingSession::load_checkpoint(const std::string& path) {
  running_ = false;
  Command c;
  c.kind = Command::Kind::kLoad;
  c.path = path;
  push(std::move(c));
}
void TrainingSession::set_timelapse(bool on) { timelapse_ = on; }
void TrainingSession::set_gradient_norms(bool on) { grad_norms_ = on; }
void TrainingSession::request_generator() {
  if (generator_requested_.exchange(true)) return;  // one is queued already
  Command c;
  c.kind = Command::Kind::kSendGenerator;
  push(std::move(c));
}

std::shared_ptr<const GeneratorWeights> TrainingSession::generator() const {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  return published_.generator;
}

bool TrainingSession::read(TrainingSnapshot& out) const {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  if (published_.version == out.version) return false;
  out = published_;
  return true;
}

bool TrainingSession::idle() const {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  return queue_.empty() && !busy_ && !running_.load();
}

// ---- Worker ------------------------------------------------------------------------------------

void TrainingSession::worker_main() {
  // Named, so per-thread CPU figures (top -H, /proc/PID/task) tell training from the window.
  pthread_setname_np(pthread_self(), "convt-train");
  for (;;) {
    Command c;
    bool have_command = false;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stop_ || !queue_.empty() || running_.load(); });
      if (stop_) break;
      if (!queue_.empty()) {
        c = std::move(queue_.front());
        queue_.pop_front();
        have_command = true;
      }
      busy_ = true;
    }
    if (have_command) {
      handle(c);
      // Acknowledged for the dashboard's buttons once carried out (whatever the outcome).
      if (c.kind == Command::Kind::kReset) --pending_resets_;
      if (c.kind == Command::Kind::kStepA || c.kind == Command::Kind::kStepB ||
          c.kind == Command::Kind::kOneBatch) {
        --pending_steps_;
      }
    } else if (running_) {
      run_one_step(false, false);
    }
    std::lock_guard<std::mutex> lock(queue_mutex_);
    busy_ = false;
  }
  // The window is closing: keep what was learned.
  running_ = false;
  try {
    const std::string saved = save_before_dropping();
    if (!saved.empty()) {
      work_.message = "saved " + saved + " on closing";
      work_.status = SessionStatus::kPaused;
      publish(false);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convt-lab: could not save the training checkpoint on closing: %s\n",
                 e.what());
  }
}

std::string TrainingSession::save_before_dropping() {
  if (!run_ || !run_->trainer || work_.status == SessionStatus::kFailed) return "";
  finish_pending_step_a();
  const int64_t steps = run_->trainer->steps_done();
  if (steps == 0 || steps == run_->on_disk_step) return "";
  return save_to("");
}

void TrainingSession::fail(const std::string& message) {
  running_ = false;
  work_.status = SessionStatus::kFailed;
  work_.error = message;
  publish(false);
}

void TrainingSession::publish(bool new_samples) {
  if (run_ && run_->trainer) {
    GanTrainer& t = *run_->trainer;
    work_.step = t.steps_done();
    work_.epoch = t.epoch();
    work_.batches_per_epoch = t.batches_per_epoch();
    work_.step_a_pending = t.step_a_pending();
    double elapsed = run_->elapsed_before;
    if (running_)
      elapsed += std::chrono::duration<double>(Clock::now() - run_->running_since).count();
    work_.elapsed_seconds = elapsed;
    if (new_samples) {
      const auto began = Clock::now();
      work_.samples = t.generate(run_->z_fixed);
      if (t.has_ema())
        work_.samples_ema = generate_with_batch_statistics(*t.G_ema(), run_->z_fixed);
      // Under ~2.5% of the training time (with the score's ~2%, the dashboard keeps about 95%
      // of the engine's speed).
      run_->sample_interval_seconds =
          std::max(run_->cfg.sample_refresh_seconds,
                   40.0 * std::chrono::duration<double>(Clock::now() - began).count());
      work_.samples_step = t.steps_done();
      ++work_.samples_version;
      work_.sample_diversity = batch_diversity(work_.samples);
      run_->last_samples = Clock::now();
      if (timelapse_) {
        const fs::path dir = fs::path(run_->cfg.run_dir) / "timelapse";
        char name[96];  // the step too, for the exported time-lapse's captions
        std::snprintf(name, sizeof name, "frame_%05lld_step_%lld.png",
                      static_cast<long long>(work_.timelapse_frames),
                      static_cast<long long>(work_.samples_step));
        try {
          fs::create_directories(dir);
          write_png_grid((dir / name).string(), work_.samples, 8, 2);
          ++work_.timelapse_frames;
        } catch (const std::exception& e) {
          work_.error = std::string("time-lapse frame not written: ") + e.what();
          timelapse_ = false;
        }
      }
    }
  }
  steps_done_ = work_.step;
  work_.version = version_.load() + 1;
  std::function<void()> listener;
  {
    std::lock_guard<std::mutex> lock(snapshot_mutex_);
    published_ = work_;
    listener = publish_listener_;
  }
  version_ = work_.version;
  if (listener) listener();
}

void TrainingSession::set_publish_listener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  publish_listener_ = std::move(listener);
}

std::string TrainingSession::save_to(const std::string& path) {
  const std::string out =
      path.empty() ? (fs::path(run_->cfg.run_dir) / "checkpoint.safetensors").string() : path;
  const fs::path parent = fs::path(out).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  std::string kept;
  if (fs::is_regular_file(out) && !run_->owns(out)) {
    kept = keep_under_new_name(out);
    work_.events.push_back(
        {run_->trainer->steps_done(), "kept the earlier " + out + " as " + kept});
  }
  run_->trainer->save_checkpoint(out);
  if (!run_->owns(out)) run_->own_files.push_back(fs::weakly_canonical(out));
  run_->on_disk_step = run_->trainer->steps_done();
  work_.last_good_checkpoint = out;
  work_.last_good_step = run_->trainer->steps_done();
  run_->last_autosave = Clock::now();
  return kept.empty()
             ? out
             : out + " (the checkpoint of another run that was there is kept as " + kept + ")";
}

void TrainingSession::finish_pending_step_a() {
  if (!run_->trainer->step_a_pending()) return;
  const StepMetrics m = run_->trainer->step_discriminator();
  work_.series.push(CurvePoint::from_metrics(m));
  work_.last = m;
  work_.has_metrics = true;
}

void TrainingSession::copy_generator() {
  auto copy = std::make_shared<GeneratorWeights>();
  GanTrainer& t = *run_->trainer;
  copy->spec = t.model().spec;
  copy->model_name = t.model().name;
  copy->version = generator_version_.load();
  copy->step = t.steps_done();
  copy->data = t.data_name();
  nn::Sequential& G = t.G();
  for (const nn::NamedParam& p : G.params()) copy->tensors.emplace_back(p.name, *p.value);
  for (const nn::NamedBuffer& b : G.buffers()) copy->tensors.emplace_back(b.name, *b.value);
  work_.generator = std::move(copy);
}

void TrainingSession::compute_score() {
  if (!run_ || !run_->classifier || run_->z_score.values().empty()) return;
  const auto began = Clock::now();
  const Tensor samples = run_->trainer->generate(run_->z_score);  // (score_count, 1, H, W)
  work_.score = quality_score(*run_->classifier, samples);
  work_.has_score = true;
  work_.score_step = run_->trainer->steps_done();
  auto& history = work_.score_history;
  if (!history.empty() && history.back().first == work_.score_step) history.pop_back();
  history.emplace_back(work_.score_step, work_.score.score);
  work_.has_score_ema = run_->trainer->has_ema();
  if (work_.has_score_ema) {
    work_.score_ema = quality_score(
        *run_->classifier, generate_with_batch_statistics(*run_->trainer->G_ema(), run_->z_score));
  }
  if (history.size() > 512) {  // keep the first, thin the rest by half
    std::vector<std::pair<int64_t, float>> thinned;
    for (size_t i = 0; i < history.size(); i += 2) thinned.push_back(history[i]);
    if (thinned.back() != history.back()) thinned.push_back(history.back());
    history.swap(thinned);
  }
  run_->last_score = Clock::now();
  // Scoring takes a G forward of score_count samples (two with G_ema): keep it under ~2% of the
  // training time.
  run_->score_interval_seconds =
      std::max(run_->cfg.score_seconds,
               48.0 * std::chrono::duration<double>(run_->last_score - began).count());
}

void TrainingSession::handle(const Command& c) {
  using Kind = Command::Kind;
  if (c.kind == Kind::kSendGenerator) {  // leaves the dashboard's message and error alone
    send_generator();
    return;
  }
  work_.error.clear();
  try {
    switch (c.kind) {
      case Kind::kStart:
      case Kind::kPrepare:
        start_run(c.cfg, c.kind == Kind::kStart);
        break;
      case Kind::kPause:
        pause_run();
        break;
      case Kind::kResume:
        resume_run();
        break;
      case Kind::kStepA:
      case Kind::kStepB:
      case Kind::kOneBatch:
        step_run(c.kind == Kind::kStepA, c.kind == Kind::kStepB);
        break;
      case Kind::kReset:
        reset_run();
        break;
      case Kind::kSetHyper:
        change_hyperparameters(c.lr_g, c.lr_d, c.beta1, c.beta2);
        break;
      case Kind::kSave:
        save_run(c.path);
        break;
      case Kind::kLoad:
        load_run(c.path);
        break;
      case Kind::kSendGenerator:
        break;  // handled above
    }
  } catch (const std::exception& e) {
    if (c.kind == Kind::kStart || c.kind == Kind::kPrepare) {
      run_.reset();
      fail(e.what());
    } else {
      work_.error = e.what();
      publish(false);
    }
  }
}

bool TrainingSession::need_run() {
  if (run_ && run_->trainer && work_.status != SessionStatus::kFailed) return true;
  work_.error = work_.status == SessionStatus::kFailed
                    ? "this run stopped with an error: Reset, or load a checkpoint"
                    : "no run yet: press Start (or One batch) first";
  publish(false);
  return false;
}

void TrainingSession::stop_clock() {
  if (run_ && work_.status == SessionStatus::kRunning) {
    run_->elapsed_before +=
        std::chrono::duration<double>(Clock::now() - run_->running_since).count();
  }
}

bool TrainingSession::save_first(const char* not_done, const char* then, std::string* saved) {
  try {
    *saved = save_before_dropping();
    return true;
  } catch (const std::exception& e) {
    stop_clock();
    work_.status = SessionStatus::kPaused;
    work_.error = std::string(not_done) + ": saving your run first failed: " + e.what() +
                  ". Save it elsewhere (Save checkpoint), then " + then + ".";
    publish(false);
    return false;
  }
}

void TrainingSession::send_generator() {
  generator_requested_ = false;  // later requests queue a new copy
  if (run_ && run_->trainer) {
    copy_generator();
    publish(false);
  }
}

void TrainingSession::start_run(const SessionConfig& cfg, bool go) {
  running_ = false;
  std::string saved;
  if (!save_first("your run was not replaced", "start again", &saved)) return;
  run_.reset();
  clear_snapshot(work_);
  work_.series = MetricSeries(cfg.series_capacity);
  work_.config = cfg;
  work_.status = SessionStatus::kLoading;
  work_.message = "loading " + cfg.data + " and building " + cfg.model;
  publish(false);

  auto run = std::make_unique<Run>();
  run->cfg = cfg;
  const nlohmann::json spec = nn::load_model_spec(cfg.model);
  const auto shape = spec.at("image_shape").get<std::vector<int64_t>>();  // (C, H, W)
  run->data = load_dataset(cfg.data, static_cast<int>(shape.at(1)), static_cast<int>(shape.at(0)));
  fast::set_num_threads(std::max(1, cfg.threads));
  run->trainer = std::make_unique<GanTrainer>(spec, cfg.gan, &run->data);
  run->z_fixed = run->trainer->latent_batch(cfg.grid_count, cfg.grid_seed);
  work_.model_name = spec.value("name", cfg.model);
  work_.dataset_description = run->data.description;
  work_.real = pick_real(run->data, cfg.grid_count);
  work_.real_diversity = batch_diversity(work_.real);
  run->last_autosave = Clock::now();
  run->last_score = Clock::now();
  run->score_interval_seconds = cfg.score_seconds;
  if (cfg.classifier.empty()) {
    work_.score_note = "no quality score: no classifier chosen";
  } else if (cfg.data != "digits") {
    work_.score_note = "no quality score: the classifier knows the built-in digits only";
  } else if (!classifier_takes(shape)) {
    work_.score_note = "no quality score: the digit classifier takes 1x20x20 or 1x28x28 images";
  } else {
    try {
      run->classifier = load_classifier(asset_path(cfg.classifier));
      run->classifier->set_backend(nn::Backend::fast);
      run->z_score = run->trainer->latent_batch(cfg.score_count, cfg.grid_seed + 1);
    } catch (const std::exception& e) {
      work_.score_note = std::string("no quality score: ") + e.what();
    }
  }
  run_ = std::move(run);
  ++generator_version_;
  work_.status = go ? SessionStatus::kRunning : SessionStatus::kPaused;
  work_.message = go ? "training" : "ready: step it, or Resume";
  if (!saved.empty()) work_.message += "; the run before was saved to " + saved;
  run_->running_since = Clock::now();
  running_ = go;
  publish(true);
}

void TrainingSession::pause_run() {
  running_ = false;
  if (!run_ || !run_->trainer || work_.status == SessionStatus::kFailed) return;
  stop_clock();
  work_.status = SessionStatus::kPaused;
  if (!run_->trainer->step_a_pending() && run_->trainer->steps_done() > 0) {
    // Paused from here: say so before the score and the save, which take a moment.
    work_.message = "paused; scoring and saving...";
    publish(false);
    compute_score();
    work_.message = "paused; saved " + save_to("");
  } else {
    work_.message = "paused";
  }
  publish(true);
}

void TrainingSession::resume_run() {
  if (!need_run()) return;
  if (work_.status != SessionStatus::kRunning) run_->running_since = Clock::now();
  work_.status = SessionStatus::kRunning;
  work_.message = "training";
  running_ = true;
  publish(false);
}

void TrainingSession::step_run(bool step_a_only, bool step_b_only) {
  running_ = false;
  if (!need_run()) return;
  stop_clock();
  work_.status = SessionStatus::kPaused;
  run_one_step(step_a_only, step_b_only);
}

void TrainingSession::reset_run() {
  running_ = false;
  std::string saved;
  if (!save_first("your run was not reset", "reset", &saved)) return;
  run_.reset();
  ++generator_version_;
  std::shared_ptr<const GeneratorWeights> generator = std::move(work_.generator);
  clear_snapshot(work_);
  work_.generator = std::move(generator);
  ++work_.samples_version;
  work_.message = saved.empty() ? "reset: press Start for a new run"
                                : "reset: your run was saved to " + saved +
                                      " (Load checkpoint brings it back); press Start for "
                                      "a new run";
  publish(false);
}

void TrainingSession::change_hyperparameters(float lr_g, float lr_d, float beta1, float beta2) {
  if (!need_run()) return;
  GanConfig cfg = run_->trainer->config();
  std::string change;
  auto note = [&](const char* name, float from, float to) {
    if (from == to) return;
    if (!change.empty()) change += ", ";
    change += std::string(name) + " " + format_lr(from) + " -> " + format_lr(to);
  };
  note("lr_G", cfg.lr_g, lr_g);
  note("lr_D", cfg.lr_d, lr_d);
  note("beta1", cfg.beta1, beta1);
  note("beta2", cfg.beta2, beta2);
  if (change.empty()) return;
  cfg.lr_g = lr_g;
  cfg.lr_d = lr_d;
  cfg.beta1 = beta1;
  cfg.beta2 = beta2;
  cfg.validate();  // refused (the error says why) before Step B below is taken
  // The new values count from a whole step (the mark on the curves falls between two): a Step A
  // already taken is completed with the values it began with.
  finish_pending_step_a();
  run_->trainer->set_hyperparameters(lr_g, lr_d, beta1, beta2);  // keeps the Adam moments
  run_->cfg.gan = run_->trainer->config();
  work_.config.gan = run_->trainer->config();
  work_.events.push_back({run_->trainer->steps_done(), change});
  work_.message = "changed " + change;
  publish(false);
}

void TrainingSession::save_run(const std::string& path) {
  if (!need_run()) return;
  finish_pending_step_a();
  work_.message = "saved " + save_to(path);
  publish(false);
}

void TrainingSession::load_run(const std::string& path) {
  if (!run_ || !run_->trainer) {
    work_.error = "start (or prepare) a run of the checkpoint's model first, then load";
    publish(false);
    return;
  }
  running_ = false;
  // The model the load replaces is saved first, unless the load reverts to the very file that
  // save would write (the user asks for its contents back, not for the unsaved steps).
  const bool reverting =
      fs::weakly_canonical(fs::path(run_->cfg.run_dir) / "checkpoint.safetensors") ==
      fs::weakly_canonical(path);
  std::string saved;
  if (!reverting && !save_first("nothing loaded", "load", &saved)) return;
  stop_clock();
  run_->trainer->load_checkpoint(path);  // CheckpointError: nothing changed
  // From here the run is the loaded model: saving over its file continues it, while the files of
  // the model it replaced (saved above) are kept, not overwritten.
  run_->own_files = {fs::weakly_canonical(path)};
  run_->on_disk_step = run_->trainer->steps_done();
  ++generator_version_;
  work_.series.clear();
  work_.grad_norms.clear();
  work_.events.clear();
  work_.has_metrics = false;
  work_.events.push_back({run_->trainer->steps_done(), "loaded " + path});
  work_.status = SessionStatus::kPaused;
  work_.last_good_checkpoint = path;
  work_.last_good_step = run_->trainer->steps_done();
  work_.message = "loaded " + path + " (step " + std::to_string(run_->trainer->steps_done()) + ")";
  if (!saved.empty()) work_.message += "; the run before was saved to " + saved;
  publish(true);
}

void TrainingSession::run_one_step(bool step_a_only, bool step_b_only) {
  GanTrainer& t = *run_->trainer;
  const bool single = step_a_only || step_b_only || !running_;
  try {
    if (step_a_only) {
      if (t.step_a_pending()) {
        work_.message = "Step A is done: Step B completes this step first";
        publish(false);
        return;
      }
      const float loss_g = t.step_generator();
      ++generator_version_;
      char buf[96];
      std::snprintf(buf, sizeof buf, "Step A: G updated, L_G = %.4f; Step B next", loss_g);
      work_.message = buf;
      publish(true);
      return;
    }
    // Step B alone, or a whole batch (Step A then Step B; after a lone Step A, just Step B).
    const StepMetrics m = (step_b_only || t.step_a_pending()) ? t.step_discriminator() : t.step();
    ++generator_version_;  // Step A updates G; a lone Step B runs G first (BatchNorm statistics)
    work_.series.push(CurvePoint::from_metrics(m));
    work_.last = m;
    work_.has_metrics = true;
    if (grad_norms_) {
      std::vector<std::pair<std::string, float>> norms = layer_gradient_norms(t.G(), "G");
      for (auto& d : layer_gradient_norms(t.D(), "D")) norms.push_back(std::move(d));
      work_.grad_norms.push(m.step, norms);
    }
    run_->recent.emplace_back(m.seconds, t.config().batch_size);
    double seconds = 0.0;
    int64_t samples = 0;
    for (const auto& r : run_->recent) {
      seconds += r.first;
      samples += r.second;
    }
    while (run_->recent.size() > 1 && seconds - run_->recent.front().first > 3.0) {
      seconds -= run_->recent.front().first;
      samples -= run_->recent.front().second;
      run_->recent.pop_front();
    }
    work_.samples_per_second = seconds > 0.0 ? static_cast<double>(samples) / seconds : 0.0;
    if (single) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "%s: L_G = %.4f, L_D = %.4f",
                    step_b_only ? "Step B: D updated" : "one batch", m.loss_g, m.loss_d);
      work_.message = buf;
    }
    const auto now = Clock::now();
    const bool refresh =
        single || std::chrono::duration<double>(now - run_->last_samples).count() >=
                      run_->sample_interval_seconds;
    if (running_ && run_->classifier &&
        std::chrono::duration<double>(now - run_->last_score).count() >=
            run_->score_interval_seconds) {
      compute_score();
    }
    if (running_ && run_->cfg.autosave_seconds > 0.0 &&
        std::chrono::duration<double>(now - run_->last_autosave).count() >=
            run_->cfg.autosave_seconds) {
      save_to("");
    }
    publish(refresh);
  } catch (const TrainingError& e) {
    fail(std::string(e.what()) +
         (work_.last_good_checkpoint.empty()
              ? " No checkpoint was saved yet."
              : " The last good checkpoint is " + work_.last_good_checkpoint + " (step " +
                    std::to_string(work_.last_good_step) + "): load it and lower the lr."));
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

}  // namespace convt::lab
