#include "animate_command.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include "animation_job.h"
#include "cli/args.h"
#include "convt/io/assets.h"
#include "cli/output_files.h"
#include "cli/train_commands.h"  // StopSignals, parse_number
#include "logic/formula_model.h"
#include "logic/stepper_model.h"
#include "logic/stepper_view.h"

namespace convt {

namespace {

using cli::CliError;

// Each subcommand's own flags; Subcommand adds the common ones (--out, --fps, --size, --scale,
// --theme).
const std::vector<cli::FlagSpec> kStepperFlags = {
    {"--preset", "NAME"}, {"--from", "K"}, {"--to", "K"}, {"--view", "scatter|gather|overlap"}};
const std::vector<cli::FlagSpec> kFormulaFlags = {
    {"--param", "H|kernel_size|stride|padding|dilation|output_padding"},
    {"--from", "V"},
    {"--to", "V"},
    {"--H", "N"},
    {"--kernel-size", "K"},
    {"--stride", "S"},
    {"--padding", "P"},
    {"--dilation", "D"},
    {"--output-padding", "A"}};
const std::vector<cli::FlagSpec> kLatentFlags = {{"--checkpoint", "FILE"},
                                                 {"--seed-a", "N"},
                                                 {"--seed-b", "N"},
                                                 {"--mode", "slerp|lerp"},
                                                 {"--frames", "N"}};

std::string preset_names() {
  std::string s;
  for (const lab::StepperPreset& p : lab::stepper_presets()) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}

// A whole number in [lo, hi] given by `flag`; CliError naming it otherwise.
// `what` (may be empty) says what the range is: " (the events of preset gan)".
int64_t whole(const cli::Args& a, const std::string& flag, int64_t fallback, int64_t lo, int64_t hi,
              const std::string& what = "") {
  if (!a.has(flag)) return fallback;
  const std::string text = a.get(flag);
  bool digits = !text.empty() && text.size() <= 12;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  const int64_t v = digits ? std::stoll(text) : -1;
  if (!digits || v < lo || v > hi) {
    throw CliError(flag + ": expected a whole number from " + std::to_string(lo) + " to " +
                   std::to_string(hi) + what + ", found '" + text + "'");
  }
  return v;
}

// --size WxH within the export's limits, --fps (default `fps`), --scale, --theme, --out: into
// `request` (its width and height the defaults of --size), `look`.
void common_flags(const cli::Args& a, int fps, lab::AnimationRequest& request, FrameLook& look) {
  request.path = a.require("--out", "FILE.gif|FILE.mp4 (the animation to write)");
  exporting::check_animation_path(request.path);
  cli::remove_stale_temps(request.path);  // what an export killed by SIGKILL left
  request.fps = static_cast<int>(whole(a, "--fps", fps, lab::kMinFps, lab::kMaxFps));
  if (a.has("--size")) {
    const std::string text = a.get("--size");
    const size_t x = text.find('x');
    int w = -1, h = -1;
    if (x != std::string::npos && x > 0 && x + 1 < text.size() && x <= 5 && text.size() - x <= 5 &&
        text.find_first_not_of("0123456789x") == std::string::npos &&
        text.find('x', x + 1) == std::string::npos) {
      w = std::stoi(text.substr(0, x));
      h = std::stoi(text.substr(x + 1));
    }
    if (w < lab::kMinAnimationWidth || w > lab::kMaxAnimationWidth ||
        h < lab::kMinAnimationHeight || h > lab::kMaxAnimationHeight) {
      throw CliError(
          "--size: expected WxH in pixels from " + std::to_string(lab::kMinAnimationWidth) + "x" +
          std::to_string(lab::kMinAnimationHeight) + " to " +
          std::to_string(lab::kMaxAnimationWidth) + "x" + std::to_string(lab::kMaxAnimationHeight) +
          " (e.g. 960x600), found '" + text + "'");
    }
    request.width = w;
    request.height = h;
  }
  look.scale_percent = static_cast<int>(whole(a, "--scale", 100, 100, 250));
  const std::string theme = a.has("--theme") ? a.get("--theme") : "dark";
  if (theme == "dark") {
    look.theme = widgets::Theme::kDark;
  } else if (theme == "light") {
    look.theme = widgets::Theme::kLight;
  } else if (theme == "high-contrast") {
    look.theme = widgets::Theme::kHighContrast;
  } else {
    throw CliError("--theme: expected dark, light or high-contrast, found '" + theme + "'");
  }
}

// The opening the four subcommands share: argv[first..] read as the subcommand's own flags and
// the common ones (--out, --fps, --size, --scale, --theme), Ctrl-C and SIGTERM caught from here
// on. CliError for an unknown or repeated flag, or a missing value.
struct Subcommand {
  Subcommand(int argc, char** argv, int first, const std::string& name,
             std::vector<cli::FlagSpec> own)
      : what(name), args(argc, argv, first, "animate " + name, with_common_flags(std::move(own))) {}

