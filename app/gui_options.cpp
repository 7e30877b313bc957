#include "gui_options.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>

#include "logic/cnn_model.h"
#include "logic/exercises.h"
#include "logic/lessons_model.h"
#include "logic/stepper_model.h"

namespace convt {
namespace {

std::optional<int> parse_int(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || value < -1000000 || value > 1000000) return std::nullopt;
  return static_cast<int>(value);
}

// --cnn-select NETWORK:LAYER[:CHANNEL] into options; false when malformed.
bool parse_cnn_select(const std::string& text, GuiOptions& options) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  const std::string network = text.substr(0, colon), rest = text.substr(colon + 1);
  const size_t second = rest.find(':');
  const std::optional<int> layer = parse_int(rest.substr(0, second));
  const std::optional<int> channel =
      second == std::string::npos ? std::optional<int>(-1) : parse_int(rest.substr(second + 1));
  if ((network != "classifier" && network != "D") || !layer || *layer < 0 || !channel ||
      *channel < -1 || (second != std::string::npos && *channel < 0)) {
    return false;
  }
  options.select_network = network == "D" ? 1 : 0;
  options.select_layer = *layer;
  options.select_channel = *channel;
  return true;
}

// A flag's bad value or a flag that does not apply: the message, without the "convt-lab: ".
struct FlagError {
  std::string message;
};

// What the checks after the flags need to know besides GuiOptions.
struct FlagsSeen {
  bool frames = false, train_threads = false;
};

// The flag's value: the text after '=' or the next argument (nullopt: none).
using FlagValue = std::function<std::optional<std::string>()>;

// A value as an error message quotes it.
std::string shown(const std::optional<std::string>& v) { return v ? *v : std::string("nothing"); }

// The window's flags: --screenshot, --panel, --frames, --size, --scale, --check-layout, --theme,
// --open-popup.
bool parse_window_flag(const std::string& flag, const FlagValue& value, GuiOptions& options,
                       FlagsSeen& seen) {
  if (flag == "--screenshot") {
    auto v = value();
    if (!v || v->empty()) throw FlagError{"--screenshot expects a FILE (the PNG to write)"};
    options.screenshot_path = *v;
  } else if (flag == "--panel") {
    auto v = value();
    if (!v) throw FlagError{"--panel expects a NAME, one of: " + lab::panel_names()};
    auto id = lab::find_panel(*v);
    if (!id) {
      throw FlagError{"--panel: unknown panel '" + *v + "'; valid panels: " + lab::panel_names()};
    }
    options.panel = *id;
    options.panel_given = true;
  } else if (flag == "--frames") {
    auto v = value();
    auto n = v ? parse_int(*v) : std::nullopt;
    if (!n || *n < 1 || *n > 1000) {
      throw FlagError{"--frames expects a whole number from 1 to 1000, found '" + shown(v) + "'"};
    }
    options.frames = *n;
    seen.frames = true;
  } else if (flag == "--size") {
    auto v = value();
    const std::string text = v ? *v : std::string("nothing");
    const size_t x = text.find('x');
    auto w = x == std::string::npos ? std::nullopt : parse_int(text.substr(0, x));
    auto h = x == std::string::npos ? std::nullopt : parse_int(text.substr(x + 1));
    if (!w || !h || *w < 640 || *w > 7680 || *h < 480 || *h > 4320) {
      throw FlagError{
          "--size expects WxH in pixels, from 640x480 to 7680x4320 (e.g. 1024x700), "
          "found '" +
          text + "'"};
    }
    options.width = *w;
    options.height = *h;
  } else if (flag == "--scale") {
    auto v = value();
    auto n = v ? parse_int(*v) : std::nullopt;
    if (!n || *n < 100 || *n > 250) {
      throw FlagError{
          "--scale expects the UI scale in percent, a whole number from 100 to 250, "
          "found '" +
          shown(v) + "'"};
    }
    options.scale_percent = *n;
  } else if (flag == "--check-layout") {
    options.check_layout = true;
  } else if (flag == "--theme") {
    auto v = value();
    if (v && *v == "dark") {
      options.theme = 0;
    } else if (v && *v == "high-contrast") {
      options.theme = 1;
    } else if (v && *v == "light") {
      options.theme = 2;
    } else {
      throw FlagError{"--theme expects dark, light or high-contrast, found '" + shown(v) + "'"};
    }
  } else if (flag == "--open-popup") {
    auto v = value();
    if (!v || (*v != "saved-runs" && *v != "export-animation")) {
      throw FlagError{
          "--open-popup expects saved-runs (the training panel's \"Saved runs...\") or "
          "export-animation (the stepper's \"Export animation...\"), found '" +
          shown(v) + "'"};
    }
    (*v == "saved-runs" ? options.open_saved_runs : options.open_export_animation) = true;
  } else {
    return false;
  }
  return true;
}

