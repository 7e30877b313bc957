// The training dashboard: controls on the left; progress, live curves, the fixed-z
// sample grid beside real images and the diagnoses on the right. Every number comes from the
// snapshot the training worker published (logic/training_session.h); nothing here touches the
// trainer.
#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>
#include <utility>

#include "convt/io/assets.h"
#include "convt/io/png.h"
#include "logic/cell_text.h"
#include "logic/navigator.h"
#include "logic/training_diagnoses.h"
#include "panels/training_panel.h"
#include "widgets/curve_plot.h"
#include "widgets/export_progress.h"
#include "widgets/folder_list.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

namespace {

namespace fs = std::filesystem;

constexpr ImU32 kColourG = IM_COL32(255, 140, 80, 255);
constexpr ImU32 kColourD = IM_COL32(100, 170, 255, 255);
constexpr ImU32 kColourReal = IM_COL32(120, 220, 120, 255);
constexpr ImU32 kColourFake = IM_COL32(230, 110, 200, 255);

using widgets::help_marker;

// ---- Controls (left column) ----------------------------------------------------------------

// The "Browse..." popup: walk folders (double-click or Open), then use one as the dataset.
void draw_folder_browser(lab::TrainingDashboard& s) {
  if (!ImGui::BeginPopup("choose_folder")) return;
  const lab::FolderListing& f = s.browse;
  std::string next;  // the folder to list next, if one was picked
  widgets::begin_folder_list(f, "folders", 14.0f, next);
  ImGui::EndChild();
  ImGui::Text("%lld PNG/JPG image(s) here", static_cast<long long>(f.images));
  ImGui::BeginDisabled(f.images == 0 || !f.error.empty());
  if (ImGui::Button("Use this folder")) {
    std::snprintf(s.folder, sizeof s.folder, "%s", f.path.c_str());
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  if (!next.empty()) s.browse = lab::list_folder(next);
}

// One radio button of the data choice (ImGui's int RadioButton, on the enum); a click is the
// student's own choice, which a change of model no longer undoes.
void data_radio(const char* label, lab::TrainingDashboard& s, lab::DataChoice value) {
  if (ImGui::RadioButton(label, s.data_choice == value)) {
    s.data_choice = value;
    s.data_switched = false;
  }
}

// MODEL AND DATA: the model list, the dataset, a folder's path and its "Browse..." popup.
void draw_model_and_data(lab::TrainingDashboard& s) {
  ImGui::TextDisabled("MODEL AND DATA");
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::BeginCombo("##model", s.models[s.model_index].c_str())) {
    for (int i = 0; i < static_cast<int>(s.models.size()); ++i) {
      if (ImGui::Selectable(s.models[i].c_str(), i == s.model_index)) s.model_index = i;
    }
    ImGui::EndCombo();
  }
  lab::follow_selected_model(s);  // its presets and data, before they are drawn
  data_radio("digits", s, lab::DataChoice::kDigits);
  ImGui::SameLine();
  ImGui::BeginDisabled(!s.fashion_installed);
  data_radio("Fashion-MNIST", s, lab::DataChoice::kFashionMnist);
  ImGui::EndDisabled();
  if (!s.fashion_installed && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("not installed: scripts/setup.sh --with-fashion-mnist");
  }
  data_radio("folder", s, lab::DataChoice::kFolder);
  ImGui::SameLine();
  ImGui::BeginDisabled(!s.emoji_installed);
  data_radio("emoji (RGB)", s, lab::DataChoice::kEmoji);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip(s.emoji_installed
                          ? "3,786 Twemoji images (CC BY 4.0), for the RGB models rgb32 and dcgan64"
                          : "not installed: scripts/setup.sh --with-emoji");
  }
  if (s.data_choice == lab::DataChoice::kFolder) {
    const float browse_width =
        ImGui::CalcTextSize("Browse...").x + 2 * ImGui::GetStyle().FramePadding.x;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - browse_width -
                            ImGui::GetStyle().ItemSpacing.x);
    ImGui::InputTextWithHint("##folder", "a folder of PNG/JPG images", s.folder, sizeof s.folder);
    ImGui::SameLine();
    if (ImGui::Button("Browse...")) {
      s.browse = lab::list_folder(s.folder);
      if (!s.browse.error.empty()) s.browse = lab::list_folder("");  // start from here instead
      ImGui::OpenPopup("choose_folder");
    }
    draw_folder_browser(s);
  }
}

// The backend (naive | fast, in nn::Backend's order) and the fast backend's threads.
void draw_backend_and_threads(lab::TrainingDashboard& s, float field) {
  ImGui::SetNextItemWidth(field);
  int backend = s.backend == nn::Backend::naive ? 0 : 1;
  if (ImGui::Combo("backend", &backend, "naive\0fast\0")) {
    s.backend = backend == 0 ? nn::Backend::naive : nn::Backend::fast;
  }
  help_marker("naive: the teaching loops the stepper draws; fast: im2col + OpenBLAS GEMM.");
  ImGui::SetNextItemWidth(field);
  ImGui::SliderInt("threads", &s.form.threads, 1,
                   std::max(2, static_cast<int>(std::thread::hardware_concurrency())), "%d",
                   ImGuiSliderFlags_AlwaysClamp);
  help_marker(
      "Threads of the fast backend: a convolution gives each thread its share of the batch, the "
      "other layers their share of the rows. The default is every core of this machine: the "
      "window draws only when something changes (a step, your input), so it takes little from "
      "training. 2 threads train about 1.4x faster than 1 at batch 32 (dcgan20's fast start), 1.6x "
      "at batch 64, 1.8x at batch 256.");
}

