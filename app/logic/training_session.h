// TrainingSession: the training dashboard's GanTrainer on a worker thread (the worker thread
// publishes, the UI reads copies).
//
//   UI thread                              worker thread
//   ---------                              -------------
//   session.start(cfg) ----> queue ----->  load data, build GanTrainer, run steps
//   session.pause() / step_a() / ...       one command at a time, between steps
//   session.read(snapshot) <-- mutex <---  after each step: metrics appended to a MetricSeries,
//                                          fixed-z sample grid (at most every
//                                          sample_refresh_seconds), counters as atomics
//   session.request_generator() -> queue ->  between steps: a copy of G's weights
//   session.generator() <-- mutex <-------   (GeneratorWeights, immutable, shared_ptr) for the
//                                            latent explorer's "Follow training"
//
// The UI never touches the trainer or its tensors: it gets copies in a TrainingSnapshot. The
// destructor (the window closing) stops the worker between steps and saves
// <run_dir>/checkpoint.safetensors. A non-finite loss (convt::TrainingError) stops training,
// keeps the last good checkpoint on disk (saved every autosave_seconds and on pause) and puts the
// message in the snapshot.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "convt/data/dataset.h"
#include "convt/tensor.h"
#include "convt/train/gan_trainer.h"
#include "logic/generator_weights.h"
#include "logic/metric_series.h"
#include "logic/quality_score.h"

namespace convt::lab {

// What to train and how (the dashboard's controls).
struct SessionConfig {
  std::string model = "dcgan20";           // assets/models/<name>.json or a path to a .json spec
  std::string data = "digits";             // "digits" | "fashion-mnist" | a folder of images
  GanConfig gan;                           // batch_size, lr_g, lr_d, beta1, beta2, seed, backend
  int threads = 1;                         // fast backend's threads (convt::fast::set_num_threads)
  std::string run_dir = "runs/dashboard";  // checkpoint.safetensors, exports, time-lapse frames
  int grid_count = 64;                     // fixed-z samples shown (and real images beside them)
  uint64_t grid_seed = 20240;  // the fixed z: GanTrainer::latent_batch(grid_count, seed)
  // While running, the sample grid is redrawn at most this often, and never so often that
  // drawing it takes more than ~2.5% of the time (40x its cost apart); single steps redraw at once.
  double sample_refresh_seconds = 0.4;
  double autosave_seconds = 60.0;  // "last good checkpoint" while running; <= 0: never
  size_t series_capacity = 4096;   // MetricSeries capacity (points)
  // Quality score (logic/quality_score.h) for 1x20x20 models: the classifier's asset path ("":
  // none), how many fixed-z samples it scores, and how often while running (also on pause; at
  // least 48x the time one scoring takes, so scoring costs at most ~2% of training).
  std::string classifier = kDigitClassifierAsset;
  int score_count = 500;
  double score_seconds = 20.0;
};

// The decay of G_ema that the dashboard's "averaged G" checkbox turns on (GanConfig::ema_decay;
// Karras et al. 2018): G_ema averages roughly the last 1 / (1 - 0.999) = 1,000 steps.
inline constexpr float kDefaultEmaDecay = 0.999f;

// A named set of hyperparameters (the dashboard's preset buttons).
struct TrainingPreset {
  std::string name;
  std::string why;  // one line, the button's tooltip (below preset_values)
  int64_t batch_size;
  float lr_g, lr_d, beta1, beta2;
  float ema_decay;           // GanConfig::ema_decay: 0 = no averaged G
  std::string diff_augment;  // GanConfig::diff_augment: "" = off
};
// The preset buttons' names, as lessons name them: "notes", "fast start".
const std::vector<std::string>& training_preset_names();
// The preset buttons for a model, from its spec (nn::load_model_spec; logic/spec_preset.h):
//   "notes": the spec's presets.notes, else the study notes' settings (GanConfig's defaults:
//     batch 256, Adam lr 1e-4, betas 0.5 / 0.999, no averaged G);
//   "fast start": the spec's presets.default, the values `convt-lab train --model M` uses, else
//     batch 64, lr 2e-4, betas 0.5 / 0.999 (Radford et al. 2016's DCGAN settings at a batch for
//     2 cores) with an averaged G of kDefaultEmaDecay.
// In training_preset_names()'s order. Throws SpecPresetError when one of those presets holds a
// value out of range.
std::vector<TrainingPreset> training_presets(const nlohmann::json& spec);
// The preset named `name` in `presets`, nullptr when there is none.
const TrainingPreset* find_preset(const std::vector<TrainingPreset>& presets,
                                  const std::string& name);
// Sets cfg's batch size, learning rates, betas, EMA decay and DiffAugment policy to the preset's.
void apply_preset(const TrainingPreset& preset, GanConfig& cfg);
// The preset's values in one line, e.g. "batch 64, Adam lr 0.0003, betas 0.5 / 0.99, averaged G
// (decay 0.999)" (the button's tooltip, above its `why`).
std::string preset_values(const TrainingPreset& preset);
// True when those values of cfg are the preset's.
bool matches_preset(const TrainingPreset& preset, const GanConfig& cfg);

// The dashboard's sample diversity: the mean over pixels of the standard deviation across the
// images (N, C, H, W), in the images' units; ~0 when all images are the same, 0 for N < 2.
float batch_diversity(const Tensor& images);
// The dashboard's real images: `count` images of `data` spread evenly over it (image
// i * (size / count)), as (count, C, H, W); fewer when the dataset is smaller.
Tensor pick_real(const Dataset& data, int count);

enum class SessionStatus { kIdle, kLoading, kRunning, kPaused, kFailed };
const char* status_name(SessionStatus s);

// The dashboard's Start / Pause / Resume button. Pause takes effect in the session at once
// (TrainingSession::running_requested() turns false before the worker's next step), but the
// snapshot says kRunning until the worker has finished its step, scored and saved: meanwhile the
// button says "Pausing..." and cannot be pressed, so a second click cannot resume by accident.
struct RunButton {
  enum class Action { kStart, kPause, kResume, kNone };
  const char* label;
  Action action;  // kNone: drawn disabled
};
RunButton run_button(SessionStatus status, bool running_requested);
// The status word the dashboard shows: status_name(status), but "pausing..." while the button
// says "Pausing..." (paused asked for, the snapshot still running).
const char* status_text(SessionStatus status, bool running_requested);

// Everything the dashboard draws, copied out of the worker under a short lock.
struct TrainingSnapshot {
  uint64_t version = 0;  // increases with every publish; read() skips the copy when unchanged
  SessionStatus status = SessionStatus::kIdle;
  SessionConfig config;  // of the current run (after start())