// The stepper's and the CNN panel's flags: --preset, --step, --kernel, --picture, --gray,
// --cnn-view, --cnn-d, --cnn-train-live, --cnn-select; the latent explorer's
// --latent-checkpoint.
bool parse_panel_flag(const std::string& flag, const FlagValue& value, GuiOptions& options) {
  if (flag == "--preset") {
    auto v = value();
    if (!v || lab::find_preset(*v) == nullptr) {
      std::string names;
      for (const auto& p : lab::stepper_presets()) names += (names.empty() ? "" : ", ") + p.name;
      throw FlagError{"--preset expects a stepper preset, one of: " + names + "; found '" +
                      shown(v) + "'"};
    }
    options.preset = *v;
  } else if (flag == "--step") {
    auto v = value();
    auto n = v ? parse_int(*v) : std::nullopt;
    if (!n || *n < 0) {
      throw FlagError{"--step expects a whole number of events from 0 to 1000000, found '" +
                      shown(v) + "'"};
    }
    options.step = *n;
  } else if (flag == "--kernel") {
    auto v = value();
    if (!v || lab::find_kernel_preset(*v) == nullptr) {
      throw FlagError{"--kernel expects a kernel preset of the CNN panel, one of: " +
                      lab::kernel_preset_names() + "; found '" + shown(v) + "'"};
    }
    options.kernel = *v;
    if (!options.panel_given) options.panel = lab::PanelId::kCnn;
  } else if (flag == "--picture") {
    auto v = value();
    const std::string text = v ? *v : std::string();
    std::optional<int> n;
    if (text.rfind("digit:", 0) == 0) n = parse_int(text.substr(6));
    if (text.rfind("emoji:", 0) == 0) n = parse_int(text.substr(6));
    if (text.rfind("fashion:", 0) == 0) n = parse_int(text.substr(8));
    const bool numbered = text.rfind("digit:", 0) == 0 || text.rfind("emoji:", 0) == 0 ||
                          text.rfind("fashion:", 0) == 0;
    const int most = text.rfind("emoji:", 0) == 0 ? 100000 : 9999;
    if (text.empty() || (numbered && (!n || *n < 0 || *n > most))) {
      throw FlagError{
          "--picture expects digit:N or fashion:N (N from 0 to 9999), emoji:N (N from 0) or "
          "the path of a PNG/JPG file, found '" +
          shown(v) + "'"};
    }
    options.picture = text;
    if (!options.panel_given) options.panel = lab::PanelId::kCnn;
  } else if (flag == "--gray") {
    options.gray = true;
  } else if (flag == "--cnn-view") {
    auto v = value();
    if (!v || (*v != "kernels" && *v != "classifier")) {
      throw FlagError{"--cnn-view expects kernels or classifier, found '" + shown(v) + "'"};
    }
    options.cnn_classifier = *v == "classifier";
    if (!options.panel_given) options.panel = lab::PanelId::kCnn;
  } else if (flag == "--cnn-d") {
    auto v = value();
    if (!v || v->empty()) throw FlagError{"--cnn-d expects the path of a GAN checkpoint"};
    options.cnn_d = *v;
  } else if (flag == "--latent-checkpoint") {
    auto v = value();
    if (!v || v->empty()) {
      throw FlagError{
          "--latent-checkpoint expects the path of a checkpoint or generator file (.safetensors), "
          "found nothing"};
    }
    options.latent_checkpoint = *v;
    if (!options.panel_given) options.panel = lab::PanelId::kLatent;
  } else if (flag == "--cnn-train-live") {
    auto v = value();
    char* end = nullptr;
    const double t = v ? std::strtod(v->c_str(), &end) : -1.0;
    if (!v || v->empty() || *end != '\0' || !(t >= 0.0 && t <= 600.0)) {
      throw FlagError{"--cnn-train-live expects seconds from 0 to 600, found '" + shown(v) + "'"};
    }
    options.cnn_train_live = t;
  } else if (flag == "--cnn-select") {
    auto v = value();
    if (!v || !parse_cnn_select(*v, options)) {
      throw FlagError{
          "--cnn-select expects NETWORK:LAYER[:CHANNEL], NETWORK classifier or D, LAYER and "
          "CHANNEL numbers from 0 (e.g. classifier:3:7), found '" +
          shown(v) + "'"};
    }
  } else {
    return false;
  }
  return true;
}