// HYPERPARAMETERS: presets, batch, lr_G, lr_D, betas, the averaged G, "Apply now" (a run's
// lr and betas changed in place), seed, backend, threads.
void draw_hyperparameters(lab::TrainingDashboard& s, bool has_run) {
  ImGui::TextDisabled("HYPERPARAMETERS");
  for (const lab::TrainingPreset& p : s.presets) {
    if (ImGui::Button(p.name.c_str())) lab::apply_preset(p, s.form.gan);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s\n%s", lab::preset_values(p).c_str(), p.why.c_str());
    }
    ImGui::SameLine();
  }
  ImGui::TextDisabled("presets");  // of the model above; their values in the tooltips
  if (!s.presets_error.empty()) ImGui::TextWrapped("%s", s.presets_error.c_str());
  const float field = ImGui::GetFontSize() * 7.0f;
  int batch = static_cast<int>(s.form.gan.batch_size);
  ImGui::SetNextItemWidth(field);
  if (ImGui::InputInt("batch", &batch, 16, 64)) {
    s.form.gan.batch_size = lab::checked_batch_size(batch);
  }
  if (has_run && s.form.gan.batch_size != s.snap.config.gan.batch_size) {
    ImGui::SameLine();
    ImGui::TextDisabled("(Reset)");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("a new batch size needs a new run");
  }
  ImGui::SetNextItemWidth(field);
  ImGui::InputFloat("lr_G", &s.form.gan.lr_g, 0.0f, 0.0f, "%.1e");
  ImGui::SetNextItemWidth(field);
  ImGui::InputFloat("lr_D", &s.form.gan.lr_d, 0.0f, 0.0f, "%.1e");
  ImGui::SetNextItemWidth(field);
  ImGui::InputFloat("beta1", &s.form.gan.beta1, 0.0f, 0.0f, "%.3f");
  ImGui::SetNextItemWidth(field);
  ImGui::InputFloat("beta2", &s.form.gan.beta2, 0.0f, 0.0f, "%.4f");
  lab::check_hyperparameters(s.form.gan);
  bool average = s.form.gan.ema_decay > 0.0f;
  if (ImGui::Checkbox("averaged G", &average)) {
    s.form.gan.ema_decay = average ? lab::kDefaultEmaDecay : 0.0f;
  }
  if (has_run && average != (s.snap.config.gan.ema_decay > 0.0f)) {
    ImGui::SameLine();
    ImGui::TextDisabled("(Reset)");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the averaged G is kept from a run's start");
  }
  help_marker(
      "Also keeps G_ema = 0.999 G_ema + 0.001 G after every Step A (warmed up from a copy of G): "
      "a moving average of G's weights over roughly the last thousand steps. It does not change "
      "training. Its samples are shown beside G's, with their score: the average smooths out "
      "G's step-to-step swings and is often the cleaner generator.");
  if (has_run) {
    const GanConfig& now = s.snap.config.gan;
    const bool changed = now.lr_g != s.form.gan.lr_g || now.lr_d != s.form.gan.lr_d ||
                         now.beta1 != s.form.gan.beta1 || now.beta2 != s.form.gan.beta2;
    ImGui::BeginDisabled(!changed);
    if (ImGui::Button("Apply now")) {
      s.session->set_hyperparameters(s.form.gan.lr_g, s.form.gan.lr_d, s.form.gan.beta1,
                                     s.form.gan.beta2);
    }
    ImGui::EndDisabled();
    help_marker(
        "Changes lr_G, lr_D, beta1, beta2 of the running model, keeping its weights and "
        "Adam state; the change is marked on the curves.");
  }
  int seed = static_cast<int>(s.form.gan.seed);
  ImGui::SetNextItemWidth(field);
  if (ImGui::InputInt("seed", &seed)) s.form.gan.seed = lab::checked_seed(seed);
  draw_backend_and_threads(s, field);
}

// TRAINING: Start / Pause / Resume, Reset, One batch, Step A, Step B, and what the last action
// did.
void draw_training_buttons(lab::TrainingDashboard& s, bool has_run) {
  lab::TrainingSession& session = *s.session;
  const lab::SessionStatus status = s.snap.status;
  ImGui::TextDisabled("TRAINING");
  const float button_width =
      (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
  const ImVec2 button(button_width, 0.0f);
  // Start / Pause / Resume; "Pausing..." from the click until the worker has stopped.
  const lab::RunButton run = lab::run_button(status, session.running_requested());
  ImGui::BeginDisabled(run.action == lab::RunButton::Action::kNone);
  if (ImGui::Button(run.label, button)) {
    switch (run.action) {
      case lab::RunButton::Action::kStart:
        session.start(lab::config_from_form(s));
        break;
      case lab::RunButton::Action::kPause:
        session.pause();
        break;
      case lab::RunButton::Action::kResume:
        session.resume();
        break;
      case lab::RunButton::Action::kNone:
        break;
    }
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  // "Resetting..." from the click until the worker has saved and dropped the run.
  const bool resetting = session.reset_pending();
  ImGui::BeginDisabled(resetting);
  if (ImGui::Button(resetting ? "Resetting..." : "Reset", button)) session.reset();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip(
        "Drops this run for a new one. A run that took steps is saved to its checkpoint first; "
        "Load checkpoint brings it back.");
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(status == lab::SessionStatus::kLoading || session.step_pending() ||
                       resetting);
  if (ImGui::Button("One batch", button)) {
    if (!has_run) session.prepare(lab::config_from_form(s));
    session.one_batch();
  }
  ImGui::EndDisabled();
  // A step button stays disabled from its click until the worker has taken that step, so a
  // double click is one step, and the student sees it was heard.
  ImGui::BeginDisabled(!has_run || session.step_pending() || resetting);
  if (ImGui::Button("Step A (G)", button)) session.step_a();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("one Step A: update G through a frozen D");
  ImGui::SameLine();
  if (ImGui::Button("Step B (D)", button)) session.step_b();
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("one Step B: update D on the same X_fake and a real batch");
  }
  ImGui::EndDisabled();
  if (s.snap.step_a_pending) {
    ImGui::SameLine();
    ImGui::TextColored(widgets::palette().accent, "B next");
  }
  // What the last action did ("Step A: G updated, L_G = ..."), right under the buttons that
  // caused it: lesson 7 points here, and it must not need scrolling at 1280x800.
  widgets::push_wrap_at_visible_edge();
  if (!s.snap.error.empty())
    ImGui::TextColored(widgets::palette().error, "%s", s.snap.error.c_str());
  if (!s.snap.message.empty()) ImGui::TextDisabled("%s", s.snap.message.c_str());
  ImGui::PopTextWrapPos();
}

// The "Saved runs..." popup: the shipped runs (assets/runs), each opened read-only on a click.
// A click is a request to the navigator, which pauses and saves a run in progress first.
void draw_saved_runs_popup(lab::TrainingDashboard& s, lab::Navigator& nav) {
  // Below the button (ImGui would put it at the mouse, which a headless render does not have).
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().y),
                          ImGuiCond_Appearing);
  if (ImGui::BeginPopup("saved_runs")) {
    if (s.saved_run_names.empty()) {
      std::string looked;
      for (const std::string& d : asset_search_dirs()) looked += "\n  " + d + "/runs";
      ImGui::TextDisabled(
          "No saved runs (folders with a run.json) in:%s\nThey ship in the repository's "
          "assets/runs: start the app from a checkout (./run.sh).",
          looked.c_str());
    }
    for (const std::string& name : s.saved_run_names) {
      if (ImGui::Selectable(name.c_str())) {
        try {
          std::string said;
          nav.open_saved_run(name, &said);
        } catch (const std::exception& e) {
          s.note = e.what();
          s.note_ok = false;
        }
      }
    }
    ImGui::EndPopup();
  }
}