  // With --help: prints `animate WHAT`'s usage on stdout and returns true.
  bool help() const {
    if (args.help()) std::fputs(animate_usage(what).c_str(), stdout);
    return args.help();
  }

  // The common flags into `request` and `look`: frames of width x height pixels at `fps` unless
  // --size / --fps say otherwise. CliError naming the flag.
  void read_common_flags(int fps, int width, int height) {
    request.width = width;
    request.height = height;
    common_flags(args, fps, request, look);
  }

  static std::vector<cli::FlagSpec> with_common_flags(std::vector<cli::FlagSpec> own) {
    own.insert(own.end(), {{"--out", "FILE.gif|FILE.mp4"},
                           {"--fps", "N"},
                           {"--size", "WxH"},
                           {"--scale", "PCT"},
                           {"--theme", "dark|light|high-contrast"}});
    return own;
  }

  std::string what;  // "stepper"
  cli::Args args;
  cli::StopSignals stop;
  lab::AnimationRequest request;
  FrameLook look;
};

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 60 ? "%.1f s" : "%.0f s", s);
  return buf;
}

// Renders every frame with a progress line on stderr; stops on Ctrl-C / SIGTERM (returns 1,
// the temporary removed) or completes the file (returns 0).
int run_job(std::unique_ptr<AnimationJob> job, const cli::StopSignals& stop,
            const lab::AnimationRequest& request) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  double last_print = -1.0;
  int total_cs = 0;
  for (int d : lab::frame_delays_cs(job->frame_count(), request.fps)) total_cs += d;
  while (!job->all_rendered()) {
    if (stop.raised()) {
      const std::string path = job->path();
      std::fprintf(stderr, "\ninterrupted (%s) at frame %d of %d; nothing written to %s\n",
                   stop.name(), job->frames_done(), job->frame_count(), path.c_str());
      return 1;
    }
    job->render_next();
    const double t = elapsed();
    if (t - last_print >= 0.2 || job->all_rendered()) {
      last_print = t;
      const int done = job->frames_done(), n = job->frame_count();
      const double eta = t / done * (n - done);
      std::fprintf(stderr, "\rframe %d/%d (%d%%) | %s | ETA %s   ", done, n, 100 * done / n,
                   format_seconds(t).c_str(), format_seconds(eta).c_str());
    }
  }
  std::fputc('\n', stderr);
  const int64_t bytes = job->finish();
  std::printf("wrote %s: %d frames, %dx%d, %d fps, %.1f s long; %.2f MB, in %.1f s\n",
              job->path().c_str(), job->frame_count(), request.width, request.height, request.fps,
              total_cs / 100.0, static_cast<double>(bytes) / 1e6, elapsed());
  return 0;
}

int run_stepper(int argc, char** argv) {
  Subcommand c(argc, argv, 3, "stepper", kStepperFlags);
  if (c.help()) return 0;
  c.read_common_flags(12, 1280, 800);
  const cli::Args& a = c.args;
  lab::AnimationRequest& request = c.request;
  const std::string preset = a.has("--preset") ? a.get("--preset") : "notes";
  lab::StepperModel model;
  lab::StepperView view;
  if (!lab::stepper_load_preset(model, view, preset)) {
    throw CliError("--preset: expected one of " + preset_names() + ", found '" + preset + "'");
  }
  const int64_t n = model.event_count();
  const std::string of_preset =
      " (events done, of the " + std::to_string(n) + " of preset " + preset + ")";
  request.from = whole(a, "--from", 0, 0, n, of_preset);
  request.to = whole(a, "--to", n, request.from, n, of_preset);
  if (a.has("--view")) {
    const auto v = lab::find_animation_view(a.get("--view"));
    if (!v) {
      throw CliError("--view: expected scatter, gather or overlap, found '" + a.get("--view") +
                     "'");
    }
    request.view = *v;
  } else {  // the preset's own right-hand view
    request.view = view.second == lab::StepperSecondView::kOverlap  ? lab::AnimationView::kOverlap
                   : view.second == lab::StepperSecondView::kOutput ? lab::AnimationView::kScatter
                                                                    : lab::AnimationView::kGather;
  }
  if (request.view != lab::AnimationView::kOverlap &&
      model.config().op != lab::StepperOp::kConvTranspose2d) {
    throw CliError("--view: preset '" + preset + "' is " + lab::op_name(model.config().op) +
                   ", which shows only the overlap view; expected --view overlap, found '" +
                   lab::animation_view_name(request.view) + "'");
  }
  gfx::HeadlessGl gl;
  auto job = make_stepper_job(model, view, request, c.look);
  const int64_t events = request.to - request.from + 1;
  const std::string every =
      job->frame_count() < events
          ? " (every " + std::to_string((events - 2) / (job->frame_count() - 1) + 1) + " events)"
          : "";
  std::fprintf(stderr,
               "stepper preset %s: events %lld..%lld of %lld, %d frames%s, view %s, "
               "%dx%d, %d fps (%s)\n",
               preset.c_str(), static_cast<long long>(request.from),
               static_cast<long long>(request.to), static_cast<long long>(n), job->frame_count(),
               every.c_str(), lab::animation_view_name(request.view), request.width, request.height,
               request.fps, gl.renderer().c_str());
  return run_job(std::move(job), c.stop, request);
}