// The lessons' flags: --lesson, --exercise, --exercise-seed, --answer, --show-me.
bool parse_lesson_flag(const std::string& flag, const FlagValue& value, GuiOptions& options) {
  if (flag == "--lesson") {
    auto v = value();
    auto n = v ? parse_int(*v) : std::nullopt;
    const int count = static_cast<int>(lab::lessons().size());
    if (!n || *n < 1 || *n > count) {
      throw FlagError{"--lesson expects a lesson number from 1 to " + std::to_string(count) +
                      ", found '" + shown(v) + "'"};
    }
    options.lesson = *n - 1;
  } else if (flag == "--exercise") {
    auto v = value();
    auto n = v ? parse_int(*v) : std::nullopt;
    if (!n || *n < 1 || *n > 9) {
      throw FlagError{"--exercise expects an exercise number from 1 (the lesson's first), found '" +
                      shown(v) + "'"};
    }
    options.exercise = *n - 1;
  } else if (flag == "--exercise-seed") {
    auto v = value();
    auto n = v ? parse_int(*v) : std::nullopt;
    if (!n || *n < 0) {
      throw FlagError{"--exercise-seed expects a whole number >= 0, found '" + shown(v) + "'"};
    }
    options.exercise_seed = *n;
  } else if (flag == "--answer") {
    auto v = value();
    if (!v) throw FlagError{"--answer expects the answer's text, found nothing"};
    options.answer = *v;
  } else if (flag == "--show-me") {
    auto v = value();
    const std::string text = v ? *v : std::string("nothing");
    const size_t dot = text.find('.');
    auto n = parse_int(text.substr(0, dot));
    auto m = dot == std::string::npos ? std::optional<int>(1) : parse_int(text.substr(dot + 1));
    const int count = static_cast<int>(lab::lessons().size());
    if (!v || !n || !m || *n < 1 || *n > count || *m < 1 ||
        *m > static_cast<int>(lab::lessons()[static_cast<size_t>(*n - 1)].show_me.size())) {
      throw FlagError{"--show-me expects N or N.M: lesson N (1.." + std::to_string(count) +
                      ") and its Show me button M (1 = the first), found '" + text + "'"};
    }
    options.show_me_lesson = *n - 1;
    options.show_me_index = *m - 1;

  } else {
    return false;
  }
  return true;
}

// The training dashboard's flags: --train-seconds, --train-threads.
bool parse_training_flag(const std::string& flag, const FlagValue& value, GuiOptions& options,
                         FlagsSeen& seen) {
  if (flag == "--train-seconds") {
    auto v = value();
    char* end = nullptr;
    const double t = v ? std::strtod(v->c_str(), &end) : 0.0;
    if (!v || v->empty() || *end != '\0' || !(t > 0.0 && t <= 3600.0)) {
      throw FlagError{
          "--train-seconds expects seconds of training, more than 0 and at most "
          "3600, found '" +
          shown(v) + "'"};
    }
    options.train_seconds = t;
  } else if (flag == "--train-threads") {
    auto v = value();
    auto n = v ? parse_int(*v) : std::nullopt;
    if (!n || *n < 1 || *n > 64) {
      throw FlagError{"--train-threads expects a whole number from 1 to 64, found '" + shown(v) +
                      "'"};
    }
    options.train_threads = static_cast<int>(*n);
    seen.train_threads = true;
  } else {
    return false;
  }
  return true;
}