// "Export time-lapse...": the run's time-lapse frames (<run>/timelapse/) as a GIF or MP4, each
// with its step; the request goes to main.cpp (lab::AnimationExport), which writes it while a
// progress bar with Cancel shows here.
void draw_timelapse_export(lab::TrainingDashboard& s) {
  lab::AnimationExport& exp = s.animation;
  const lab::AnimationProgress& p = exp.progress;
  if (widgets::export_progress(exp, "grid", -widgets::px(90.0f))) return;
  const std::string dir = s.snap.config.run_dir + "/timelapse";
  const bool has_frames = s.snap.timelapse_frames > 0 || std::filesystem::is_directory(dir);
  ImGui::BeginDisabled(!has_frames);
  if (ImGui::Button("Export time-lapse...")) {
    exp.request = lab::AnimationRequest{};
    exp.request.source_dir = dir;
    exp.request.path = s.snap.config.run_dir + "/timelapse.gif";
    exp.request.width = 800;
    exp.request.height = 600;
    exp.request.fps = 4;
    exp.pending = true;
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip(
        "G(fixed z) over this run: every time-lapse frame (tick \"time-lapse "
        "frames\" first), 4 per second, with its step, to %s/timelapse.gif",
        s.snap.config.run_dir.c_str());
  }
  if (!p.message.empty()) {
    widgets::wrapped_at_spaces(p.message.c_str(),
                               p.failed ? &widgets::palette().error : &widgets::palette().ok);
  }
}

// FILES: the checkpoint path, Save / Load, Saved runs..., the exports, time-lapse frames.
void draw_files(lab::TrainingDashboard& s, bool has_run, lab::Navigator& nav) {
  lab::TrainingSession& session = *s.session;
  const lab::SessionStatus status = s.snap.status;
  ImGui::TextDisabled("FILES");
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::InputText("##ckpt", s.checkpoint_path, sizeof s.checkpoint_path);
  ImGui::BeginDisabled(!has_run);
  // Ctrl+S saves too (not while a text field is being edited). Dear ImGui 1.86 indexes keys by
  // the backend's codes: GLFW_KEY_S is 'S'.
  const ImGuiIO& io = ImGui::GetIO();
  const bool ctrl_s = io.KeyCtrl && !io.WantTextInput && ImGui::IsKeyPressed('S', false);
  if (ImGui::Button("Save checkpoint") || (ctrl_s && has_run)) {
    session.save_checkpoint(s.checkpoint_path);
  }
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Ctrl+S");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(status == lab::SessionStatus::kLoading);
  if (ImGui::Button("Load checkpoint")) {
    // A run of the chosen model to load into.
    if (!has_run) session.prepare(lab::config_from_form(s));
    session.load_checkpoint(s.checkpoint_path);
  }
  ImGui::EndDisabled();
  const bool open_saved_runs = std::exchange(s.open_saved_runs, false);  // --open-popup
  if (ImGui::Button("Saved runs...") || open_saved_runs) {
    s.saved_run_names = lab::list_saved_runs();  // once per opening: the popup draws this list
    ImGui::OpenPopup("saved_runs");
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Open a saved run (assets/runs) read-only: its curves, samples and "
        "diagnoses. Your run is paused and saved first.");
  }
  draw_saved_runs_popup(s, nav);
  ImGui::BeginDisabled(!has_run);
  if (ImGui::Button("Export grid PNG")) lab::export_sample_grid(s);
  ImGui::SameLine();
  if (ImGui::Button("Export CSV")) lab::export_metrics_csv(s);
  ImGui::EndDisabled();
  if (ImGui::Checkbox("time-lapse frames", &s.timelapse)) session.set_timelapse(s.timelapse);
  help_marker(
      "While on, every new fixed-z grid is written as "
      "<run>/timelapse/frame_NNNNN_step_S.png (about twice a second while training); "
      "\"Export time-lapse...\" makes a GIF or MP4 of them.");
  if (s.timelapse) {
    ImGui::SameLine();
    ImGui::TextDisabled("%" PRId64 " frames", s.snap.timelapse_frames);
  }
  draw_timelapse_export(s);
}

void draw_controls(lab::TrainingDashboard& s, lab::Navigator& nav) {
  const lab::SessionStatus status = s.snap.status;
  const bool has_run =
      status == lab::SessionStatus::kRunning || status == lab::SessionStatus::kPaused;
  draw_model_and_data(s);
  ImGui::Spacing();
  draw_hyperparameters(s, has_run);
  ImGui::Spacing();
  draw_training_buttons(s, has_run);
  ImGui::Spacing();
  draw_files(s, has_run, nav);
  ImGui::Spacing();
  widgets::push_wrap_at_visible_edge();
  if (!s.note.empty())
    ImGui::TextColored(s.note_ok ? widgets::palette().ok : widgets::palette().error, "%s",
                       s.note.c_str());
  ImGui::PopTextWrapPos();
}

// ---- Progress --------------------------------------------------------------------------------