  MetricSeries series;             // per-step metrics, bounded
  GradientNormSeries grad_norms;   // per-layer gradient norms, while set_gradient_norms(true)
  std::vector<CurveEvent> events;  // hyperparameter changes, resets of the view, loads
  StepMetrics last;                // the last completed step
  bool has_metrics = false;
  bool step_a_pending = false;  // Step A done, Step B not yet

  Tensor samples;                 // (grid_count, C, H, W) G(fixed z), eval mode; empty before
  int64_t samples_step = -1;      // steps done when `samples` was drawn
  uint64_t samples_version = 0;   // increases with each new sample grid
  float sample_diversity = 0.0f;  // mean per-pixel std over the sample grid
  // G_ema(fixed z) when the run keeps an averaged G (GanConfig::ema_decay > 0), else empty; drawn
  // with the grid's own batch statistics (generator.h: generate_with_batch_statistics).
  Tensor samples_ema;
  Tensor real;                  // (grid_count, C, H, W) real images, for comparison
  float real_diversity = 0.0f;  // the same measure on `real`

  int64_t step = 0, epoch = 0, batches_per_epoch = 0;
  double elapsed_seconds = 0.0;     // training time of this run (paused time excluded)
  double samples_per_second = 0.0;  // over the last few seconds of running
  std::string model_name, dataset_description;
  std::string message;  // the last thing that happened ("saved runs/dashboard/...")
  std::string error;    // why the run failed (kFailed), or a refused command; empty otherwise
  std::string last_good_checkpoint;  // path, empty before the first save
  int64_t last_good_step = -1;
  int64_t timelapse_frames = 0;  // frames written so far