// The flags that only apply together with others, and the screenshot's folder. Throws FlagError.
void check_combinations(const GuiOptions& options, const FlagsSeen& seen) {
  // A lesson's Show me that opens the training panel may train too.
  const bool show_me_trains =
      options.show_me_lesson >= 0 && lab::lessons()[static_cast<size_t>(options.show_me_lesson)]
                                             .show_me[static_cast<size_t>(options.show_me_index)]
                                             .panel == "training";
  if (options.train_seconds > 0.0 &&
      (!options.screenshot() || (options.panel != lab::PanelId::kTraining &&
                                 options.panel != lab::PanelId::kLatent && !show_me_trains))) {
    throw FlagError{
        "--train-seconds only applies with --screenshot FILE --panel training (or latent, or "
        "--show-me of a lesson that opens the training panel)"};
  }
  if (!options.latent_checkpoint.empty()) {
    if (options.train_seconds > 0.0 && options.panel == lab::PanelId::kLatent) {
      throw FlagError{
          "--latent-checkpoint and --train-seconds with --panel latent: the explorer shows a "
          "file or follows the run, not both"};
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options.latent_checkpoint, ec)) {
      throw FlagError{"--latent-checkpoint: no file '" + options.latent_checkpoint +
                      "'; expected a checkpoint or generator file (.safetensors), such as "
                      "assets/checkpoints/rgb32_emoji_G.safetensors"};
    }
  }
  if (seen.train_threads && options.train_seconds <= 0.0) {
    throw FlagError{"--train-threads only applies with --train-seconds T"};
  }
  if (options.open_saved_runs && options.panel != lab::PanelId::kTraining) {
    throw FlagError{"--open-popup saved-runs only applies with --panel training"};
  }
  if (options.exercise >= 0) {
    const int kinds =
        options.lesson >= 0 ? static_cast<int>(lab::exercise_kinds(options.lesson).size()) : 0;
    if (options.lesson < 0 || options.exercise >= kinds) {
      throw FlagError{"--exercise " + std::to_string(options.exercise + 1) +
                      ": expected --lesson N "
                      "of a lesson with that many exercises" +
                      (options.lesson >= 0 ? " (lesson " + std::to_string(options.lesson + 1) +
                                                 " has " + std::to_string(kinds) + ")"
                                           : std::string(" (no --lesson given)"))};
    }
  }
  if (!options.answer.empty() && options.exercise < 0) {
    throw FlagError{"--answer only applies with --lesson N --exercise K"};
  }
  if (options.open_export_animation && options.panel != lab::PanelId::kStepper) {
    throw FlagError{"--open-popup export-animation only applies with --panel stepper"};
  }
  if (options.check_layout && !options.screenshot()) {
    throw FlagError{"--check-layout only applies with --screenshot FILE"};
  }
  if (seen.frames && !options.screenshot()) {
    throw FlagError{"--frames only applies with --screenshot FILE"};
  }
  if (options.screenshot()) {
    // Checked before any rendering, which takes seconds.
    const std::filesystem::path png(options.screenshot_path);
    const std::filesystem::path folder = png.parent_path().empty() ? "." : png.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
      throw FlagError{"--screenshot: cannot write '" + options.screenshot_path + "': folder '" +
                      folder.string() +
                      "' does not exist; expected a PNG path in an existing folder"};
    }
    if (std::filesystem::is_directory(png, ec)) {
      throw FlagError{"--screenshot: '" + options.screenshot_path +
                      "' is a folder; expected a PNG file name"};
    }
  }
}

}  // namespace

