// The stepper panel: a transposed convolution one scatter-add at a time, replaying the core's
// trace (lab::StepperModel), with conv2d and max_pool2d steppers beside it for comparison.
//
//   left:  operation, preset, sizes (validated by shape.h), values, time controls, event text
//   right: input (current pixel) | kernel (current tap) | stamp x * w
//          uncropped canvas (destinations, crop frame, greyed "cut away") | gather view /
//          overlap counts / output
//          the contributions of the selected output cell
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "gfx/colormap.h"
#include "logic/cell_text.h"
#include "panels/stepper_panels.h"
#include "widgets/export_progress.h"
#include "widgets/heatmap_grid.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {
namespace {

using lab::CanvasAxis;
using lab::Fill;
using lab::GatherCell;
using lab::StepperConfig;
using lab::StepperModel;
using lab::StepperOp;
using lab::StepperView;

// Colours: one meaning each, the same in every grid.
const ImU32 kCurrent = IM_COL32(255, 214, 0, 255);     // this event: pixel, tap, destination
const ImU32 kFootprint = IM_COL32(255, 150, 40, 255);  // the rest of the current stamp / window
const ImU32 kSelected = IM_COL32(60, 230, 120, 255);   // the selected output cell, everywhere
const ImU32 kCrop = IM_COL32(60, 230, 120, 255);       // the crop frame = the output
const ImU32 kOutputPad = IM_COL32(90, 200, 255, 255);  // output_padding's row/column
const ImU32 kArgmax = IM_COL32(255, 80, 200, 255);     // max_pool2d: the max so far / argmax

void frame_cells(ImDrawList* draw, ImVec2 origin, float cell, int row0, int col0, int rows,
                 int cols, ImU32 colour, float thickness) {
  const ImVec2 p0(origin.x + static_cast<float>(col0) * cell,
                  origin.y + static_cast<float>(row0) * cell);
  const ImVec2 p1(p0.x + static_cast<float>(cols) * cell, p0.y + static_cast<float>(rows) * cell);
  draw->AddRect(ImVec2(p0.x - 1.0f, p0.y - 1.0f), ImVec2(p1.x + 1.0f, p1.y + 1.0f), colour, 0.0f, 0,
                thickness);
}

// Plane `c` of a (C, H, W) tensor, as a vector.
std::vector<float> plane(const Tensor& t, int c) {
  const int64_t h = t.dim(-2), w = t.dim(-1);
  const float* p = t.data() + c * h * w;
  return std::vector<float>(p, p + h * w);
}

std::string fmt2(float v) { return lab::format_number(v); }  // "2.00"; tiny weights "2.31e-03"

// A cell size for a (rows, cols) grid within `room`, and numbers only when they fit.
widgets::HeatmapGridOptions fitted(const char* title, int rows, int cols, ImVec2 room, float vmin,
                                   float vmax, float max_cell = 44.0f) {
  widgets::HeatmapGridOptions o;
  o.vmin = vmin;
  o.vmax = vmax;
  o.value_format = "%.2g";
  o.cell_size = widgets::fit_cell_size(room, title, rows, cols, o, 6.0f, max_cell);
  if (o.cell_size < 18.0f) o.value_format = nullptr;
  return o;
}

float limit_of(const std::vector<float>& v) { return gfx::symmetric_limit(v.data(), v.size()); }

using widgets::wrapped;

void select_output(StepperView& view, int oc, int y, int x) {
  view.selected_oc = oc;
  view.selected_y = y;
  view.selected_x = x;
}

// ---- Left column -----------------------------------------------------------------------------

// An (H, W) pair as two sliders. Linked, moving either sets both to its value.
bool pair_slider(const char* label, Pair& p, int lo, int hi, bool linked) {
  int v[2] = {p.h, p.w};
  const bool changed = ImGui::SliderInt2(label, v, lo, hi, "%d", ImGuiSliderFlags_AlwaysClamp);
  if (!changed) return false;
  if (linked) {
    const int moved = v[0] != p.h ? v[0] : v[1];
    v[0] = v[1] = moved;
  }
  p = Pair(v[0], v[1]);
  return true;
}

void draw_fill_buttons(const char* what, StepperModel& model, StepperView& view, bool input) {
  ImGui::PushID(what);
  ImGui::AlignTextToFramePadding();
  ImGui::Text("%s:", what);
  for (Fill f : {Fill::kRandom, Fill::kOnes, Fill::kRamp, Fill::kIdentity}) {
    widgets::same_line_if_fits(ImGui::CalcTextSize(lab::fill_name(f)).x +
                               2.0f * ImGui::GetStyle().FramePadding.x);
    if (ImGui::SmallButton(lab::fill_name(f))) {
      ++view.seed;
      if (input) {
        model.fill_input(f, view.seed);
      } else {
        model.fill_weight(f, view.seed + 1000);
      }
      view.preset_index = -1;
    }
  }
  ImGui::PopID();
}

// "As PyTorch": the script of what the stepper shows, copied and saved (logic/pytorch_script.h).
void draw_pytorch_button(const StepperModel& model, StepperView& view) {
  const char* op = lab::op_name(model.config().op);
  if (ImGui::Button("As PyTorch")) {
    const lab::PytorchExport e = lab::save_pytorch_script(model.pytorch_call(), "runs/pytorch",
                                                          std::string("stepper_") + op + ".py");
    ImGui::SetClipboardText(e.script.c_str());
    view.pytorch_note = e.message;
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "A Python script with these exact numbers: torch.nn.functional.%s on the input%s shown, "
        "with the same stride, padding and dilation, which checks that PyTorch's output equals "
        "ConvT Lab's. Copied to the clipboard and saved under runs/pytorch/.",
        op, model.config().op == StepperOp::kMaxPool2d ? "" : " and kernel");
  }
  if (!view.pytorch_note.empty()) wrapped(view.pytorch_note.c_str(), &widgets::palette().hint);
}

// The preset combo: a whole title shows, and each item's tooltip gives its explanation.
void draw_preset_combo(StepperModel& model, StepperView& view) {
  const std::vector<lab::StepperPreset>& presets = lab::stepper_presets();
  const char* preview = view.preset_index >= 0
                            ? presets[static_cast<size_t>(view.preset_index)].title.c_str()
                            : "(your own)";
  // The preset combo is wider than the sliders, so a whole title (kMaxTitleChars) shows; its
  // items' tooltips give the explanation.
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("preset").x - ImGui::GetStyle().ItemInnerSpacing.x -
                          4.0f);
  if (ImGui::BeginCombo("preset", preview)) {
    for (int i = 0; i < static_cast<int>(presets.size()); ++i) {
      const lab::StepperPreset& p = presets[static_cast<size_t>(i)];
      if (ImGui::Selectable(p.title.c_str(), i == view.preset_index)) {
        stepper_load_preset(model, view, p.name);
      }
      if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
        ImGui::TextUnformatted(p.title.c_str());
        ImGui::TextDisabled("%s", p.explanation.c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
      }
    }
    ImGui::EndCombo();
  }
}