  bool has_score = false;  // a quality score was computed for this run
  QualityScore score;      // of score_count fixed-z samples at score_step
  int64_t score_step = -1;
  std::vector<std::pair<int64_t, float>> score_history;  // (step, score), at most 512 entries
  bool has_score_ema = false;  // G_ema's score at score_step (the same z, batch statistics)
  QualityScore score_ema;
  std::string score_note;  // why there is no score (another model, no classifier), if so

  // The last copy of G made on request_generator() (nullptr before the first; kept after a
  // reset until the next copy).
  std::shared_ptr<const GeneratorWeights> generator;
};

class TrainingSession {
 public:
  TrainingSession();
  // Stops the worker (between steps) and, if a run has taken steps, saves
  // <run_dir>/checkpoint.safetensors. Blocks for at most one training step.
  ~TrainingSession();
  TrainingSession(const TrainingSession&) = delete;
  TrainingSession& operator=(const TrainingSession&) = delete;

  // ---- Commands: queued, carried out by the worker between steps, in order ----
  // A new run with `cfg` that starts running at once. It replaces any current run, which is
  // saved first if it took steps (a failed save keeps that run, paused, and says why).
  void start(const SessionConfig& cfg);
  // The same, but paused before its first step (for stepping one batch at a time).
  void prepare(const SessionConfig& cfg);
  void pause();      // saves the checkpoint too (the last good one)
  void resume();     // from pause (or after a single step)
  void step_a();     // exactly one Step A (G update); pauses first
  void step_b();     // exactly one Step B (D update), completing the step; pauses first
  void one_batch();  // Step A then Step B; pauses first
  // Drops the run; back to kIdle. A run that took steps is saved to its checkpoint first (a
  // failed save keeps the run, paused, and says why).
  void reset();
  // New lr_G, lr_D, beta1, beta2 mid-run (the batch size needs a reset); marked on the curves.
  void set_hyperparameters(float lr_g, float lr_d, float beta1, float beta2);
  void save_checkpoint(const std::string& path);  // "" -> <run_dir>/checkpoint.safetensors
  // A checkpoint of this model replaces the run's weights and pauses. The model it replaces is
  // saved first if it took steps since it was last on disk (a failed save loads nothing), unless
  // `path` is <run_dir>/checkpoint.safetensors itself: that load reverts to the saved state.
  void load_checkpoint(const std::string& path);
  // While true, each new sample grid is also written as
  // <run_dir>/timelapse/frame_NNNNN_step_S.png (N counts the frames, S is the step).
  void set_timelapse(bool on);
  // Asks for a copy of G's weights (GeneratorWeights), made by the worker before its next step
  // (at once when paused) and published in the snapshot and by generator(). Requests made
  // before the worker gets to it count once. Without a run, nothing is copied.
  void request_generator();
  // While true, each whole step also records the gradient norm of every layer of G (from Step A)
  // and D (from Step B) in the snapshot's grad_norms (a pass over the gradients: ~1% of a step).
  void set_gradient_norms(bool on);

  // ---- Reading (any thread) ----
  // Copies the latest snapshot into `out` if it is newer than out.version; returns whether it
  // copied. The lock is held only for the copy.
  bool read(TrainingSnapshot& out) const;
  int64_t steps_done() const { return steps_done_.load(); }
  // False from the moment pause() (or a step, reset or load) is called; true while the worker
  // trains on its own. The snapshot's status follows when the worker gets there.
  bool running_requested() const { return running_.load(); }
  // True from the call of reset() (of step_a(), step_b() or one_batch()) until the worker has
  // carried it out: the dashboard shows "Resetting..." (its step buttons disabled) meanwhile.
  bool reset_pending() const { return pending_resets_.load() > 0; }
  bool step_pending() const { return pending_steps_.load() > 0; }
  uint64_t version() const { return version_.load(); }
  // Increases whenever G's weights may have changed (a new run, a step, a loaded checkpoint):
  // a GeneratorWeights with this version is up to date.
  uint64_t generator_version() const { return generator_version_.load(); }
  // The latest published copy of G (nullptr before the first request is served). Holds the
  // snapshot lock only to copy the pointer.
  std::shared_ptr<const GeneratorWeights> generator() const;
  // True while the worker has nothing queued and is not running (for tests and screenshots).
  bool idle() const;
  // Called on the worker thread after each publish (a new version), outside every lock: the
  // window wakes its event loop with it (glfwPostEmptyEvent, which any thread may call) instead
  // of polling. It must be quick and must not call back into the session. Empty: none.
  void set_publish_listener(std::function<void()> listener);