void draw_progress(const lab::TrainingDashboard& s) {
  const lab::TrainingSnapshot& snap = s.snap;
  const int64_t bpe = std::max<int64_t>(1, snap.batches_per_epoch);
  const int64_t in_epoch = snap.step % bpe;
  const float fraction = snap.batches_per_epoch > 0 ? static_cast<float>(in_epoch) / bpe : 0.0f;
  const double seconds_per_step =
      snap.samples_per_second > 0.0
          ? static_cast<double>(snap.config.gan.batch_size) / snap.samples_per_second
          : -1.0;
  const char* status =
      lab::status_text(snap.status, s.session ? s.session->running_requested() : true);
  char overlay[256];
  std::snprintf(
      overlay, sizeof overlay,
      "%s   epoch %" PRId64 "   step %" PRId64 " (%" PRId64 "/%" PRId64
      " of the epoch)   %.0f samples/s   elapsed %s   epoch ETA %s",
      status, snap.epoch + 1, snap.step, in_epoch, snap.batches_per_epoch, snap.samples_per_second,
      lab::format_duration(snap.elapsed_seconds).c_str(),
      lab::format_duration(seconds_per_step > 0 ? (bpe - in_epoch) * seconds_per_step : -1)
          .c_str());
  // Narrow windows get the short form, which fits 1024 px.
  if (ImGui::CalcTextSize(overlay).x > ImGui::GetContentRegionAvail().x - widgets::px(16.0f)) {
    std::snprintf(overlay, sizeof overlay,
                  "%s   epoch %" PRId64 "   step %" PRId64 "   %.0f samples/s   %s", status,
                  snap.epoch + 1, snap.step, snap.samples_per_second,
                  lab::format_duration(snap.elapsed_seconds).c_str());
  }
  if (ImGui::CalcTextSize(overlay).x > ImGui::GetContentRegionAvail().x - widgets::px(16.0f)) {
    std::snprintf(overlay, sizeof overlay, "%s   step %" PRId64 "   %.0f samples/s", status,
                  snap.step, snap.samples_per_second);  // large UI scales
  }
  // A dark blue fill: the style's mustard made the white status text hard to read.
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImVec4(0.16f, 0.38f, 0.62f, 1.0f));
  ImGui::ProgressBar(fraction, ImVec2(-FLT_MIN, 0.0f), overlay);
  ImGui::PopStyleColor();
  widgets::push_wrap_at_visible_edge();
  ImGui::TextDisabled("UI %.0f frames/s", ImGui::GetIO().Framerate);
  if (!snap.model_name.empty()) {
    ImGui::SameLine();
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s on %s; batch %" PRId64 ", lr_G %.1e, lr_D %.1e, betas %.2f/%.3f, %s%s",
                  snap.model_name.c_str(), snap.dataset_description.c_str(),
                  snap.config.gan.batch_size, snap.config.gan.lr_g, snap.config.gan.lr_d,
                  snap.config.gan.beta1, snap.config.gan.beta2,
                  snap.config.gan.backend == nn::Backend::fast ? "fast backend" : "naive backend",
                  snap.config.gan.ema_decay > 0.0f ? ", averaged G (EMA)" : "");
    const ImVec4 disabled = ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
    widgets::wrapped_at_spaces(line, &disabled);  // "2.0e-04" stays whole
  }
  ImGui::PopTextWrapPos();
}

// ---- Curves ------------------------------------------------------------------------------------

widgets::CurveSeries make_series(const lab::TrainingDashboard& s, lab::Curve c, ImU32 colour) {
  widgets::CurveSeries out;
  out.label = lab::curve_name(c);
  out.colour = colour;
  const auto& points = s.snap.series.points();
  std::vector<float> y(points.size());
  out.x.resize(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    out.x[i] = static_cast<float>(points[i].step);
    y[i] = lab::curve_value(points[i], c);
  }
  out.y = lab::smooth(y, s.smoothing);
  return out;
}

void draw_metric_curves(const lab::TrainingDashboard& s,
                        const std::vector<widgets::CurveMarker>& markers, float plot_width,
                        float plot_height, bool side_by_side) {
  widgets::CurvePlotOptions losses;
  losses.x_label = "step";
  losses.y_label = "BCE loss";
  losses.size = ImVec2(plot_width, plot_height);
  widgets::curve_plot(
      "losses",
      {make_series(s, lab::Curve::kLossG, kColourG), make_series(s, lab::Curve::kLossD, kColourD)},
      markers, losses);
  if (side_by_side) ImGui::SameLine();
  widgets::CurvePlotOptions d_out = losses;
  d_out.y_label = "mean, acc";
  d_out.y_min = 0.0f;
  d_out.y_max = 1.0f;
  widgets::curve_plot("d_outputs",
                      {make_series(s, lab::Curve::kDReal, kColourReal),
                       make_series(s, lab::Curve::kDFake, kColourFake),
                       // Teal, not D(x)'s green: the two must be told apart at a glance.
                       make_series(s, lab::Curve::kAccReal, IM_COL32(80, 200, 230, 150)),
                       make_series(s, lab::Curve::kAccFake, IM_COL32(230, 110, 200, 110))},
                      markers, d_out);
}

