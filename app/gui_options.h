// The GUI's command line (the CLI subcommands `op` and `shape` are parsed in app/cli/):
//
//   convt-lab [--panel NAME] [--screenshot FILE [--frames N]]
//
//   --panel NAME       open on this panel (lessons, playground, stepper, ...); default lessons
//   --screenshot FILE  render N frames headless, write the window as a PNG to FILE, exit 0
//   --frames N         frames to render before the screenshot, 1..1000; default 3
//
//   --preset NAME      stepper: load this preset (notes, k4s2p1, gan, k3s2, k4s2, largest, conv2d,
//                      resize_conv, maxpool)
//   --step K           stepper: show the state after K events (clamped to the event count)
//   --kernel NAME      cnn: this kernel preset (identity, box_blur, sobel_x, ...); without
//                      --panel it opens the CNN panel
//   --picture SPEC     cnn: the picture, digit:N (built-in digit N), emoji:N (emoji N, when
//                      installed) or the path of a PNG/JPG; opens the CNN panel like --kernel
//   --gray             cnn: an emoji or a picture in grayscale (default: RGB, per channel)
//   --cnn-view NAME    cnn: kernels (default) or classifier ("Inside the classifier"; with
//                      --picture digit:N it shows built-in 20x20 digit N); opens the CNN panel
//   --cnn-d FILE       cnn classifier: the GAN checkpoint whose D is shown (default the
//                      dashboard's runs/dashboard/checkpoint.safetensors)
//   --cnn-select N:L[:C] cnn classifier: select channel C (default the most active) of map row
//                      L (0-based) of network N, classifier or D, as a click on its tile does
//   --cnn-train-live T cnn classifier: "Train it live", and wait until it has trained T seconds
//                      (or finished) before the first frame; for screenshots
//   --latent-checkpoint FILE  latent: open the explorer on this checkpoint or generator file
//                      (e.g. assets/checkpoints/rgb32_emoji_G.safetensors) instead of the
//                      shipped dcgan20; without --panel it opens the Latent explorer
//   --train-seconds T  training: train T seconds (fast backend) before the screenshot; with
//                      --panel latent the explorer follows that run ("Follow training")
//   --train-threads N  the threads of that training, 1..64; default 2
//   --open-popup NAME  open this popup as its button does: saved-runs (training),
//                      export-animation (stepper)
//   --size WxH         the window's size in pixels, 640x480 .. 7680x4320; default 1280x800
//   --scale PCT        the UI scale in percent, 100 .. 250 (fonts, widgets, grids); default 100
//   --theme NAME       dark (default), light or high-contrast
#pragma once

#include <cstdint>
#include <string>

#include "logic/panel_table.h"

namespace convt {

struct GuiOptions {
  lab::PanelId panel = lab::PanelId::kLessons;
  bool panel_given = false;     // --panel was on the command line (else the remembered tab)
  std::string screenshot_path;  // empty: interactive
  int frames = 3;
  std::string preset;   // stepper: --preset NAME (lab::stepper_presets()); empty: the first one
  int64_t step = -1;    // stepper: --step K, events done; -1: none
  std::string kernel;   // cnn: --kernel NAME (lab::cnn_kernel_presets()); empty: the default
  std::string picture;  // cnn: --picture SPEC as given; empty: the default digit
  bool gray = false;    // cnn: --gray
  bool cnn_classifier = false;    // cnn: --cnn-view classifier
  std::string cnn_d;              // cnn: --cnn-d FILE; empty: the default
  std::string latent_checkpoint;  // latent: --latent-checkpoint FILE; empty: the shipped dcgan20
  int select_network = -1, select_layer = -1, select_channel = -1;  // cnn: --cnn-select
  double cnn_train_live = -1.0;  // cnn: --cnn-train-live T; -1: none
  double train_seconds = -1.0;   // training: --train-seconds T; -1: none
  int lesson = -1;               // lessons: --lesson N, 0-based; -1: none
  int show_me_lesson = -1;       // --show-me N[.M]: lesson N-1's Show me M-1; -1: none
  int exercise = -1;             // lessons: --exercise K, the lesson's K-th kind, 0-based
  int64_t exercise_seed = -1;  // --exercise-seed N; -1: a random one (interactive), 1 (screenshot)
  std::string answer;          // --answer TEXT: answer the exercise and show the reveal
  int show_me_index = 0;
  int train_threads = 2;         // training: --train-threads N
  bool open_saved_runs = false;  // training: --open-popup saved-runs
  int width = 0, height = 0;     // --size WxH, the window's size in pixels; 0: the remembered
                                 // one (interactive) or 1280x800
  int scale_percent = 0;         // --scale PCT, the UI scale 100..250; 0: the remembered one
  bool check_layout = false;     // --check-layout: report windows that cut off what they hold
  int theme = -1;  // --theme dark|high-contrast|light: 0, 1, 2; -1: the remembered one
  bool open_export_animation = false;  // stepper: --open-popup export-animation
  bool screenshot() const { return !screenshot_path.empty(); }
};

struct GuiParseResult {
  enum class Status { kRun, kHelp, kError };
  Status status = Status::kRun;
  std::string message;  // kError: one line naming the flag and what was expected
};

// Parses argv[1..argc). Does not print; main() prints `message` and exits 2 on kError.
GuiParseResult parse_gui_options(int argc, const char* const* argv, GuiOptions& options);

// The usage text for the GUI flags.
std::string gui_usage();

}  // namespace convt