 private:
  struct Command;
  struct Run;
  void push(Command c);
  void worker_main();
  // Carries out one command with the method of its kind (below); an exception from one is put in
  // the snapshot's error (for Start / Prepare: the run fails with it).
  void handle(const Command& c);
  // ---- One method per command, on the worker thread ----
  void start_run(const SessionConfig& cfg, bool go);  // kStart (go) and kPrepare
  void pause_run();
  void resume_run();
  void step_run(bool step_a_only, bool step_b_only);  // kStepA, kStepB, kOneBatch
  void reset_run();
  // New lr_G, lr_D, beta1, beta2 in the trainer (GanTrainer::set_hyperparameters: weights, Adam
  // moments and steps kept), after completing a pending Step A; marked on the curves. Throws
  // std::invalid_argument (nothing changed) for a value GanConfig::validate refuses.
  void change_hyperparameters(float lr_g, float lr_d, float beta1, float beta2);
  void save_run(const std::string& path);
  void load_run(const std::string& path);
  void send_generator();  // kSendGenerator: leaves the message and error alone
  // ---- What the commands share ----
  // True with a run that has not failed; else says so in the snapshot's error and publishes.
  bool need_run();
  // Adds the current stretch of running (if running) to the run's elapsed time.
  void stop_clock();
  // Before a command drops the run's model (Start, Prepare, Reset, Load): save_before_dropping,
  // with what it said in `saved`. False when the save failed: the run stays, paused, nothing is
  // lost, and the error says what was `not_done` and the way on (`then`).
  bool save_first(const char* not_done, const char* then, std::string* saved);
  void run_one_step(bool step_a_only, bool step_b_only);
  void publish(bool new_samples);
  void fail(const std::string& message);
  // Writes the checkpoint to `path` ("" -> <run_dir>/checkpoint.safetensors). A file there that
  // this run did not write or load (another run's) is first renamed to
  // <stem>-<its mtime, UTC>.safetensors and marked on the curves, so no trained model is lost.
  // Returns the path, plus that new name when it kept one.
  std::string save_to(const std::string& path);
  // Before a run (or, for a load, its model) is replaced, reset or closed: one that took steps
  // since it was last on disk (and did not fail) is saved with save_to(""); returns what save_to
  // said, "" when there was nothing to save. Throws what the save threw.
  std::string save_before_dropping();
  void finish_pending_step_a();
  void compute_score();
  void copy_generator();

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Command> queue_;
  bool stop_ = false;
  bool busy_ = false;  // the worker is handling a command (guarded by queue_mutex_)

  std::atomic<bool> running_{false};  // read by the worker without the lock between steps
  std::atomic<int> pending_resets_{0}, pending_steps_{0};  // queued, not yet carried out
  std::atomic<int64_t> steps_done_{0};
  std::atomic<uint64_t> version_{0};
  std::atomic<bool> timelapse_{false};
  std::atomic<bool> grad_norms_{false};
  std::atomic<uint64_t> generator_version_{0};
  std::atomic<bool> generator_requested_{false};  // a kSendGenerator command is queued

  mutable std::mutex snapshot_mutex_;
  TrainingSnapshot published_;              // guarded by snapshot_mutex_
  std::function<void()> publish_listener_;  // guarded by snapshot_mutex_

  // Worker-only state (never read by other threads).
  std::unique_ptr<Run> run_;
  TrainingSnapshot work_;  // built by the worker, copied into published_ under the lock

  std::thread worker_;  // last: started after everything above exists
};

}  // namespace convt::lab