// One curve per layer of G (left) and of D (right): log10 of the gradient norm, so layers whose
// norms differ by orders of magnitude share a plot.
void draw_gradient_norms(const lab::TrainingDashboard& s,
                         const std::vector<widgets::CurveMarker>& markers, ImVec2 size,
                         bool side_by_side) {
  static constexpr ImU32 kPalette[] = {IM_COL32(255, 140, 80, 255),  IM_COL32(100, 170, 255, 255),
                                       IM_COL32(120, 220, 120, 255), IM_COL32(230, 110, 200, 255),
                                       IM_COL32(240, 220, 90, 255),  IM_COL32(150, 120, 255, 255),
                                       IM_COL32(90, 220, 220, 255),  IM_COL32(200, 200, 200, 255)};
  const lab::GradientNormSeries& g = s.snap.grad_norms;
  for (const char* net : {"G", "D"}) {
    std::vector<widgets::CurveSeries> series;
    for (size_t l = 0; l < g.layers().size(); ++l) {
      if (g.layers()[l].rfind(std::string(net) + ".", 0) != 0) continue;
      widgets::CurveSeries c;
      c.label = g.layers()[l].substr(2);  // "G.5 BatchNorm2d" -> "5 BN"
      for (const char* bn : {"BatchNorm1d", "BatchNorm2d"}) {
        if (const size_t at = c.label.find(bn); at != std::string::npos) {
          c.label.replace(at, std::string(bn).size(), "BN");
        }
      }
      c.colour = kPalette[series.size() % (sizeof kPalette / sizeof kPalette[0])];
      for (size_t k = 0; k < g.steps().size(); ++k) {
        c.x.push_back(static_cast<float>(g.steps()[k]));
        c.y.push_back(std::log10(std::max(g.norms()[k][l], 1e-30f)));
      }
      series.push_back(std::move(c));
    }
    widgets::CurvePlotOptions o;
    o.x_label = "step";
    o.y_label = net[0] == 'G' ? "G: log10 |dL_G/dw|" : "D: log10 |dL_D/dw|";
    o.size = size;
    widgets::curve_plot(net[0] == 'G' ? "grad_g" : "grad_d", series, markers, o);
    if (net[0] == 'G' && side_by_side) ImGui::SameLine();
  }
}

void draw_curves(lab::TrainingDashboard& s, float width) {
  std::vector<widgets::CurveMarker> markers;
  for (const lab::CurveEvent& e : s.snap.events) {
    markers.push_back({static_cast<float>(e.step), e.text});
  }
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  // Room at the right for half of the last x tick label ("1200"), which the plot centres on
  // its right edge: without it the child window cuts it to "120".
  const float right_room = ImGui::CalcTextSize("00000").x * 0.5f;
  // Side by side while each plot keeps room for its legend; one above the other in a narrow
  // window or at a large UI scale.
  const bool side_by_side = (width - gap - right_room) / 2 >= ImGui::GetFontSize() * 20.0f;
  const float plot_width = side_by_side ? (width - gap - right_room) / 2 : width - right_room;
  const float plot_height = ImGui::GetFontSize() * 12.5f;
  if (s.grad_norms && !s.saved) {
    draw_gradient_norms(s, markers, ImVec2(plot_width, plot_height), side_by_side);
  } else {
    draw_metric_curves(s, markers, plot_width, plot_height, side_by_side);
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10.0f);
  ImGui::SliderInt("smoothing", &s.smoothing, 1, 100, "%d", ImGuiSliderFlags_AlwaysClamp);
  help_marker(
      "Moving average over this many points of the curves. Each point is the mean of "
      "the steps it covers: the buffer keeps the whole run by merging neighbours.");
  if (!s.saved) {  // a saved run has no gradient norms
    ImGui::SameLine();
    if (ImGui::Checkbox("gradient norms", &s.grad_norms)) {
      s.session->set_gradient_norms(s.grad_norms);
    }
    help_marker(
        "Per step, the L2 norm of each layer's gradient: G's from Step A (dL_G/dw), D's from "
        "Step B (dL_D/dw). Recorded from the next step while this is on; vanishing (falling "
        "orders of magnitude) or exploding norms show here first.");
  }
  char status[128];
  std::snprintf(status, sizeof status, "%zu points, %" PRId64 " step(s) each, %s; hover for values",
                s.snap.series.points().size(), s.snap.series.stride(),
                s.smoothing == 1 ? "raw" : "smoothed");
  widgets::same_line_if_fits(ImGui::CalcTextSize(status).x);  // beside the controls, or below
  ImGui::TextDisabled("%s", status);
}

// ---- Images and diagnoses -------------------------------------------------------------------

// Before a run has images: the square they will fill, with `hint` (what will appear there, and
// when) wrapped inside it, so the empty space explains itself.
// The side of the empty grid's frame before a run has samples, in pixels at scale 1.
constexpr int kEmptyGridSide = 160;

void draw_empty_grid(float scale, const char* hint) {
  const float side = static_cast<float>(kEmptyGridSide) * scale;
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRect(p0, ImVec2(p0.x + side, p0.y + side),
                                      ImGui::GetColorU32(ImGuiCol_Border));
  const float pad = ImGui::GetStyle().FramePadding.x;
  ImGui::SetCursorScreenPos(ImVec2(p0.x + pad, p0.y + pad));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + side - 2 * pad);
  ImGui::TextDisabled("%s", hint);
  ImGui::PopTextWrapPos();
  ImGui::SetCursorScreenPos(p0);
  ImGui::Dummy(ImVec2(side, side));
}

void draw_tiles(gfx::HeatmapRenderer& heatmaps, const char* id, const lab::TiledImage& tiles,
                float scale, const char* empty_hint) {
  if (tiles.values.empty()) {
    draw_empty_grid(scale, empty_hint);
    return;
  }
  const GLuint texture = heatmaps.render(ImGui::GetID(id), tiles.values.data(), tiles.rows,
                                         tiles.cols, -1.0f, 1.0f, gfx::Colormap::kGray);
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture)),
               ImVec2(tiles.cols * scale, tiles.rows * scale));
}