int run_timelapse(int argc, char** argv) {
  const bool has_dir =
      argc >= 4 && std::string(argv[3]).rfind("--", 0) != 0 && std::string(argv[3]) != "-h";
  Subcommand c(argc, argv, has_dir ? 4 : 3, "timelapse", {});
  if (c.help()) return 0;
  if (!has_dir) {
    throw CliError(
        "animate timelapse: expected RUN_DIR (a folder `convt-lab train --out` wrote) "
        "after 'timelapse', found " +
        (argc >= 4 ? "'" + std::string(argv[3]) + "'" : std::string("nothing")));
  }
  c.read_common_flags(4, 800, 600);
  const lab::AnimationRequest& request = c.request;
  const std::vector<lab::TimelapseFrame> frames = lab::timelapse_frames(argv[3]);  // checks first
  gfx::HeadlessGl gl;
  auto job = make_timelapse_job(argv[3], request, c.look);
  std::fprintf(stderr, "timelapse of %s: %d sample grids, %dx%d, %d fps (%s)\n", argv[3],
               job->frame_count(), request.width, request.height, request.fps,
               gl.renderer().c_str());
  return run_job(std::move(job), c.stop, request);
}

int run_formula(int argc, char** argv) {
  Subcommand c(argc, argv, 3, "formula", kFormulaFlags);
  if (c.help()) return 0;
  c.read_common_flags(2, 1280, 800);
  const cli::Args& a = c.args;
  lab::AnimationRequest& request = c.request;
  request.sweep_param = a.require("--param", "NAME (the parameter to sweep, e.g. stride)");
  const lab::FormulaParamRange* range = lab::find_formula_param(request.sweep_param);
  if (range == nullptr) {
    std::string names;
    for (const auto& r : lab::formula_param_ranges())
      names += (names.empty() ? "" : ", ") + std::string(r.name);
    throw CliError("--param: expected one of " + names + ", found '" + request.sweep_param + "'");
  }
  lab::FormulaView view;
  // The other parameters: --H, --kernel-size, ... (flag names as the CLI's op / shape use).
  for (const lab::FormulaParamRange& r : lab::formula_param_ranges()) {
    std::string flag = std::string("--") + r.name;
    for (char& c : flag) c = c == '_' ? '-' : c;
    view.params.*r.field = static_cast<int>(whole(a, flag, view.params.*r.field, r.lo, r.hi));
  }
  const std::string of_range = " (the formula panel's range of " + request.sweep_param + ")";
  request.from = whole(a, "--from", range->lo, range->lo, range->hi, of_range);
  request.to = whole(a, "--to", range->hi, range->lo, range->hi, of_range);
  gfx::HeadlessGl gl;
  auto job = make_formula_job(view, request, c.look);
  std::fprintf(stderr, "formula sweep of %s: %lld .. %lld, %d frames, %dx%d, %d fps (%s)\n",
               request.sweep_param.c_str(), static_cast<long long>(request.from),
               static_cast<long long>(request.to), job->frame_count(), request.width,
               request.height, request.fps, gl.renderer().c_str());
  return run_job(std::move(job), c.stop, request);
}

