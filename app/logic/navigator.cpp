#include "logic/navigator.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "app_state.h"
#include "convt/train/masks.h"
#include "logic/latent_model.h"

namespace convt::lab {

void Navigator::open_panel(PanelId id) {
  state_.view.active_panel = id;
  state_.view.select_requested = true;
}

// ---- A lesson's Show me ----------------------------------------------------------------------

void Navigator::apply_stepper(const StepperTarget& t) {
  StepperModel& model = state_.model.stepper;
  StepperView& view = state_.view.stepper;
  if (!stepper_load_preset(model, view, t.preset)) {
    throw std::logic_error("lesson Show me: unknown stepper preset '" + t.preset + "'");
  }
  model.set_position(t.step < 0 ? model.event_count() : t.step);
  view.selected_oc = t.oc;
  view.selected_y = t.y;
  view.selected_x = t.x;
  if (t.view) view.second = *t.view;
}

void Navigator::apply_formula(const FormulaTarget& t) {
  FormulaView& view = state_.view.formula;
  view.params = t.params;
  if (t.model.empty()) return;
  const int index = find_formula_model(view, t.model);
  if (index >= 0) view.model_index = index;
}

void Navigator::apply_latent(const LatentTarget& t) {
  LatentState& ls = state_.latent;
  ls.seed = t.seed;
  ls.steps = t.steps;
  ls.mode = t.slerp ? Interpolation::kSpherical : Interpolation::kLinear;
  ls.a.clear();  // the strip starts again from the new current z (A) to seed 202's (B)
  ls.b.clear();
  // Not started yet: its first draw loads the shipped model and randomises z from ls.seed.
  if (ls.started && ls.model.loaded()) ls.model.randomise(t.seed);
}

void Navigator::apply_completion(const CompletionTarget& t) {
  CompletionRequest r;
  r.region = parse_mask(t.region);
  r.show = t.show;
  r.section = t.section;
  r.heldout_digit = t.heldout_digit;
  r.refine_passes = t.refine_passes;
  r.blank_seed = t.blank_seed;
  completion_open(state_.completion, r);
}

void Navigator::apply_cnn(const CnnTarget& t) {
  const KernelPreset* preset = find_kernel_preset(t.kernel);
  if (preset == nullptr) {
    throw std::logic_error("lesson Show me: unknown kernel preset '" + t.kernel + "'");
  }
  CnnModel& m = state_.model.cnn;
  m.apply_preset(static_cast<int>(preset - cnn_kernel_presets().data()));
  m.source = CnnSource::kDigit;
  m.digit = t.digit;
  m.stride = t.stride;
  m.padding = t.padding;
  m.dilation = 1;
  m.relu = t.relu;
  m.pool = t.pool;
  m.load_picture();
  CnnView& v = state_.view.cnn;
  v.pinned_y = t.y;  // -1: the panel selects the centre
  v.pinned_x = t.x;
  v.hovered_y = v.hovered_x = -1;
}

// Other generators has no settings of its own in a lesson: its Show me opens it as the lessons
// describe it, with rgb32 on the smileys (the student may have switched to all emoji).
void Navigator::apply_experiments() {
  ExperimentsState& e = state_.experiments;
  if (!e.model.rgb_all_emoji) return;
  e.model.rgb_all_emoji = false;
  if (e.model.loaded()) e.model.recompute();
  e.stale = true;
}

bool Navigator::show_me(int lesson, int index, std::string* note) {
  const Lesson& l = lessons().at(static_cast<size_t>(lesson));
  const ShowMe& s = l.show_me.at(static_cast<size_t>(index));
  const std::optional<PanelId> id = find_panel(s.panel);
  if (!id) {
    if (note != nullptr) *note = "The " + s.panel + " panel is not in this build yet.";
    return false;
  }
  switch (*id) {
    case PanelId::kStepper:
      apply_stepper(s.stepper);
      break;
    case PanelId::kFormula:
      apply_formula(s.formula);
      break;
    case PanelId::kTraining:
      start_lesson_run(s.training, note);
      break;
    case PanelId::kLatent:
      apply_latent(s.latent);
      break;
    case PanelId::kCompletion:
      apply_completion(s.completion);
      break;
    case PanelId::kCnn:
      apply_cnn(s.cnn);
      break;
    case PanelId::kExperiments:
      apply_experiments();
      break;
    default:  // the panel opens as it is
      break;
  }
  state_.view.lessons.current = lesson;
  open_panel(*id);
  CameFrom& back = state_.view.came_from;
  back.active = true;
  back.shown_on = *id;
  back.back_to = PanelId::kLessons;
  back.lesson = lesson;
  back.text = "Lesson " + std::to_string(lesson + 1) + " (" + l.title + "), Show me: " + s.label;
  back.button = "Back to lesson " + std::to_string(lesson + 1);
  return true;
}

// ---- The latent explorer's "Step through this" ------------------------------------------------

std::string Navigator::open_stepper_on_slice(const StepperSlice& slice,
                                             const std::string& layer_name) {
  const std::string error = load_into_stepper(slice, state_.model.stepper);
  if (!error.empty()) return error;
  StepperView& view = state_.view.stepper;
  view.preset_index = -1;  // not a preset: a slice of G
  view.playing = false;
  view.selected_oc = 0;
  view.selected_y = slice.window_oy;
  view.selected_x = slice.window_ox;
  open_panel(PanelId::kStepper);
  char text[320];
  std::snprintf(text, sizeof text,
                "G layer %s, input channel %d -> output channel %d, output pixel (%d, %d): "
                "the real weights, and the real input for the Latent tab's z",
                layer_name.c_str(), slice.in_channel, slice.out_channel, slice.oy, slice.ox);
  state_.view.came_from =
      CameFrom{true, PanelId::kStepper, PanelId::kLatent, -1, text, "Back to Latent"};
  return "";
}

std::string Navigator::open_stepper_on_cnn_pixel(int c, int oy, int ox) {
  const CnnModel& cnn = state_.model.cnn;
  const std::string error = load_cnn_window_into_stepper(cnn, c, oy, ox, state_.model.stepper);
  if (!error.empty()) return error;
  StepperView& view = state_.view.stepper;
  view.preset_index = -1;  // not a preset: a window of the CNN panel's picture
  view.playing = false;
  view.selected_oc = 0;
  view.selected_y = 0;
  view.selected_x = 0;
  open_panel(PanelId::kStepper);
  const char* names[] = {"", " red", " green", " blue"};
  const int name = cnn.channels() == 3 ? c + 1 : 0;
  char text[320];
  std::snprintf(text, sizeof text,
                "CNN output pixel (%d, %d)%s: the real kernel on the real %dx%d window of the "
                "picture (0 where it reads the padding)",
                oy, ox, names[name], cnn.window(oy, ox).span, cnn.window(oy, ox).span);
  state_.view.came_from = CameFrom{true, PanelId::kStepper, PanelId::kCnn, -1, text, "Back to CNN"};
  return "";
}

std::string Navigator::play_landing_stamp(const Exercise& e, int lesson) {
  if (e.kind != ExerciseKind::kLandingCells) return "not a landing exercise";
  StepperConfig c;
  c.op = StepperOp::kConvTranspose2d;
  c.H = c.W = e.H;
  c.C_in = c.C_out = 1;
  c.kernel_size = {e.kernel_size, e.kernel_size};
  c.stride = {e.stride, e.stride};
  c.padding = {e.padding, e.padding};
  c.output_padding = {0, 0};
  c.dilation = {e.dilation, e.dilation};
  StepperModel& model = state_.model.stepper;
  const std::string check = validate(c);
  if (!check.empty()) return "the stepper cannot show this setting: " + check;
  if (!model.set_config(c)) return model.error();
  for (int y = 0; y < e.H; ++y) {
    for (int x = 0; x < e.H; ++x) {
      model.set_input_value(0, y, x, y == e.at_y && x == e.at_x ? 1.0f : 0.0f);
    }
  }
  for (int ky = 0; ky < e.kernel_size; ++ky) {
    for (int kx = 0; kx < e.kernel_size; ++kx) model.set_weight_value(0, 0, ky, kx, 1.0f);
  }
  // The events come one stamp (block) per input pixel: find the pixel's block.
  const int64_t taps = model.block_size();
  int64_t first = -1;
  for (int64_t k = 0; k < model.event_count() && first < 0; k += taps) {
    const MacEvent m = model.event(k);
    if (m.iy == e.at_y && m.ix == e.at_x) first = k;
  }
  if (first < 0) return "the stepper's events hold no scatter-add of that pixel";
  model.set_position(first);
  StepperView& view = state_.view.stepper;
  view.preset_index = -1;  // the exercise's setting, not a preset
  view.selected_oc = 0;
  view.selected_y = view.selected_x = -1;
  view.second = StepperView::Second::kOutput;
  view.events_per_second = std::clamp(static_cast<float>(taps) / 6.0f, 1.0f, 8.0f);
  view.play_carry = 0.0;
  view.play_until = first + taps;
  view.playing = true;
  open_panel(PanelId::kStepper);
  CameFrom back;
  back.active = true;
  back.shown_on = PanelId::kStepper;
  back.back_to = PanelId::kLessons;
  back.lesson = lesson;
  back.text = "Lesson " + std::to_string(lesson + 1) +
              ", Where does this pixel land?: input pixel (" + std::to_string(e.at_y) + ", " +
              std::to_string(e.at_x) +
              ") stamps the kernel (all ones; every other pixel 0), one tap a step";
  back.button = "Back to lesson " + std::to_string(lesson + 1);
  state_.view.came_from = back;
  return "";
}

std::string Navigator::open_stepper_on_inside_channel(int network, int row, int channel) {
  ConvPixelSlice s;
  try {
    s = inside_channel_slice(state_.model.cnn.inside, network, row, channel);
  } catch (const std::exception& e) {
    return e.what();
  }
  const std::string error = load_conv_slice_into_stepper(s, state_.model.stepper);
  if (!error.empty()) return error;
  StepperView& view = state_.view.stepper;
  view.preset_index = -1;  // not a preset: a window of the classifier's or D's layer input
  view.playing = false;
  view.selected_oc = 0;
  view.selected_y = 0;
  view.selected_x = 0;
  open_panel(PanelId::kStepper);
  char text[320];
  std::snprintf(text, sizeof text,
                "%s layer %zu Conv2d, output channel %d, pixel (%d, %d), input channel %d of %d: "
                "the real %dx%d window of its input and the real kernel",
                network == 0 ? "Classifier" : "D", s.layer, s.out_channel, s.oy, s.ox, s.in_channel,
                s.in_channels, s.span, s.span);
  state_.view.came_from = CameFrom{true, PanelId::kStepper, PanelId::kCnn, -1, text, "Back to CNN"};
  return "";
}

// ---- The training dashboard -----------------------------------------------------------------

void Navigator::open_saved_run(const std::string& name, std::string* note) {
  lab::open_saved_run(state_.training, saved_run_dir(name), note);
}

void Navigator::start_lesson_run(const TrainingTarget& target, std::string* note) {
  lab::start_lesson_run(state_.training, target, note);
}

TrainingSession* Navigator::training_session() const { return state_.training.session.get(); }

// ---- Back ---------------------------------------------------------------------------------------

void Navigator::go_back() {
  CameFrom& back = state_.view.came_from;
  state_.view.active_panel = back.back_to;
  if (back.lesson >= 0) state_.view.lessons.current = back.lesson;
  state_.view.select_requested = true;
  back.active = false;
}

}  // namespace convt::lab