// The quality score: the number, the confident fraction, the class histogram as labelled bars.
void draw_quality(const lab::TrainingSnapshot& snap) {
  if (!snap.has_score) {
    ImGui::TextDisabled("%s", snap.score_note.empty()
                                  ? "Quality score: every 20 s or more of training, and on Pause."
                                  : snap.score_note.c_str());
    return;
  }
  const lab::QualityScore& q = snap.score;
  char line[128];
  std::snprintf(line, sizeof line, "Quality at step %" PRId64 ": score %.2f / 10, %.0f%% confident",
                snap.score_step, q.score, 100.0 * q.confident);
  ImGui::BeginGroup();  // the tooltip is for every line of it
  widgets::wrapped_at_spaces(line);
  if (snap.has_score_ema) {
    std::snprintf(line, sizeof line, "averaged G (G_ema): score %.2f, %.0f%% confident",
                  snap.score_ema.score, 100.0 * snap.score_ema.confident);
    widgets::wrapped_at_spaces(line);
  }
  ImGui::EndGroup();
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "exp(E[KL(p(y|x) || p(y))]) over %" PRId64
        " fixed-z samples, p(y|x) from a small CNN digit\nclassifier trained by our core "
        "(assets/classifier): 1 = all alike or unreadable, 10 = every\ndigit clear and all "
        "classes equally often. Real digits score about 9.",
        q.count);
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const float width = ImGui::GetContentRegionAvail().x;
  const float bar_w = width / 10.0f, bar_h = 2.6f * font;
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const int top = std::max(1, *std::max_element(q.histogram.begin(), q.histogram.end()));
  for (int c = 0; c < 10; ++c) {
    const float h = bar_h * static_cast<float>(q.histogram[c]) / static_cast<float>(top);
    const float x = p0.x + c * bar_w;
    draw->AddRectFilled(ImVec2(x + 2.0f, p0.y + bar_h - h), ImVec2(x + bar_w - 2.0f, p0.y + bar_h),
                        IM_COL32(110, 180, 255, 220));
    char label[4];
    std::snprintf(label, sizeof label, "%d", c);
    const float lw = ImGui::CalcTextSize(label).x;
    draw->AddText(ImVec2(x + (bar_w - lw) / 2, p0.y + bar_h + 1.0f),
                  ImGui::GetColorU32(ImGuiCol_TextDisabled), label);
  }
  ImGui::Dummy(ImVec2(width, bar_h + font + 2.0f));
  if (ImGui::IsItemHovered()) {
    const int c = std::clamp(static_cast<int>((ImGui::GetIO().MousePos.x - p0.x) / bar_w), 0, 9);
    ImGui::SetTooltip("class %d: %d of %" PRId64 " samples", c, q.histogram[c], q.count);
  }
}

// A grid of RGB images (an RGB model's samples, or its real images) in colour.
void draw_rgb(const gfx::RgbTexture& texture, float scale, const char* empty_hint) {
  if (texture.empty()) {
    draw_empty_grid(scale, empty_hint);
    return;
  }
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture.id())),
               ImVec2(texture.width() * scale, texture.height() * scale));
}

bool is_rgb(const Tensor& images) {
  return images.ndim() == 4 && images.dim(0) > 0 && images.dim(1) == 3;
}

// New samples since the last frame: one channel goes through the heatmap renderer's gray map
// (tiles); three are uploaded as a colour texture (tile_images would show the red channel only).
void upload_grids(lab::TrainingDashboard& s, TrainingTextures& textures) {
  if (is_rgb(s.snap.samples)) {
    s.sample_tiles = {};
    textures.samples.upload(make_image_grid(s.snap.samples, 8, 1, 1));
  } else {
    s.sample_tiles = lab::tile_images(s.snap.samples, 8);
  }
  if (is_rgb(s.snap.real)) {
    s.real_tiles = {};
    textures.real.upload(make_image_grid(s.snap.real, 8, 1, 1));
  } else {
    s.real_tiles = lab::tile_images(s.snap.real, 8);
  }
  s.ema_tiles = {};
  if (is_rgb(s.snap.samples_ema)) {
    textures.ema.upload(make_image_grid(s.snap.samples_ema, 8, 1, 1));
  } else if (s.snap.samples_ema.numel() > 0) {
    s.ema_tiles = lab::tile_images(s.snap.samples_ema, 8);
  }
}

// How large the sample grids are drawn, and whether the diagnoses fit beside them.
struct GridLayout {
  float scale = 1.0f;  // screen pixels per image pixel
  bool diagnoses_beside = true;
};

GridLayout grid_layout(const lab::TrainingDashboard& s, const TrainingTextures& textures) {
  const bool has_ema = s.snap.samples_ema.numel() > 0;
  const bool rgb_samples = is_rgb(s.snap.samples), rgb_real = is_rgb(s.snap.real);
  const int sample_rows = rgb_samples ? textures.samples.height() : s.sample_tiles.rows;
  const int real_rows = rgb_real ? textures.real.height() : s.real_tiles.rows;
  const int sample_cols = rgb_samples ? textures.samples.width() : s.sample_tiles.cols;
  const int real_cols = rgb_real ? textures.real.width() : s.real_tiles.cols;
  // Each grid has a title line above it and, once scored, a score line below it.
  const float text_lines = s.snap.has_score ? 2.0f : 1.0f;
  const float avail_height = ImGui::GetContentRegionAvail().y -
                             ImGui::GetTextLineHeightWithSpacing() * text_lines -
                             ImGui::GetFrameHeight();
  const float avail_width = ImGui::GetContentRegionAvail().x;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float diagnoses_min_width = widgets::px(300.0f);
  // Pixels of the grids at scale 1 (an empty grid's frame until a run has samples).
  const int tile_rows = std::max({1, sample_rows, real_rows, kEmptyGridSide});
  const int left_cols = std::max({1, sample_cols, kEmptyGridSide});
  const int right_cols = std::max({1, real_cols, kEmptyGridSide});
  // A column is as wide as its grid or its title, whichever is wider.
  const float radio = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  const float left_title = ImGui::CalcTextSize("G(fixed z) at step 000000").x;
  const float right_title = has_ema ? 2.0f * radio + spacing + ImGui::CalcTextSize("G_ema").x +
                                          ImGui::CalcTextSize("real images").x
                                    : ImGui::CalcTextSize("real images").x;
  auto grids_width = [&](float sc) {
    return std::max(left_cols * sc, left_title) + spacing + std::max(right_cols * sc, right_title);
  };
  // The grids grow with the room (up to 2x at UI scale 100%, more when scaled up) and keep at
  // least a readable column for the diagnoses beside them; with no room for that even at 1x, the
  // diagnoses go below the grids.
  const float max_scale = 2.0f * widgets::px(1.0f);
  const float room = avail_width - diagnoses_min_width - spacing;
  const bool diagnoses_beside = grids_width(1.0f) <= room;
  float scale = std::clamp(avail_height / tile_rows, 1.0f, max_scale);
  while (scale > 1.0f && grids_width(scale) > (diagnoses_beside ? room : avail_width)) {
    scale = std::max(1.0f, scale - 0.05f);
  }
  return {scale, diagnoses_beside};
}