// The operation and its sizes: H, W, channels, kernel_size, stride, padding, output_padding
// (transposed only) and dilation, into `c`. True when one changed.
bool draw_config_sliders(StepperConfig& c, bool link) {
  bool changed = false;
  int op = static_cast<int>(c.op);
  const char* ops[] = {"conv_transpose2d (scatter)", "conv2d (gather)", "max_pool2d"};
  if (ImGui::Combo("operation", &op, ops, 3)) {
    c.op = static_cast<StepperOp>(op);
    if (c.op != StepperOp::kConvTranspose2d) c.output_padding = 0;
    changed = true;
  }
  using L = lab::StepperLimits;
  int hw[2] = {c.H, c.W};
  if (ImGui::SliderInt2("H, W", hw, 1, L::kMaxSize, "%d", ImGuiSliderFlags_AlwaysClamp)) {
    c.H = hw[0];
    c.W = hw[1];
    changed = true;
  }
  int ch[2] = {c.C_in, c.C_out};
  if (c.op == StepperOp::kMaxPool2d) {
    changed |= ImGui::SliderInt("C (channels)", &c.C_in, 1, L::kMaxCIn, "%d",
                                ImGuiSliderFlags_AlwaysClamp);
  } else if (ImGui::SliderInt2("C_in, C_out", ch, 1, L::kMaxCIn, "%d",
                               ImGuiSliderFlags_AlwaysClamp)) {
    c.C_in = ch[0];
    c.C_out = std::min(ch[1], L::kMaxCOut);
    changed = true;
  }
  changed |= pair_slider("kernel_size", c.kernel_size, 1, L::kMaxKernel, link);
  changed |= pair_slider("stride", c.stride, 1, L::kMaxStride, link);
  changed |= pair_slider("padding", c.padding, 0, L::kMaxPadding, link);
  if (c.op == StepperOp::kConvTranspose2d) {
    changed |= pair_slider("output_padding", c.output_padding, 0, L::kMaxOutputPadding, link);
  }
  changed |= pair_slider("dilation", c.dilation, 1, L::kMaxDilation, link);
  return changed;
}

// The left column's top: preset, operation and sizes, what the setting is (or why it is not
// valid), the fill buttons and "As PyTorch".
void draw_controls(StepperModel& model, StepperView& view) {
  ImGui::PushItemWidth(-widgets::px(125.0f));
  draw_preset_combo(model, view);
  StepperConfig c = model.requested();
  const bool changed = draw_config_sliders(c, view.link_hw);
  ImGui::PopItemWidth();
  ImGui::Checkbox("link H and W", &view.link_hw);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "On: moving either slider of kernel_size, stride, padding, output_padding or dilation "
        "sets both (square kernels, the usual case). Off: set height and width apart.");
  }
  if (changed) {
    model.set_config(c);
    view.preset_index = -1;
    view.selected_y = view.selected_x = -1;
  }
  if (!model.error().empty()) {
    wrapped(("Not valid: " + model.error()).c_str(), &widgets::palette().error);
    ImGui::TextDisabled("(still showing the last valid setting)");
  } else if (view.preset_index >= 0) {
    wrapped(lab::stepper_presets()[static_cast<size_t>(view.preset_index)].explanation.c_str(),
            &widgets::palette().hint);
  }
  draw_fill_buttons("input", model, view, true);
  if (model.config().op != StepperOp::kMaxPool2d) {
    draw_fill_buttons("kernel", model, view, false);
    ImGui::TextDisabled("Click an input or kernel cell to type a value.");
  } else {
    ImGui::TextDisabled("Click an input cell to type a value.");
  }
  draw_pytorch_button(model, view);
}

// What the time buttons and their keys do: one function for both, so a key does exactly what
// the button it names does.
enum class TimeAction {
  kPlayPause,
  kRewind,
  kEnd,
  kPrevBlock,
  kStepBack,
  kStepForward,
  kNextBlock
};

void apply_time_action(TimeAction action, StepperModel& model, StepperView& view) {
  const int64_t n = model.event_count();
  view.play_until = -1;  // the student's own play runs to the end
  switch (action) {
    case TimeAction::kPlayPause:
      if (!view.playing && model.position() >= n) model.set_position(0);
      view.playing = !view.playing;
      break;
    case TimeAction::kRewind:
      model.set_position(0);
      view.playing = false;
      break;
    case TimeAction::kEnd:
      model.set_position(n);
      view.playing = false;
      break;
    case TimeAction::kPrevBlock:
      model.set_position(model.prev_block_position(model.position()));
      break;
    case TimeAction::kStepBack:
      model.step_back();
      break;
    case TimeAction::kStepForward:
      model.step_forward();
      break;
    case TimeAction::kNextBlock:
      model.set_position(model.next_block_position(model.position()));
      break;
  }
}

}  // namespace

void handle_stepper_keys(StepperModel& model, StepperView& view) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  auto pressed = [](ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key)); };
  auto act = [&](TimeAction a) { apply_time_action(a, model, view); };
  if (pressed(ImGuiKey_Space)) act(TimeAction::kPlayPause);
  if (pressed(ImGuiKey_RightArrow))
    act(io.KeyShift ? TimeAction::kNextBlock : TimeAction::kStepForward);
  if (pressed(ImGuiKey_LeftArrow))
    act(io.KeyShift ? TimeAction::kPrevBlock : TimeAction::kStepBack);
  if (pressed(ImGuiKey_Home)) act(TimeAction::kRewind);
  if (pressed(ImGuiKey_End)) act(TimeAction::kEnd);
  for (const ImWchar c : io.InputQueueCharacters) {
    if (c == '+' || c == '=') {
      view.events_per_second =
          std::min(StepperView::kMaxEventsPerSecond, view.events_per_second * 1.5f);
    }
    if (c == '-' || c == '_') {
      view.events_per_second =
          std::max(StepperView::kMinEventsPerSecond, view.events_per_second / 1.5f);
    }
  }
}