int run_latent(int argc, char** argv) {
  Subcommand c(argc, argv, 3, "latent", kLatentFlags);
  if (c.help()) return 0;
  c.read_common_flags(12, 800, 600);
  const cli::Args& a = c.args;
  lab::AnimationRequest& request = c.request;
  request.frames_each_way = static_cast<int>(
      whole(a, "--frames", 24, lab::kMinLatentFrames, lab::kMaxLatentFrames));
  LatentPath path;
  const std::string mode = a.has("--mode") ? a.get("--mode") : "slerp";
  if (mode != "slerp" && mode != "lerp") {
    throw CliError("--mode: expected slerp or lerp, found '" + mode + "'");
  }
  path.mode = mode == "lerp" ? lab::Interpolation::kLinear : lab::Interpolation::kSpherical;
  const int64_t seed_a = whole(a, "--seed-a", 7, 0, 999999999);
  const int64_t seed_b = whole(a, "--seed-b", 202, 0, 999999999);
  const std::string checkpoint = a.has("--checkpoint")
                                     ? a.get("--checkpoint")
                                     : asset_path("checkpoints/dcgan20_digits.safetensors");
  lab::LatentModel model;
  if (!model.load(checkpoint)) throw CliError("--checkpoint: " + model.error());
  path.a = lab::LatentModel::row(model.latent_batch(1, static_cast<uint64_t>(seed_a)), 0);
  path.b = lab::LatentModel::row(model.latent_batch(1, static_cast<uint64_t>(seed_b)), 0);
  path.a_what = "z of seed " + std::to_string(seed_a);
  path.b_what = "z of seed " + std::to_string(seed_b);
  gfx::HeadlessGl gl;
  auto job = make_latent_job(model, path, request, c.look);
  std::fprintf(stderr, "latent %s of %s: seed %lld -> %lld and back, %d frames, %dx%d, %d fps (%s)\n",
               mode.c_str(), checkpoint.c_str(), static_cast<long long>(seed_a),
               static_cast<long long>(seed_b), job->frame_count(), request.width, request.height,
               request.fps, gl.renderer().c_str());
  return run_job(std::move(job), c.stop, request);
}

// The usage of `animate WHAT` up to the footer all four share: its flags and an example; "" for
// a `what` that is none of stepper, timelapse, formula, latent.
std::string subcommand_usage(const std::string& what) {
  const std::string out =
      "  --out       FILE.gif, or FILE.mp4 when built with FFmpeg" +
      std::string(exporting::mp4_supported() ? " (this build: " + exporting::mp4_codec_name() + ")"
                                             : " (this build: no)") +
      ";\n              its folder must exist\n";
  auto common = [](const char* size_default) {
    return std::string("  --size      WxH pixels of each frame, 320x240 .. 3840x2160 (default ") +
           size_default +
           ")\n"
           "  --scale     the UI scale in percent, 100 .. 250 (default 100)\n"
           "  --theme     dark (default), light or high-contrast\n";
  };
  const std::string stepper =
      "Usage: convt-lab animate stepper [--preset NAME] --out FILE.gif|FILE.mp4\n"
      "      [--from K] [--to K] [--fps N] [--view scatter|gather|overlap] [--size WxH]\n"
      "      [--scale PCT] [--theme NAME]\n\n"
      "  --preset    a stepper preset (default notes):\n              " +
      preset_names() + "\n" + out +
      "  --from/--to the run from K events done to K events done, both shown (default: all,\n"
      "              0 .. the event count); one frame per event, at most 2000 frames (a longer\n"
      "              run is shown every few events)\n"
      "  --fps       frames (events) per second, 1 .. 50 (default 12)\n"
      "  --view      the right-hand view: scatter (the running output), gather (the same sum as\n"
      "              a gather) or overlap (scatter-adds per cell); default the preset's own\n" +
      common("1280x800, the window's") +
      "\nExample: convt-lab animate stepper --preset gan --out gan.gif\n";
  const std::string timelapse =
      "Usage: convt-lab animate timelapse RUN_DIR --out FILE.gif|FILE.mp4 [--fps N] [--size WxH]\n"
      "      [--scale PCT] [--theme NAME]\n\n"
      "  RUN_DIR     a folder of `convt-lab train --out RUN_DIR`: its samples_epoch_NNN.png (G on\n"
      "              the same 64 fixed z after each epoch; saved runs: samples_step_NNNNN.png),\n"
      "              each shown with its step (from RUN_DIR/log.csv) and epoch; or the training\n"
      "              dashboard's RUN/timelapse folder (frame_NNNNN_step_S.png). At most 2000\n"
      "              grids, evenly spaced, the last included\n" +
      out + "  --fps       grids per second, 1 .. 50 (default 4)\n" + common("800x600") +
      "\nExample: convt-lab animate timelapse runs/a --out runs/a/timelapse.gif\n";
  const std::string formula =
      "Usage: convt-lab animate formula --param NAME --out FILE.gif|FILE.mp4 [--from V] [--to V]\n"
      "      [--H N] [--kernel-size K] [--stride S] [--padding P] [--dilation D]\n"
      "      [--output-padding A] [--fps N] [--size WxH] [--scale PCT] [--theme NAME]\n\n"
      "  --param     the formula panel's parameter to sweep: H, kernel_size, stride, padding,\n"
      "              dilation or output_padding\n" +
      out +
      "  --from/--to its first and last value (default: the panel slider's whole range; from >\n"
      "              to sweeps down)\n"
      "  --H ... --output-padding  the other parameters (default the panel's: H 4, kernel_size\n"
      "              4, stride 2, padding 1, dilation 1, output_padding 0)\n"
      "  --fps       values per second, 1 .. 50 (default 2)\n" +
      common("1280x800") + "\nExample: convt-lab animate formula --param stride --out stride.gif\n";
  const std::string latent =
      "Usage: convt-lab animate latent --out FILE.gif|FILE.mp4 [--checkpoint FILE] [--seed-a N]\n"
      "      [--seed-b N] [--mode slerp|lerp] [--frames N] [--fps N] [--size WxH] [--scale PCT]\n"
      "      [--theme NAME]\n\n"
      "  --checkpoint a generator or training checkpoint (default the shipped\n"
      "              checkpoints/dcgan20_digits.safetensors; its averaged G when it has one)\n"
      "  --seed-a/--seed-b  A and B are the z of these seeds, as the latent explorer draws them\n"
      "              (default 7 and 202)\n"
      "  --mode      slerp (default: along the arc, |z| stays near sqrt(latent_dim)) or lerp\n"
      "              (the straight line)\n"
      "  --frames    frames from A to B, 2 .. 500 (default 24); then back to A: 2N - 1 frames\n" +
      out + "  --fps       frames per second, 1 .. 50 (default 12)\n" + common("800x600") +
      "\nExample: convt-lab animate latent --out walk.gif\n";
  if (what == "latent") return latent;
  if (what == "formula") return formula;
  if (what == "stepper") return stepper;
  if (what == "timelapse") return timelapse;
  return "";
}

}  // namespace