// G(fixed z) on the left; G_ema(fixed z) or the real images on the right (a switch), each with
// its score once scored.
void draw_grids(lab::TrainingDashboard& s, TrainingTextures& textures,
                gfx::HeatmapRenderer& heatmaps, float scale) {
  const bool has_ema = s.snap.samples_ema.numel() > 0;
  const bool show_ema = has_ema && !s.real_beside;
  const bool rgb_samples = is_rgb(s.snap.samples), rgb_real = is_rgb(s.snap.real);
  char samples_hint[200], real_hint[100];
  std::snprintf(samples_hint, sizeof samples_hint,
                "G(z) for %d fixed z, redrawn as G learns: noise at first, then shapes like the "
                "real images. They appear when a run starts (Start or One batch).",
                s.form.grid_count);
  std::snprintf(real_hint, sizeof real_hint, "%d images of the training data, to compare G's with.",
                s.form.grid_count);
  ImGui::BeginGroup();
  if (has_ema) ImGui::AlignTextToFramePadding();  // level with the radio buttons beside it
  if (s.snap.samples_step >= 0) {
    ImGui::Text("G(fixed z) at step %" PRId64, s.snap.samples_step);
  } else {
    ImGui::TextUnformatted("G(fixed z)");
  }

  if (rgb_samples) {
    draw_rgb(textures.samples, scale, samples_hint);
  } else {
    draw_tiles(heatmaps, "samples", s.sample_tiles, scale, samples_hint);
  }
  if (s.snap.has_score) {
    ImGui::TextDisabled("score %.2f (step %" PRId64 ")", s.snap.score.score, s.snap.score_step);
  }
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  if (has_ema) {  // a switch between G_ema and the real images
    if (ImGui::RadioButton("G_ema", show_ema)) s.real_beside = false;
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "G_ema(fixed z): the averaged G (same z as G's grid), BatchNorm with the grid's own\n"
          "batch statistics. The score beside it is of the same z as G's score.");
    }
    ImGui::SameLine();
    if (ImGui::RadioButton("real images", !show_ema)) s.real_beside = true;
  } else {
    ImGui::TextUnformatted("real images");
  }
  if (show_ema) {
    if (is_rgb(s.snap.samples_ema)) {
      draw_rgb(textures.ema, scale, samples_hint);
    } else {
      draw_tiles(heatmaps, "samples_ema", s.ema_tiles, scale, samples_hint);
    }
  } else if (rgb_real) {
    draw_rgb(textures.real, scale, real_hint);
  } else {
    draw_tiles(heatmaps, "real", s.real_tiles, scale, real_hint);
  }
  if (show_ema && s.snap.has_score_ema) {
    ImGui::TextDisabled("score %.2f (step %" PRId64 ")", s.snap.score_ema.score, s.snap.score_step);
  }
  ImGui::EndGroup();
}

// What the diagnoses say about the run (or, for a saved run, about its end), with the last
// step's numbers and the quality score.
void draw_diagnoses(lab::TrainingDashboard& s, bool beside) {
  ImGui::BeginGroup();
  ImGui::TextUnformatted("Diagnoses");
  ImGui::BeginChild("diagnoses", ImVec2(0.0f, beside ? 0.0f : ImGui::GetFontSize() * 14.0f), true);
  std::vector<lab::Diagnosis> found;
  if (s.saved) {  // at the run's end: its curves, its last grid, its error
    found = lab::diagnose_saved_run(*s.saved);
  } else {
    lab::DiagnosisInput in;
    in.points = &s.snap.series.points();
    in.sample_diversity = s.snap.samples.values().empty() ? -1.0f : s.snap.sample_diversity;
    in.real_diversity = s.snap.real.values().empty() ? -1.0f : s.snap.real_diversity;
    in.error = s.snap.error;
    if (s.snap.has_score) in.class_histogram = s.snap.score.histogram;
    found = lab::diagnose(in);
  }
  widgets::push_wrap_at_visible_edge();
  if (s.saved) {
    ImGui::TextDisabled(
        "At the end of the saved run (step %" PRId64 ", last grid step %" PRId64 "):", s.snap.step,
        s.saved->grids.back().step);
  }
  // Wrapped at spaces only: ImGui's wrap can split "0.344" after its point.
  const ImVec4 disabled = ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
  if (s.snap.has_metrics) {
    char line[256];
    std::snprintf(
        line, sizeof line,
        "last step (%" PRId64
        ") alone: loss_G %.3f, loss_D %.3f, D(x) %.2f, D(G(z)) %.2f, acc real %.0f%%, fake "
        "%.0f%%",
        s.snap.last.step, s.snap.last.loss_g, s.snap.last.loss_d, s.snap.last.d_real,
        s.snap.last.d_fake, 100.0 * s.snap.last.acc_real, 100.0 * s.snap.last.acc_fake);
    widgets::wrapped_at_spaces(line, &disabled);
    std::snprintf(line, sizeof line, "sample diversity %.3f (real images %.3f)",
                  s.snap.sample_diversity, s.snap.real_diversity);
    widgets::wrapped_at_spaces(line, &disabled);
  }
  draw_quality(s.snap);
  if (found.empty()) {
    widgets::wrapped_at_spaces(
        s.snap.series.points().size() < 20
            ? "Too early to tell: diagnoses need 20 points of the curves."
            : "Nothing alarming: loss_D near 2 ln 2 = 1.39 and loss_G near ln 2 = 0.69 .. 2 "
              "with D(x), D(G(z)) near 0.5 is a healthy game.",
        &widgets::palette().ok);
  }
  for (const lab::Diagnosis& d : found) {
    widgets::wrapped_at_spaces(d.title, &widgets::palette().error);
    widgets::wrapped_at_spaces(d.evidence);
    widgets::wrapped_at_spaces("Try: " + d.suggestion, &widgets::palette().accent);
    ImGui::Spacing();
  }
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
  ImGui::EndGroup();
}