namespace {

// Play: advance by speed * frame time (at most a tenth of a second's worth per frame: the
// window sleeps while nothing changes, and the first frame after a sleep must not jump).
void advance_playback(StepperModel& model, StepperView& view) {
  if (!view.playing) return;
  const int64_t n = model.event_count();
  const double seconds = std::min(0.1, static_cast<double>(ImGui::GetIO().DeltaTime));
  view.play_carry += static_cast<double>(view.events_per_second) * seconds;
  const int64_t steps = static_cast<int64_t>(view.play_carry);
  view.play_carry -= static_cast<double>(steps);
  const int64_t stop = view.play_until >= 0 ? std::min(n, view.play_until) : n;
  model.set_position(std::min(stop, model.position() + steps));
  if (model.position() >= stop) {
    view.playing = false;
    view.play_until = -1;
  }
}

// Play / Pause, Reset, End, and a block (`unit`: an input pixel or an output window) or one event
// back and forward.
void draw_time_buttons(StepperModel& model, StepperView& view, const char* unit) {
  auto act = [&](TimeAction a) { apply_time_action(a, model, view); };
  if (ImGui::Button(view.playing ? "Pause" : "Play", ImVec2(widgets::px(80.0f), 0.0f))) {
    act(TimeAction::kPlayPause);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Space");
  ImGui::SameLine();
  if (ImGui::Button("Reset")) act(TimeAction::kRewind);
  ImGui::SameLine();
  if (ImGui::Button("End")) act(TimeAction::kEnd);
  char label[32];
  std::snprintf(label, sizeof label, "<< %s", unit);
  if (ImGui::Button(label)) act(TimeAction::kPrevBlock);
  ImGui::SameLine();
  if (ImGui::Button("< step")) act(TimeAction::kStepBack);
  ImGui::SameLine();
  if (ImGui::Button("step >")) act(TimeAction::kStepForward);
  ImGui::SameLine();
  std::snprintf(label, sizeof label, "%s >>", unit);
  if (ImGui::Button(label)) act(TimeAction::kNextBlock);
}

// The speed in steps a person can aim at (a logarithmic float slider jumped from 3 to 161
// events/s on a small drag): each notch is about 2x the one before; a preset's own speed sits
// between.
void draw_speed_slider(StepperView& view) {
  static constexpr float kSpeeds[] = {StepperView::kMinEventsPerSecond,
                                      1.0f,
                                      2.0f,
                                      3.0f,
                                      5.0f,
                                      10.0f,
                                      20.0f,
                                      30.0f,
                                      50.0f,
                                      100.0f,
                                      200.0f,
                                      500.0f,
                                      1000.0f,
                                      StepperView::kMaxEventsPerSecond};
  constexpr int kNotches = static_cast<int>(sizeof kSpeeds / sizeof kSpeeds[0]);
  int notch = 0;
  for (int i = 1; i < kNotches; ++i) {
    if (std::fabs(std::log(kSpeeds[i] / view.events_per_second)) <
        std::fabs(std::log(kSpeeds[notch] / view.events_per_second))) {
      notch = i;
    }
  }
  char speed_text[32];
  std::snprintf(speed_text, sizeof speed_text, "%.3g", static_cast<double>(view.events_per_second));
  if (ImGui::SliderInt("speed (per s)", &notch, 0, kNotches - 1, speed_text,
                       ImGuiSliderFlags_AlwaysClamp)) {
    view.events_per_second = kSpeeds[notch];
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("events per second; + / - keys: x1.5");
}

// The time controls: the buttons, the events-done and speed sliders, the keys that do the same.
void draw_time_controls(StepperModel& model, StepperView& view) {
  advance_playback(model, view);
  const char* unit = model.config().op == StepperOp::kConvTranspose2d ? "pixel" : "window";
  draw_time_buttons(model, view, unit);
  ImGui::PushItemWidth(-widgets::px(125.0f));
  const int64_t n = model.event_count();
  int64_t k = model.position();
  const int64_t lo = 0;
  char fmt[64];
  std::snprintf(fmt, sizeof fmt, "%%lld of %lld", static_cast<long long>(n));
  if (ImGui::SliderScalar("events done", ImGuiDataType_S64, &k, &lo, &n, fmt,
                          ImGuiSliderFlags_AlwaysClamp))
    model.set_position(k);
  draw_speed_slider(view);
  ImGui::PopItemWidth();
  char keys[160];
  std::snprintf(keys, sizeof keys,
                "Keys: Space play / pause, Left / Right one event, Shift+Left / Right one %s, "
                "Home / End, + / - speed (F1: all keys)",
                unit);
  wrapped(keys, &widgets::palette().hint);
  handle_stepper_keys(model, view);
}

// One radio button per label, on one line; `*value` is the index of the one chosen.
void radio_buttons_in_a_row(const char* const labels[], int count, int* value) {
  for (int i = 0; i < count; ++i) {
    if (i > 0) ImGui::SameLine();
    ImGui::RadioButton(labels[i], value, i);
  }
}

// "Export animation...": a dialog for the run to record (events, view, size, speed, file); the
// request goes to main.cpp (lab::AnimationExport), which draws the frames with this panel's code
// and writes them. While it runs: a progress bar and Cancel; then where it went, or why not.
void draw_export_dialog(const StepperModel& model, StepperView& view) {
  lab::AnimationExport& exp = view.animation;
  lab::AnimationRequest& r = exp.request;
  const int64_t n = model.event_count();
  if (ImGui::BeginPopupModal("Export animation", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted("Record this run as a GIF (or MP4): one frame per event.");
    ImGui::PushItemWidth(widgets::px(260.0f));
    r.to = r.to < 0 ? n : std::min(r.to, n);
    r.from = std::min(r.from, r.to);
    const int64_t lo = 0;
    ImGui::SliderScalar("from event", ImGuiDataType_S64, &r.from, &lo, &r.to, nullptr,
                        ImGuiSliderFlags_AlwaysClamp);
    ImGui::SliderScalar("to event", ImGuiDataType_S64, &r.to, &r.from, &n, nullptr,
                        ImGuiSliderFlags_AlwaysClamp);
    ImGui::SliderInt("frames per second", &r.fps, lab::kMinFps, lab::kMaxFps, "%d",
                     ImGuiSliderFlags_AlwaysClamp);
    static const int kSizes[][2] = {{1280, 800}, {960, 600}, {640, 400}};
    char size_text[32];
    std::snprintf(size_text, sizeof size_text, "%d x %d", r.width, r.height);
    if (ImGui::BeginCombo("size (pixels)", size_text)) {
      for (const auto& wh : kSizes) {
        std::snprintf(size_text, sizeof size_text, "%d x %d", wh[0], wh[1]);
        if (ImGui::Selectable(size_text, r.width == wh[0] && r.height == wh[1])) {
          r.width = wh[0];
          r.height = wh[1];
        }
      }
      ImGui::EndCombo();
    }
    ImGui::InputText("file (.gif, .mp4)", view.export_path, sizeof view.export_path);
    ImGui::PopItemWidth();
    if (model.config().op == StepperOp::kConvTranspose2d) {
      int v = static_cast<int>(r.view);
      const char* views[] = {"scatter (output)", "gather", "overlap"};
      radio_buttons_in_a_row(views, 3, &v);
      r.view = static_cast<lab::AnimationView>(v);
    } else {
      r.view = lab::AnimationView::kOverlap;
    }
    const int64_t frames = static_cast<int64_t>(lab::stepper_positions(n, r.from, r.to).size());
    ImGui::TextDisabled("%lld frames, %.1f s", static_cast<long long>(frames),
                        static_cast<double>(frames) / r.fps + lab::kHoldSeconds);
    if (ImGui::Button("Export")) {
      r.path = view.export_path;
      exp.pending = true;
      exp.progress = lab::AnimationProgress{};
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

void draw_export_controls(const StepperModel& model, StepperView& view) {
  const lab::AnimationProgress& p = view.animation.progress;
  if (!widgets::export_progress(view.animation, "frame", -widgets::px(90.0f))) {
    if (ImGui::Button("Export animation...")) {
      view.open_export_popup = true;
      // The dialog starts from what the panel shows: its right-hand view, and a file named
      // after the preset.
      lab::AnimationRequest& r = view.animation.request;
      r.view = view.second == StepperView::Second::kOverlap  ? lab::AnimationView::kOverlap
               : view.second == StepperView::Second::kOutput ? lab::AnimationView::kScatter
                                                             : lab::AnimationView::kGather;
      const auto& presets = lab::stepper_presets();
      if (view.preset_index >= 0 &&
          std::string(view.export_path).rfind("runs/animations/", 0) == 0) {
        std::snprintf(view.export_path, sizeof view.export_path, "runs/animations/stepper_%s.gif",
                      presets[static_cast<size_t>(view.preset_index)].name.c_str());
      }
    }
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("Record events a to b of this run, as shown here, to a GIF or MP4 file");
    }
    if (!p.message.empty()) {
      widgets::wrapped_at_spaces(p.message.c_str(),
                                 p.failed ? &widgets::palette().error : &widgets::palette().ok);
    }
  }
  if (view.open_export_popup) {
    ImGui::OpenPopup("Export animation");
    view.open_export_popup = false;
  }
  draw_export_dialog(model, view);
}

void draw_event_text(const StepperModel& model, const StepperView& view) {
  const auto e = model.current_event();
  const StepperConfig& c = model.config();
  ImGui::Text("Event %lld of %lld", static_cast<long long>(model.position()),
              static_cast<long long>(model.event_count()));
  if (!e) {
    wrapped("Nothing added yet: the output starts at 0. Press 'step >' or Play.",
            &widgets::palette().hint);
    return;
  }
  widgets::wrapped_at_spaces(model.event_text(*e),
                             &widgets::palette().accent);  // never inside a number
  char buf[480];
  if (c.op == StepperOp::kConvTranspose2d) {
    std::snprintf(buf, sizeof buf,
                  "Input pixel (%d, %d) stamps its value times the kernel with the top-left corner "
                  "at canvas (%d*%d, %d*%d) = (%d, %d), which is output (%d - %d, %d - %d) = (%d, "
                  "%d); tap (%d, %d) of the kernel lands %d*%d rows and %d*%d columns further.",
                  e->iy, e->ix, e->iy, c.stride.h, e->ix, c.stride.w, e->iy * c.stride.h,
                  e->ix * c.stride.w, e->iy * c.stride.h, c.padding.h, e->ix * c.stride.w,
                  c.padding.w, e->iy * c.stride.h - c.padding.h, e->ix * c.stride.w - c.padding.w,
                  e->ky, e->kx, e->ky, c.dilation.h, e->kx, c.dilation.w);
  } else if (c.op == StepperOp::kConv2d) {
    std::snprintf(buf, sizeof buf,
                  "Output (%d, %d) gathers the window whose top-left corner is input (%d*%d - %d, "
                  "%d*%d - %d) = (%d, %d); tap (%d, %d) reads input (%d, %d)%s.",
                  e->oy, e->ox, e->oy, c.stride.h, c.padding.h, e->ox, c.stride.w, c.padding.w,
                  e->oy * c.stride.h - c.padding.h, e->ox * c.stride.w - c.padding.w, e->ky, e->kx,
                  e->iy, e->ix, e->cropped ? ", which is zero padding" : "");
  } else {
    std::snprintf(buf, sizeof buf,
                  "Output (%d, %d) keeps the largest value of its %dx%d window; tap (%d, %d) "
                  "looks at input (%d, %d).",
                  e->oy, e->ox, c.kernel_size.h, c.kernel_size.w, e->ky, e->kx, e->iy, e->ix);
  }
  wrapped(buf, &widgets::palette().hint);
  (void)view;
}

// ---- Right side: grids -----------------------------------------------------------------------

// Draws a grid of `values` (rows, cols), row-major; its events say where its cells are.
widgets::HeatmapGridEvents grid(gfx::HeatmapRenderer& heatmaps, const char* title,
                                const std::vector<float>& values, int rows, int cols,
                                const widgets::HeatmapGridOptions& o) {
  return widgets::heatmap_grid(heatmaps, title, values.data(), rows, cols, o);
}

void open_editor(StepperView& view, StepperView::EditTarget target, int a, int b, int y, int x,
                 float value) {
  view.edit_target = target;
  view.edit_a = a;
  view.edit_b = b;
  view.edit_y = y;
  view.edit_x = x;
  view.edit_value = value;
  view.open_edit_popup = true;
}

void draw_edit_popup(StepperModel& model, StepperView& view) {
  if (view.open_edit_popup) {
    ImGui::OpenPopup("edit value");
    view.open_edit_popup = false;
  }
  if (ImGui::BeginPopup("edit value")) {
    if (view.edit_target == StepperView::EditTarget::kInput) {
      ImGui::Text("x[%d, %d, %d]", view.edit_a, view.edit_y, view.edit_x);
    } else {
      ImGui::Text("w[%d, %d, %d, %d]", view.edit_a, view.edit_b, view.edit_y, view.edit_x);
    }
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(widgets::px(120.0f));
    const bool enter = ImGui::InputFloat("##value", &view.edit_value, 0.1f, 1.0f, "%.2f",
                                         ImGuiInputTextFlags_EnterReturnsTrue);
    if (enter || ImGui::Button("Set")) {
      if (view.edit_target == StepperView::EditTarget::kInput) {
        model.set_input_value(view.edit_a, view.edit_y, view.edit_x, view.edit_value);
      } else {
        model.set_weight_value(view.edit_a, view.edit_b, view.edit_y, view.edit_x, view.edit_value);
      }
      view.preset_index = -1;
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
}

// Input x[ic] with the current pixel (transposed) or the current window (conv2d / pool) marked.
// For conv2d / pool the input is drawn with its zero padding around it.
void draw_input(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps, ImVec2 room,
                const std::optional<MacEvent>& e) {
  const StepperConfig& c = model.config();
  const int ic = e ? e->ic : 0;
  const bool padded = c.op != StepperOp::kConvTranspose2d;
  const int ph = padded ? c.padding.h : 0, pw = padded ? c.padding.w : 0;
  const int rows = c.H + 2 * ph, cols = c.W + 2 * pw;
  std::vector<float> values(static_cast<size_t>(rows * cols), 0.0f);
  std::vector<uint8_t> greyed(values.size(), 0);
  std::vector<ImU32> outline(values.size(), 0);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) {
      const int iy = y - ph, ix = x - pw;
      const size_t i = static_cast<size_t>(y * cols + x);
      if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W) {
        greyed[i] = 1;  // zero padding
      } else {
        values[i] = model.input().at(0, ic, iy, ix);
      }
    }
  const float lim = limit_of(plane(model.input().reshaped({c.C_in, c.H, c.W}), ic));
  char title[96];
  if (padded && (ph > 0 || pw > 0)) {
    std::snprintf(title, sizeof title, "input x[%d] + padding %d (grey)##in", ic, c.padding.h);
  } else {
    std::snprintf(title, sizeof title, "input x[%d] (%d x %d)##in", ic, c.H, c.W);
  }
  widgets::HeatmapGridOptions o = fitted(title, rows, cols, room, -lim, lim);
  // Numbered by real input indices: the padding is row/column -padding.. -1 and H.. (W..), as in
  // the event text and the contributions table.
  o.first_row_index = -ph;
  o.first_col_index = -pw;
  if (e) {
    if (c.op == StepperOp::kConvTranspose2d) {
      outline[static_cast<size_t>(e->iy * cols + e->ix)] = kCurrent;
    } else {
      // The window of the current output cell, then the current tap.
      for (int ky = 0; ky < c.kernel_size.h; ++ky)
        for (int kx = 0; kx < c.kernel_size.w; ++kx) {
          const int y = e->oy * c.stride.h + ky * c.dilation.h,
                    x = e->ox * c.stride.w + kx * c.dilation.w;
          if (y >= 0 && y < rows && x >= 0 && x < cols)
            outline[static_cast<size_t>(y * cols + x)] = kFootprint;
        }
      if (c.op == StepperOp::kMaxPool2d && !std::isinf(e->out_after)) {
        // Where the max so far sits.
        for (int ky = 0; ky <= e->ky; ++ky)
          for (int kx = 0; kx < c.kernel_size.w; ++kx) {
            if (ky == e->ky && kx > e->kx) break;
            const int iy = e->oy * c.stride.h - c.padding.h + ky * c.dilation.h;
            const int ix = e->ox * c.stride.w - c.padding.w + kx * c.dilation.w;
            if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W) continue;
            if (model.input().at(0, ic, iy, ix) == e->out_after) {
              outline[static_cast<size_t>((iy + ph) * cols + ix + pw)] = kArgmax;
              ky = c.kernel_size.h;  // first one wins, as the core
              break;
            }
          }
      }
      outline[static_cast<size_t>((e->iy + ph) * cols + e->ix + pw)] = kCurrent;
    }
  }
  o.cell_outline = outline.data();
  o.greyed = greyed.data();
  const widgets::HeatmapGridEvents ev = grid(heatmaps, title, values, rows, cols, o);
  if (ev.clicked()) {
    const int iy = ev.clicked_row - ph, ix = ev.clicked_col - pw;
    if (iy >= 0 && iy < c.H && ix >= 0 && ix < c.W) {
      open_editor(view, StepperView::EditTarget::kInput, ic, 0, iy, ix,
                  model.input().at(0, ic, iy, ix));
    }
  }
}

void draw_kernel(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps,
                 ImVec2 room, const std::optional<MacEvent>& e) {
  const StepperConfig& c = model.config();
  const int kH = c.kernel_size.h, kW = c.kernel_size.w;
  const bool transposed = c.op == StepperOp::kConvTranspose2d;
  const int a = e ? (transposed ? e->ic : e->oc) : 0, b = e ? (transposed ? e->oc : e->ic) : 0;
  std::vector<float> values(static_cast<size_t>(kH * kW));
  for (int ky = 0; ky < kH; ++ky)
    for (int kx = 0; kx < kW; ++kx)
      values[static_cast<size_t>(ky * kW + kx)] = model.weight().at(a, b, ky, kx);
  std::vector<ImU32> outline(values.size(), 0);
  if (e) outline[static_cast<size_t>(e->ky * kW + e->kx)] = kCurrent;
  const float lim =
      gfx::symmetric_limit(model.weight().data(), static_cast<size_t>(model.weight().numel()));
  char title[64];
  std::snprintf(title, sizeof title, "kernel w[%d, %d]##w", a, b);
  widgets::HeatmapGridOptions o = fitted(title, kH, kW, room, -lim, lim);
  o.cell_outline = outline.data();
  const widgets::HeatmapGridEvents ev = grid(heatmaps, title, values, kH, kW, o);
  if (ev.clicked()) {
    open_editor(view, StepperView::EditTarget::kWeight, a, b, ev.clicked_row, ev.clicked_col,
                model.weight().at(a, b, ev.clicked_row, ev.clicked_col));
  }
}

void draw_stamp(StepperModel& model, gfx::HeatmapRenderer& heatmaps, ImVec2 room,
                const std::optional<MacEvent>& e) {
  const StepperConfig& c = model.config();
  const int kH = c.kernel_size.h, kW = c.kernel_size.w;
  std::vector<float> values(static_cast<size_t>(kH * kW), 0.0f);
  if (e) values = model.stamp(*e);
  std::vector<ImU32> outline(values.size(), 0);
  if (e) outline[static_cast<size_t>(e->ky * kW + e->kx)] = kCurrent;
  const float lim = std::max(limit_of(values), 1e-6f);
  char title[64];
  std::snprintf(title, sizeof title, "stamp x * w = %s * w##stamp", e ? fmt2(e->x).c_str() : "x");
  widgets::HeatmapGridOptions o = fitted(title, kH, kW, room, -lim, lim);
  o.cell_outline = outline.data();
  grid(heatmaps, title, values, kH, kW, o);
}

// The uncropped canvas after k events (transposed), with the crop frame.
void draw_canvas(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps,
                 ImVec2 room, const std::optional<MacEvent>& e, float value_limit) {
  const StepperConfig& c = model.config();
  const int oc = e ? e->oc : view.selected_oc;
  const int H = model.display_h(), W = model.display_w();
  const std::vector<float> values = plane(model.canvas_after(model.position()), oc);
  std::vector<uint8_t> greyed(values.size(), 0);
  std::vector<ImU32> outline(values.size(), 0);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const CanvasAxis r = model.canvas_row(y), col = model.canvas_col(x);
      const size_t i = static_cast<size_t>(y * W + x);
      if (r == CanvasAxis::kCropped || col == CanvasAxis::kCropped)
        greyed[i] = 1;
      else if (r == CanvasAxis::kOutputPaddingExtra || col == CanvasAxis::kOutputPaddingExtra ||
               r == CanvasAxis::kOutputPaddingKept || col == CanvasAxis::kOutputPaddingKept)
        outline[i] = kOutputPad;
    }
  if (e) {
    // The current pixel's whole stamp, then this event's destination.
    for (int ky = 0; ky < c.kernel_size.h; ++ky)
      for (int kx = 0; kx < c.kernel_size.w; ++kx) {
        const int y = e->iy * c.stride.h + ky * c.dilation.h,
                  x = e->ix * c.stride.w + kx * c.dilation.w;
        outline[static_cast<size_t>(y * W + x)] = kFootprint;
      }
    const StepperModel::Cell d = model.destination(*e);
    outline[static_cast<size_t>(d.y * W + d.x)] = kCurrent;
  }
  if (view.selected_y >= 0) {
    const int y = view.selected_y + c.padding.h, x = view.selected_x + c.padding.w;
    if (y < H && x < W) outline[static_cast<size_t>(y * W + x)] = kSelected;
  }
  char title[160];
  std::snprintf(title, sizeof title, "canvas[%d] before cropping (%d x %d)##canvas", oc,
                model.canvas_h(), model.canvas_w());
  // The note under the grid: the legend, short, with the size formula in a tooltip, so a large
  // canvas (13 x 13 for the GAN preset) keeps room for its numbers. Measured, not guessed.
  char note[300];
  std::snprintf(note, sizeof note,
                "Canvas (r, c) is out (r - %d, c - %d). Green frame: the output (%d x %d); grey: "
                "cut away by padding = %d%s",
                c.padding.h, c.padding.w, model.out_h(), model.out_w(), c.padding.h,
                c.output_padding.h || c.output_padding.w ? "; blue: output_padding." : ".");
  char size_note[200];
  std::snprintf(size_note, sizeof size_note,
                "Canvas rows: (H-1)*stride + dilation*(kernel_size-1) + 1 = (%d-1)*%d + %d*(%d-1) "
                "+ 1 = %d; columns likewise: %d.",
                c.H, c.stride.h, c.dilation.h, c.kernel_size.h, model.canvas_h(), model.canvas_w());
  // The (?) marker goes beside the note: together no wider than the room, or the view beside the
  // canvas would be pushed off the panel.
  const float note_w =
      std::max(room.x, 200.0f) - ImGui::CalcTextSize("(?)").x - ImGui::GetStyle().ItemSpacing.x;
  const float notes_h =
      ImGui::CalcTextSize(note, nullptr, false, note_w).y + ImGui::GetStyle().ItemSpacing.y;
  widgets::HeatmapGridOptions o =
      fitted(title, H, W, ImVec2(room.x, room.y - notes_h), -value_limit, value_limit, 40.0f);
  o.cell_outline = outline.data();
  o.greyed = greyed.data();
  const widgets::HeatmapGridEvents ev = grid(heatmaps, title, values, H, W, o);
  frame_cells(ImGui::GetWindowDrawList(), ev.cell_origin, ev.cell_size, c.padding.h, c.padding.w,
              model.out_h(), model.out_w(), kCrop, 2.5f);
  if (ev.clicked()) {
    const int oy = ev.clicked_row - c.padding.h, ox = ev.clicked_col - c.padding.w;
    if (oy >= 0 && oy < model.out_h() && ox >= 0 && ox < model.out_w())
      select_output(view, oc, oy, ox);
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + note_w);
  ImGui::TextDisabled("%s", note);
  ImGui::PopTextWrapPos();
  widgets::help_marker(size_note);
}

// conv2d / max_pool2d: the running output.
void draw_output(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps,
                 ImVec2 room, const std::optional<MacEvent>& e, float value_limit,
                 const char* title) {
  const int oc = e ? e->oc : view.selected_oc;
  std::vector<int> written;
  const Tensor out = model.output_after(model.position(), &written);
  const std::vector<float> values = plane(out, oc);
  const int H = model.out_h(), W = model.out_w();
  std::vector<uint8_t> greyed(values.size(), 0);
  std::vector<ImU32> outline(values.size(), 0);
  const bool pool = model.config().op == StepperOp::kMaxPool2d;
  for (int i = 0; i < H * W; ++i) {
    // Not reached yet: greyed (for pools "no value yet"; sums start at 0).
    if (written[static_cast<size_t>(oc * H * W + i)] == 0 && pool)
      greyed[static_cast<size_t>(i)] = 1;
  }
  if (e && model.config().op != StepperOp::kConvTranspose2d)
    outline[static_cast<size_t>(e->oy * W + e->ox)] = kCurrent;
  if (e && model.config().op == StepperOp::kConvTranspose2d && !e->cropped) {
    outline[static_cast<size_t>(e->oy * W + e->ox)] = kCurrent;
  }
  if (view.selected_y >= 0 && view.selected_y < H && view.selected_x < W) {
    outline[static_cast<size_t>(view.selected_y * W + view.selected_x)] = kSelected;
  }
  widgets::HeatmapGridOptions o = fitted(title, H, W, room, -value_limit, value_limit);
  o.cell_outline = outline.data();
  o.greyed = greyed.data();
  const widgets::HeatmapGridEvents ev = grid(heatmaps, title, values, H, W, o);
  if (ev.clicked()) select_output(view, oc, ev.clicked_row, ev.clicked_col);
}

void draw_gather(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps,
                 ImVec2 room, const std::optional<MacEvent>& e) {
  const StepperConfig& c = model.config();
  const lab::GatherView& g = view.gather;
  const int ic = e ? e->ic : 0, oc = e ? e->oc : view.selected_oc;
  std::vector<float> values(static_cast<size_t>(g.gh * g.gw));
  for (int y = 0; y < g.gh; ++y)
    for (int x = 0; x < g.gw; ++x)
      values[static_cast<size_t>(y * g.gw + x)] = g.padded.at(0, ic, y, x);
  std::vector<uint8_t> greyed(values.size(), 0);
  std::vector<ImU32> outline(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (g.kind[i] == GatherCell::kPadding) greyed[i] = 1;
    if (g.kind[i] == GatherCell::kOutputPadding) outline[i] = kOutputPad;
  }
  // The window of the selected output cell, else of this event's destination.
  int wy = view.selected_y, wx = view.selected_x;
  ImU32 window_colour = kSelected;
  if (wy < 0 && e && !e->cropped) {
    wy = e->oy;
    wx = e->ox;
    window_colour = kCurrent;
  }
  if (wy >= 0) {
    for (int ky = 0; ky < c.kernel_size.h; ++ky)
      for (int kx = 0; kx < c.kernel_size.w; ++kx) {
        const int y = wy + ky * c.dilation.h, x = wx + kx * c.dilation.w;
        outline[static_cast<size_t>(y * g.gw + x)] = window_colour;
      }
  }
  const float lim = limit_of(values);
  // In a narrow column (1024 px windows, large UI scales) the short titles let the rotated
  // kernel stay beside the grid instead of scrolling off the panel.
  const float gap = widgets::px(16.0f);
  const char* kernel_title = "kernel rotated 180 deg";
  char title[200];
  std::snprintf(title, sizeof title, "same output as a gather over x[%d]##gather", ic);
  if (ImGui::CalcTextSize(title, nullptr, true).x + gap + ImGui::CalcTextSize(kernel_title).x >
      room.x) {
    std::snprintf(title, sizeof title, "gather over x[%d]##gather", ic);
    kernel_title = "kernel, 180 deg";
  }
  const float note_h = 4.4f * ImGui::GetTextLineHeightWithSpacing();
  ImVec2 grid_room(room.x * 0.72f, room.y - note_h);
  widgets::HeatmapGridOptions o = fitted(title, g.gh, g.gw, grid_room, -lim, lim, 34.0f);
  o.cell_outline = outline.data();
  o.greyed = greyed.data();
  o.show_colorbar = false;
  const widgets::HeatmapGridEvents ev = grid(heatmaps, title, values, g.gh, g.gw, o);
  if (ev.clicked()) {
    // A click picks the output cell whose window starts there.
    if (ev.clicked_row < model.out_h() && ev.clicked_col < model.out_w()) {
      select_output(view, oc, ev.clicked_row, ev.clicked_col);
    }
  }
  const int kH = c.kernel_size.h, kW = c.kernel_size.w;
  std::vector<float> rot(static_cast<size_t>(kH * kW));
  for (int ky = 0; ky < kH; ++ky)
    for (int kx = 0; kx < kW; ++kx)
      rot[static_cast<size_t>(ky * kW + kx)] = g.rotated_weight.at(oc, ic, ky, kx);
  const float wl = limit_of(rot);
  widgets::HeatmapGridOptions ko = fitted(
      kernel_title, kH, kW, ImVec2(std::max(room.x * 0.26f, 120.0f), 190.0f), -wl, wl, 30.0f);
  ko.cell_size = std::max(ko.cell_size, 14.0f);
  ko.show_colorbar = false;
  ImGui::SameLine(0.0f, gap);
  grid(heatmaps, kernel_title, rot, kH, kW, ko);
  char note[320];
  std::snprintf(note, sizeof note,
                "The input spread out with stride-1 = %d zero(s) between pixels (white), padded by "
                "dilation*(k-1) - padding = %d on every side (grey%s), then an ordinary stride-1 "
                "convolution with the kernel rotated 180 deg. Each output cell is one window "
                "(outlined): click one.",
                c.stride.h - 1, g.pad_h,
                c.output_padding.h || c.output_padding.w ? "; blue: output_padding" : "");
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + room.x);
  ImGui::TextDisabled("%s", note);
  ImGui::PopTextWrapPos();
}

// The overlap map: how many scatter-adds land in each canvas cell (transposed, with the crop
// frame), or how many windows read each input pixel (conv2d, max_pool2d: the padded input).
void draw_overlap_map(const StepperModel& model, const lab::OverlapMap& m,
                      gfx::HeatmapRenderer& heatmaps, ImVec2 grid_room) {
  const StepperConfig& c = model.config();
  const bool transposed = c.op == StepperOp::kConvTranspose2d;
  std::vector<float> values(m.canvas_counts.begin(), m.canvas_counts.end());
  std::vector<uint8_t> greyed(values.size(), 0);
  for (int y = 0; y < m.canvas_h; ++y)
    for (int x = 0; x < m.canvas_w; ++x) {
      const bool inside = transposed ? (model.canvas_row(y) != CanvasAxis::kCropped &&
                                        model.canvas_col(x) != CanvasAxis::kCropped)
                                     : (y >= c.padding.h && y < c.padding.h + c.H &&
                                        x >= c.padding.w && x < c.padding.w + c.W);
      greyed[static_cast<size_t>(y * m.canvas_w + x)] = !inside;
    }
  const char* title = transposed ? "overlap: how many scatter-adds land in each cell##overlap"
                                 : "how many windows read each input pixel##overlap";
  widgets::HeatmapGridOptions o = fitted(title, m.canvas_h, m.canvas_w, grid_room, 0.0f,
                                         static_cast<float>(std::max(m.max_count, 1)), 34.0f);
  o.colormap = gfx::Colormap::kGray;
  o.greyed = greyed.data();
  if (!transposed) {  // the padded input, numbered by real input indices like draw_input
    o.first_row_index = -c.padding.h;
    o.first_col_index = -c.padding.w;
  }
  o.value_format = o.cell_size >= 14.0f ? "%.0f" : nullptr;
  const widgets::HeatmapGridEvents ev = grid(heatmaps, title, values, m.canvas_h, m.canvas_w, o);
  if (transposed) {
    frame_cells(ImGui::GetWindowDrawList(), ev.cell_origin, ev.cell_size, c.padding.h, c.padding.w,
                model.out_h(), model.out_w(), kCrop, 2.5f);
  }
}

// What an even or uneven count away from the border means for this op.
const char* overlap_verdict(StepperOp op, bool uneven) {
  if (op == StepperOp::kConvTranspose2d) {
    return uneven ? "Uneven: a checkerboard even for a constant input (kernel_size not a "
                    "multiple of stride)."
                  : "Even: every inner cell gets the same number of stamps.";
  }
  if (op == StepperOp::kMaxPool2d) {  // its gradient goes to each window's maximum
    return uneven ? "Uneven: inner pixels are read by different numbers of windows (kernel_size "
                    "not a multiple of stride). The gradient still goes back only to each "
                    "window's maximum, one pixel per window."
                  : "Even: every inner pixel is read by the same number of windows. The "
                    "gradient goes back only to each window's maximum, one pixel per window.";
  }
  return uneven ? "Uneven: inner pixels are read by different numbers of windows (kernel_size "
                  "not a multiple of stride), so the gradient sent back is a checkerboard."
                : "Even: every inner pixel is read by the same number of windows.";
}

// The overlap map's readout: the counts away from the border (the op's own pattern, a
// checkerboard or not) and over the whole map, where cells at the border simply get fewer taps.
void draw_overlap_readout(StepperOp op, const lab::OverlapMap& m) {
  char buf[256];
  auto ratio = [](double r) {
    char b[32];
    if (std::isinf(r)) return std::string("infinite (some cells get nothing)");
    std::snprintf(b, sizeof b, "%.2f", r);
    return std::string(b);
  };
  const char* where = op == StepperOp::kConvTranspose2d ? "output" : "input";
  if (m.has_interior) {
    std::snprintf(buf, sizeof buf, "Away from the border: %d to %d, unevenness max/min = %s.",
                  m.interior_min, m.interior_max, ratio(m.interior_ratio).c_str());
    ImGui::TextUnformatted(buf);
    const bool uneven = m.interior_ratio > 1.0;
    wrapped(overlap_verdict(op, uneven),
            uneven ? &widgets::palette().error : &widgets::palette().hint);
    std::snprintf(
        buf, sizeof buf, "Whole %s, border included: %d to %d, max/min = %s%s", where, m.min_count,
        m.max_count, ratio(m.ratio).c_str(),
        m.ratio > m.interior_ratio ? ", from the border alone: cells there get fewer." : ".");
    wrapped(buf, &widgets::palette().hint);
  } else {
    std::snprintf(buf, sizeof buf, "Whole %s: %d to %d, unevenness max/min = %s.", where,
                  m.min_count, m.max_count, ratio(m.ratio).c_str());
    ImGui::TextUnformatted(buf);
    const bool uneven = m.ratio > 1.0;
    std::snprintf(buf, sizeof buf,
                  "%s too few cells lie away from the border (less than a stride of them) to "
                  "tell the op's own pattern from the border's. A larger H, W shows which it is.",
                  uneven ? "Uneven, but" : "Even; still,");
    wrapped(buf, uneven ? &widgets::palette().error : &widgets::palette().hint);
  }
}

// The overlap view: the map, and its readout under it (transposed: the map is half the panel
// wide) or beside it (conv2d / max_pool2d, so the map keeps the whole height).
void draw_overlap(StepperModel& model, const StepperView& view, gfx::HeatmapRenderer& heatmaps,
                  ImVec2 room) {
  const StepperOp op = model.config().op;
  const bool text_beside = op != StepperOp::kConvTranspose2d;
  const ImVec2 grid_room =
      text_beside ? ImVec2(room.x * 0.5f, room.y)
                  : ImVec2(room.x, room.y - 4.6f * ImGui::GetTextLineHeightWithSpacing());
  draw_overlap_map(model, view.overlap, heatmaps, grid_room);
  if (text_beside) {
    ImGui::SameLine(0.0f, widgets::px(16.0f));
    ImGui::BeginGroup();
    ImGui::Dummy(ImVec2(0.0f, ImGui::GetTextLineHeightWithSpacing()));  // below the title
  }
  draw_overlap_readout(op, view.overlap);
  if (text_beside) ImGui::EndGroup();
}

// The line above the contributions: which cell, how many of its multiply-adds (or window taps)
// are done, and their sum so far.
void draw_contributions_head(const StepperModel& model, const std::vector<lab::Contribution>& list,
                             int oc, int oy, int ox, bool chosen) {
  const size_t total = model.contributions(oc, oy, ox).size();
  const float value = model.output().at(0, oc, oy, ox);
  char head[256];
  if (model.config().op == StepperOp::kMaxPool2d) {
    std::snprintf(head, sizeof head,
                  "%s out[%d, %d, %d]: %zu of %zu window taps so far; at the end %s, the largest "
                  "of its window%s",
                  chosen ? "Selected" : "Being written:", oc, oy, ox, list.size(), total,
                  fmt2(value).c_str(), chosen ? "" : " (click a cell to pick another)");
  } else {
    float sum = 0.0f;
    for (const lab::Contribution& t : list) sum += t.product;
    std::snprintf(head, sizeof head,
                  "%s out[%d, %d, %d]: %zu of %zu multiply-adds so far, summing to %s (at the "
                  "end: %s)%s",
                  chosen ? "Selected" : "Being written:", oc, oy, ox, list.size(), total,
                  fmt2(sum).c_str(), fmt2(value).c_str(),
                  chosen ? "" : " (click a cell to pick another)");
  }
  ImGui::TextUnformatted(head);
}

// One row a multiply-add: event (click: jump there), input, weight, x, w, x * w. max_pool2d has
// no weights: its taps are positions in the window, and there is no w column.
void draw_contributions_table(StepperModel& model, const std::vector<lab::Contribution>& list,
                              int oc) {
  const StepperOp op = model.config().op;
  const bool pool = op == StepperOp::kMaxPool2d;
  const float height = ImGui::GetContentRegionAvail().y;
  const int columns = pool ? 5 : 6;
  if (!ImGui::BeginTable("contributions", columns,
                         ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                             ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp,
                         ImVec2(0.0f, std::max(height, 60.0f)))) {
    return;
  }
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("event");
  ImGui::TableSetupColumn("input");
  ImGui::TableSetupColumn(pool ? "window tap" : "weight");
  ImGui::TableSetupColumn("x");
  if (!pool) ImGui::TableSetupColumn("w");
  ImGui::TableSetupColumn(pool ? "picked" : "x * w");
  ImGui::TableHeadersRow();
  for (const lab::Contribution& t : list) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (ImGui::Selectable(std::to_string(t.step + 1).c_str(), model.position() == t.step + 1,
                          ImGuiSelectableFlags_SpanAllColumns)) {
      model.set_position(t.step + 1);  // jump there
    }
    ImGui::TableNextColumn();
    ImGui::Text("x[%d, %d, %d]", t.ic, t.iy, t.ix);
    ImGui::TableNextColumn();
    if (pool) {
      ImGui::Text("(%d, %d)", t.ky, t.kx);
    } else if (op == StepperOp::kConvTranspose2d) {
      ImGui::Text("w[%d, %d, %d, %d]", t.ic, oc, t.ky, t.kx);
    } else {
      ImGui::Text("w[%d, %d, %d, %d]", oc, t.ic, t.ky, t.kx);
    }
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(fmt2(t.x).c_str());
    if (!pool) {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(fmt2(t.w).c_str());
    }
    ImGui::TableNextColumn();
    if (pool) {
      ImGui::TextUnformatted(t.picked ? "max (argmax)" : "");
    } else {
      ImGui::TextUnformatted(fmt2(t.product).c_str());
    }
  }
  ImGui::EndTable();
}

// Every multiply-add that made the selected output cell (else the one being written now), up to
// the current step, so the list grows as the student steps.
void draw_contributions(StepperModel& model, StepperView& view) {
  int oc = view.selected_oc, oy = view.selected_y, ox = view.selected_x;
  const auto e = model.current_event();
  const bool chosen =
      oy >= 0 && oy < model.out_h() && ox < model.out_w() && oc < model.out_channels();
  if (!chosen) {
    if (!e || e->cropped) {
      wrapped(
          "Click an output cell (on the canvas inside the frame, the output or the gather view) "
          "to list every multiply-add that made its value.",
          &widgets::palette().hint);
      return;
    }
    oc = e->oc;  // the cell being written now
    oy = e->oy;
    ox = e->ox;
  }
  const std::vector<lab::Contribution> list = model.contributions(oc, oy, ox, model.position());
  draw_contributions_head(model, list, oc, oy, ox, chosen);
  draw_contributions_table(model, list, oc);
}

// What the views need from a new configuration or new values, computed once, not every frame:
// the gather view, the overlap counts, the colour scales, the backward summary.
void refresh_cached_views(const StepperModel& model, StepperView& view) {
  if (view.cached_version == model.version()) return;
  view.cached_version = model.version();
  view.backward_same = model.backward_is_same_scatter(&view.backward_summary);
  view.gather = model.gather_view();
  view.overlap = model.overlap();
  view.output_limit =
      gfx::symmetric_limit(model.output().data(), static_cast<size_t>(model.output().numel()));
  view.canvas_limit = view.output_limit;
  if (model.config().op == StepperOp::kConvTranspose2d) {
    const Tensor all = model.canvas_after(model.event_count());
    view.canvas_limit = gfx::symmetric_limit(all.data(), static_cast<size_t>(all.numel()));
  }
}

// The left column: controls, time, the event as text, and how backward relates to this op.
// Its scrollbar always there: the column's width does not change when the event text grows.
void draw_left_column(StepperModel& model, StepperView& view, float width) {
  ImGui::BeginChild("stepper_controls", ImVec2(width, 0.0f), false,
                    ImGuiWindowFlags_AlwaysVerticalScrollbar |
                        ImGuiWindowFlags_HorizontalScrollbar);  // large UI scales
  draw_controls(model, view);
  ImGui::Separator();
  draw_time_controls(model, view);
  if (!view.recording) draw_export_controls(model, view);
  ImGui::Separator();
  draw_event_text(model, view);
  if (model.config().op == StepperOp::kConvTranspose2d && !view.backward_summary.empty()) {
    ImGui::Separator();
    wrapped(view.backward_summary.c_str(), &widgets::palette().hint);
  } else if (model.config().op == StepperOp::kConv2d) {
    ImGui::Separator();
    wrapped(
        "Backward: conv2d's gradient for its input scatters each output gradient back through "
        "the same weights: that scatter is conv_transpose2d (switch the operation to see it).",
        &widgets::palette().hint);
  }
  ImGui::EndChild();
}

// The output as it is after the events so far, titled with its size.
void draw_running_output(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps,
                         ImVec2 room, const std::optional<MacEvent>& e) {
  char title[96];
  std::snprintf(title, sizeof title, "output, running (%d x %d)##out", model.out_h(),
                model.out_w());
  draw_output(model, view, heatmaps, room, e, view.output_limit, title);
}

// Where the pictures go on the right: the room they have, the heights of the two rows of grids
// and of the contributions under them.
struct ViewsLayout {
  ImVec2 avail;
  float gap = 22.0f;
  float row1_h = 0.0f, row2_h = 0.0f, contrib_h = 118.0f;
};

ViewsLayout layout_views(const StepperModel& model) {
  const StepperConfig& c = model.config();
  ViewsLayout l;
  l.avail = ImGui::GetContentRegionAvail();
  // A canvas of 10 to 16 cells a side (GAN: 13 x 13) takes some height from the input / kernel /
  // stamp row when those are small (at most 5 a side), so that more canvas cells have room for a
  // number. Larger canvases gain nothing (their cells are too small anyway), larger inputs lose.
  const int canvas_cells = std::max(model.display_h(), model.display_w());
  const bool canvas_first = c.op == StepperOp::kConvTranspose2d && canvas_cells >= 10 &&
                            canvas_cells <= 16 &&
                            std::max({c.H, c.W, c.kernel_size.h, c.kernel_size.w}) <= 5;
  l.row1_h = std::min(canvas_first ? 165.0f : 190.0f, l.avail.y * 0.27f);
  l.row2_h = l.avail.y - l.row1_h - l.contrib_h - 3.0f * ImGui::GetStyle().ItemSpacing.y - 30.0f;
  return l;
}

// Row 1: input | kernel | stamp (transposed); input | kernel | the running output (conv2d), the
// same without the kernel (max_pool2d).
void draw_first_row(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps,
                    const ViewsLayout& l, const std::optional<MacEvent>& e) {
  const StepperOp op = model.config().op;
  if (op == StepperOp::kConvTranspose2d) {
    draw_input(model, view, heatmaps, ImVec2(l.avail.x * 0.34f, l.row1_h), e);
    ImGui::SameLine(0.0f, l.gap);
    draw_kernel(model, view, heatmaps, ImVec2(l.avail.x * 0.28f, l.row1_h), e);
    ImGui::SameLine(0.0f, l.gap);
    draw_stamp(model, heatmaps, ImVec2(l.avail.x * 0.3f, l.row1_h), e);
    return;
  }
  draw_input(model, view, heatmaps, ImVec2(l.avail.x * 0.4f, l.row1_h + l.row2_h * 0.5f), e);
  if (op == StepperOp::kConv2d) {
    ImGui::SameLine(0.0f, l.gap);
    draw_kernel(model, view, heatmaps, ImVec2(l.avail.x * 0.25f, l.row1_h), e);
  }
  ImGui::SameLine(0.0f, l.gap);
  draw_running_output(model, view, heatmaps, ImVec2(l.avail.x * 0.3f, l.row1_h + l.row2_h * 0.5f),
                      e);
}

// Row 2 (transposed): the uncropped canvas, and beside it the view the radio buttons pick:
// the same output as a gather, the overlap counts, or the running output.
void draw_second_row(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps,
                     const ViewsLayout& l, const std::optional<MacEvent>& e) {
  ImGui::BeginGroup();
  draw_canvas(model, view, heatmaps, ImVec2(l.avail.x * 0.5f - l.gap, l.row2_h), e,
              view.canvas_limit);
  ImGui::EndGroup();
  ImGui::SameLine(0.0f, l.gap);
  ImGui::BeginGroup();
  int second = static_cast<int>(view.second);
  const char* views[] = {"gather view", "overlap", "output"};
  radio_buttons_in_a_row(views, 3, &second);
  view.second = static_cast<StepperView::Second>(second);
  const ImVec2 room(l.avail.x * 0.5f - l.gap, l.row2_h - ImGui::GetFrameHeightWithSpacing());
  if (view.second == StepperView::Second::kGather) {
    draw_gather(model, view, heatmaps, room, e);
  } else if (view.second == StepperView::Second::kOverlap) {
    draw_overlap(model, view, heatmaps, room);
  } else {
    draw_running_output(model, view, heatmaps, room, e);
  }
  ImGui::EndGroup();
}

}  // namespace

void draw_stepper_panel(StepperModel& model, StepperView& view, gfx::HeatmapRenderer& heatmaps) {
  refresh_cached_views(model, view);
  const float left_width = std::min(widgets::px(410.0f), 0.45f * ImGui::GetContentRegionAvail().x);
  draw_left_column(model, view, left_width);
  ImGui::SameLine();

  // Right: the pictures, in two rows, then the contributions of the selected cell.
  ImGui::BeginChild("stepper_views", ImVec2(0.0f, 0.0f), false,
                    ImGuiWindowFlags_HorizontalScrollbar);
  const auto e = model.current_event();
  const ViewsLayout l = layout_views(model);
  draw_first_row(model, view, heatmaps, l, e);
  if (model.config().op == StepperOp::kConvTranspose2d) {
    draw_second_row(model, view, heatmaps, l, e);
  } else {
    draw_overlap(model, view, heatmaps,
                 ImVec2(l.avail.x * 0.6f,
                        std::max(120.0f, ImGui::GetContentRegionAvail().y - l.contrib_h - 20.0f)));
  }
  ImGui::Separator();
  draw_contributions(model, view);
  ImGui::EndChild();
  draw_edit_popup(model, view);
}

}  // namespace convt::panels