std::string gui_usage() {
  return "usage: convt-lab [--panel NAME] [--preset NAME] [--step K]\n"
         "                 [--screenshot FILE [--frames N]]\n"
         "  --panel NAME       open on this panel: " +
         lab::panel_names() +
         " (default lessons)\n"
         "  --screenshot FILE  render N frames without a person, write the window to FILE as PNG,"
         " exit 0\n"
         "                     (headless: xvfb-run -a -s '-screen 0 1280x800x24' convt-lab "
         "--screenshot out.png)\n"
         "  --frames N         frames rendered before the screenshot, 1..1000 (default 3)\n"
         "  --preset NAME      stepper preset: notes, k4s2p1, gan, k3s2, k4s2, largest, conv2d,\n"
         "                     resize_conv, maxpool\n"
         "  --step K           stepper: show the state after K events\n"
         "  --kernel NAME      cnn: the kernel preset, one of " +
         lab::kernel_preset_names() +
         "\n"
         "                     (opens the CNN panel unless --panel says otherwise)\n"
         "  --picture SPEC     cnn: digit:N (built-in digit 0..9999), emoji:N, fashion:N\n"
         "                     (Fashion-MNIST test item 0..9999), or a PNG/JPG file\n"
         "  --gray             cnn: show an emoji or a picture in grayscale (default RGB)\n"
         "  --cnn-view NAME    cnn: kernels (default) or classifier (inside the digit classifier)\n"
         "  --cnn-d FILE       cnn classifier: the GAN checkpoint whose D is shown\n"
         "  --cnn-select N:L[:C] cnn classifier: select channel C (default the most active) of\n"
         "                     map row L (from 0) of network N, classifier or D\n"
         "  --cnn-train-live T cnn classifier: train it live T seconds before the first frame\n"
         "  --latent-checkpoint FILE  latent: open the explorer on this checkpoint or\n"
         "                     generator file (e.g. assets/checkpoints/rgb32_emoji_G.safetensors)\n"
         "                     (opens the Latent explorer unless --panel says otherwise)\n"
         "  --train-seconds T  training: train T seconds (fast backend) before the screenshot\n"
         "  --lesson N         lessons: open lesson N (1.." +
         std::to_string(lab::lessons().size()) +
         ")\n"
         "  --exercise K       lessons: with --lesson N, open the lesson's K-th exercise (1..)\n"
         "  --exercise-seed N  the exercises' seed: everyone with the same N gets the same ones\n"
         "                     (a class, say); default random (screenshots: 1)\n"
         "  --answer TEXT      with --exercise: answer it and show the reveal. Cells 'r,c r,c',\n"
         "                     counts row by row '1 2 1 ...', a number or 'invalid', an option "
         "1..\n"
         "  --show-me N[.M]    apply lesson N's Show me M (default 1): open the panel it sets up\n"
         "                     (--panel training, or latent: the explorer follows that run)\n"
         "  --train-threads N  threads of that training, 1..64 (default 2)\n"
         "  --open-popup NAME  open the popup a button opens: saved-runs (training) or\n"
         "                     export-animation (stepper)\n"
         "  --size WxH         the window's size in pixels (default: the last one, or 1280x800)\n"
         "  --scale PCT        UI scale in percent, 100..250 (default: the last one, or 100)\n"
         "  --theme NAME       dark, light or high-contrast (default: the last one, or dark)\n"
         "  --check-layout     with --screenshot: list every window that cuts off what it holds\n"
         "                     and cannot scroll to it; exit 3 if there is one\n"
         "  convt-lab op ... / convt-lab shape ...   command-line subcommands (convt-lab --help)\n";
}

GuiParseResult parse_gui_options(int argc, const char* const* argv, GuiOptions& options) {
  using Status = GuiParseResult::Status;
  FlagsSeen seen;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string flag = argv[i];
      std::optional<std::string> inline_value;  // --flag=value
      if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
        inline_value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
      }
      if (flag == "--help" || flag == "-h") return {Status::kHelp, gui_usage()};
      const FlagValue value = [&]() -> std::optional<std::string> {
        if (inline_value) return inline_value;
        if (i + 1 >= argc) return std::nullopt;
        return std::string(argv[++i]);
      };
      if (!parse_window_flag(flag, value, options, seen) &&
          !parse_panel_flag(flag, value, options) && !parse_lesson_flag(flag, value, options) &&
          !parse_training_flag(flag, value, options, seen)) {
        throw FlagError{
            "unknown option '" + std::string(argv[i]) +
            "'; GUI options: --panel NAME, --screenshot FILE, --frames N, --size WxH, --scale PCT "
            "(convt-lab --help lists all); subcommands: op, shape (see convt-lab --help)"};
      }
    }
    check_combinations(options, seen);
  } catch (const FlagError& e) {
    return {Status::kError, "convt-lab: " + e.message};
  }
  return {Status::kRun, ""};
}

}  // namespace convt