void draw_images_and_diagnoses(lab::TrainingDashboard& s, TrainingTextures& textures,
                               gfx::HeatmapRenderer& heatmaps) {
  if (s.tiled_samples_version != s.snap.samples_version) {
    s.tiled_samples_version = s.snap.samples_version;
    upload_grids(s, textures);
  }
  const GridLayout layout = grid_layout(s, textures);
  draw_grids(s, textures, heatmaps, layout.scale);
  if (layout.diagnoses_beside) ImGui::SameLine();
  draw_diagnoses(s, layout.diagnoses_beside);
}

// ---- A saved run, read-only (lesson 8) ------------------------------------------------------

void draw_saved_controls(lab::TrainingDashboard& s) {
  const lab::SavedRun& run = *s.saved;
  widgets::push_wrap_at_visible_edge();
  ImGui::TextDisabled("SAVED RUN (read-only)");
  ImGui::TextColored(widgets::palette().accent, "%s", run.title.c_str());
  widgets::wrapped_at_spaces(run.look_for);  // full of numbers: never split one
  ImGui::Spacing();
  if (run.commit.empty()) {
    ImGui::TextDisabled("HOW IT WAS MADE (%s)", run.date.c_str());
  } else {
    ImGui::TextDisabled("HOW IT WAS MADE (%s, build of %s)", run.date.c_str(), run.commit.c_str());
  }
  const ImVec4 disabled = ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
  widgets::wrapped_at_spaces(run.command, &disabled);
  char settings[256];
  std::snprintf(
      settings, sizeof settings,
      "%s on %s: batch %" PRId64 ", lr_G %.1e, lr_D %.1e, betas %.2f/%.3f, seed %llu, %d thread(s)",
      run.model.c_str(), run.data.c_str(), run.gan.batch_size, run.gan.lr_g, run.gan.lr_d,
      run.gan.beta1, run.gan.beta2, static_cast<unsigned long long>(run.gan.seed), run.threads);
  widgets::wrapped_at_spaces(settings, &disabled);  // "lr_G 1.0e-02" stays whole
  ImGui::Spacing();
  ImGui::TextDisabled("G(FIXED Z) SAVED AT");
  for (int g = 0; g < static_cast<int>(run.grids.size()); ++g) {
    const lab::SavedGrid& grid = run.grids[static_cast<size_t>(g)];
    char label[64];
    std::snprintf(label, sizeof label, "step %" PRId64, grid.step);
    if (ImGui::RadioButton(label, s.saved_grid == g)) lab::show_saved_grid(s, g);
    if (grid.has_score) {
      ImGui::SameLine();
      char text[64];
      std::snprintf(text, sizeof text, "score %.2f, diversity %.3f", grid.score.score,
                    grid.diversity);
      widgets::wrapped_at_spaces(text, &disabled);  // "0.060" stays whole
    }
  }
  ImGui::Spacing();
  ImGui::TextDisabled("TRAINING");
  if (ImGui::Button("Close (back to the dashboard)")) {
    lab::close_saved_run(s);
  } else {
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "Closes this saved run; the dashboard's controls come back (your run, "
          "if you had one, is there, paused).");
    }
    if (ImGui::Button("Run it yourself")) {
      lab::run_saved_run_live(s);
    } else if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "A new live run with these settings (it replaces your run, which was "
          "saved when this one opened). Training is deterministic for one build; "
          "a build whose trainer changed since this run may take another path.");
    }
  }
  if (!s.note.empty())
    ImGui::TextColored(s.note_ok ? widgets::palette().ok : widgets::palette().error, "%s",
                       s.note.c_str());
  ImGui::PopTextWrapPos();
}

void draw_saved_banner(const lab::TrainingDashboard& s) {
  const lab::SavedRun& run = *s.saved;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, widgets::palette().saved_bg);
  const float height =
      2.0f * ImGui::GetTextLineHeightWithSpacing() + 2.0f * ImGui::GetStyle().WindowPadding.y;
  ImGui::BeginChild("saved_banner", ImVec2(0.0f, height), true, ImGuiWindowFlags_NoScrollbar);
  ImGui::TextColored(widgets::palette().accent, "Saved run: %s -- read-only; Close it to train",
                     run.title.c_str());
  // The folder relative to the working directory when it is below it (assets/runs/<name>).
  std::error_code ec;
  const fs::path here = fs::current_path(ec);
  const fs::path relative = fs::path(run.dir).lexically_relative(here);
  const std::string dir =
      ec || relative.empty() || *relative.begin() == ".." ? run.dir : relative.string();
  ImGui::TextDisabled("%s, %" PRId64 " steps, log %s/log.csv%s", run.name.c_str(), s.snap.step,
                      dir.c_str(), run.error.empty() ? "" : "; training stopped with an error");
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

}  // namespace

void draw_training_panel(lab::TrainingDashboard& state, TrainingTextures& textures,
                         gfx::HeatmapRenderer& heatmaps, lab::Navigator& nav) {
  lab::init_training_form(state);
  if (!state.session) state.session = std::make_unique<lab::TrainingSession>();
  if (!state.saved) state.session->read(state.snap);

  // At most 40% of the window, so that a large UI scale leaves the curves their room.
  const float controls_width =
      std::min(ImGui::GetFontSize() * 19.0f, 0.4f * ImGui::GetContentRegionAvail().x);
  // Its scrollbar always there: the column keeps its width when the contents grow.
  ImGui::BeginChild("training_controls", ImVec2(controls_width, 0.0f), false,
                    ImGuiWindowFlags_AlwaysVerticalScrollbar |
                        ImGuiWindowFlags_HorizontalScrollbar);  // large UI scales
  if (state.saved) {
    draw_saved_controls(state);
  } else {
    draw_controls(state, nav);
  }
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("training_view", ImVec2(0.0f, 0.0f), false,
                    ImGuiWindowFlags_AlwaysVerticalScrollbar |
                        ImGuiWindowFlags_HorizontalScrollbar);  // large UI scales
  const float width = ImGui::GetContentRegionAvail().x;
  if (state.saved) {
    draw_saved_banner(state);
  } else {
    draw_progress(state);
  }
  draw_curves(state, width);
  draw_images_and_diagnoses(state, textures, heatmaps);
  ImGui::EndChild();
}

}  // namespace convt::panels