std::string animate_usage(const std::string& what) {
  const std::string footer =
      "Frames are drawn by the window's code (stepper and formula: the panel itself) without a\n"
      "display (EGL, Mesa's surfaceless platform). GIF: one fixed 255-colour palette (the colour "
      "map's entries exact, zero's white\n"
      "included), only what changed stored per frame; it loops, the last frame held 1.5 s.\n"
      "Progress on stderr; Ctrl-C stops. The file is written under a temporary name and renamed\n"
      "at the end: no partial file is left.\n"
      "Exit status: 0 written; 1 interrupted, or no headless OpenGL; 2 bad input (one line on\n"
      "stderr, nothing written).\n";
  const std::string flags = subcommand_usage(what);
  if (!flags.empty()) return flags + "\n" + footer;
  return "Usage:\n"
         "  convt-lab animate stepper [--preset NAME] --out FILE.gif|FILE.mp4 [--from K] [--to K]\n"
         "      [--fps N] [--view scatter|gather|overlap] [--size WxH]\n"
         "  convt-lab animate timelapse RUN_DIR --out FILE.gif|FILE.mp4 [--fps N] [--size WxH]\n"
         "  convt-lab animate formula --param NAME --out FILE.gif|FILE.mp4 [--from V] [--to V]\n"
         "  convt-lab animate latent --out FILE.gif|FILE.mp4 [--checkpoint FILE] [--mode slerp|lerp]\n"
         "  convt-lab animate stepper --help    (likewise timelapse, formula, latent): every flag\n\n" +
         footer;
}

int run_animate(int argc, char** argv) {
  const std::string what = argc >= 3 ? argv[2] : "";
  try {
    if (what == "--help" || what == "-h") {
      std::fputs(animate_usage("").c_str(), stdout);
      return 0;
    }
    if (what == "stepper") return run_stepper(argc, argv);
    if (what == "timelapse") return run_timelapse(argc, argv);
    if (what == "formula") return run_formula(argc, argv);
    if (what == "latent") return run_latent(argc, argv);
    throw CliError("animate: expected stepper, timelapse, formula or latent after 'animate', found " +
                   (what.empty() ? std::string("nothing") : "'" + what + "'") +
                   " (see convt-lab animate --help)");
  } catch (const CliError& e) {
    std::fprintf(stderr, "convt-lab: %s\n", e.what());
    return 2;
  } catch (const lab::AnimationError& e) {
    std::fprintf(stderr, "convt-lab: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nconvt-lab: animate: %s\n", e.what());
    return 1;
  }
}

}  // namespace convt
