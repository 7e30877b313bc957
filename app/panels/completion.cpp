// The completion panel: the notes' learn-to-complete CNN (a generator that is not a GAN), trained
// tied and untied. The student picks a held-out digit or draws one, hides a region, and sees the
// masked input, both models' completions (live while drawing), the target, iterative refinement
// pass by pass, drawings from a blank canvas with random latent codes, parameter counts and the
// held-out loss curves of the shipped runs. Numbers come from lab::CompletionModel.
#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "logic/image_tiles.h"
#include "panels/completion_panel.h"
#include "panels/first_load.h"
#include "widgets/curve_plot.h"
#include "widgets/drawing_canvas.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::CompletionSection;
using lab::CompletionShow;
using lab::CompletionState;

namespace {

using lab::Tying;

const ImU32 kHiddenOutline = IM_COL32(255, 200, 60, 255);
const ImU32 kTiedColour = IM_COL32(110, 180, 255, 255);
const ImU32 kUntiedColour = IM_COL32(255, 150, 90, 255);
constexpr int kSize = lab::CompletionModel::kSize;

ImU32 tying_colour(Tying t) { return t == Tying::kTied ? kTiedColour : kUntiedColour; }
int index(Tying t) { return static_cast<int>(t); }

bool shown(const CompletionState& s, Tying t) {
  return s.show == CompletionShow::kBoth ||
         (s.show == CompletionShow::kTiedOnly ? t == Tying::kTied : t == Tying::kUntied);
}

const char* region_label(MaskKind k) {
  switch (k) {
    case MaskKind::bottom_half:
      return "bottom half";
    case MaskKind::left_half:
      return "left half";
    case MaskKind::random_square:
      return "random square";
    case MaskKind::everything:
      return "everything";
  }
  return "?";
}

// The bounding box (rows r0..r1, cols c0..c1 inclusive) of the mask's hidden pixels; false when
// nothing is hidden.
bool hidden_box(const Tensor& mask, int* r0, int* c0, int* r1, int* c1) {
  *r0 = *c0 = kSize;
  *r1 = *c1 = -1;
  for (int r = 0; r < kSize; ++r) {
    for (int c = 0; c < kSize; ++c) {
      if (mask[r * kSize + c] != 0.0f) continue;
      *r0 = std::min(*r0, r);
      *r1 = std::max(*r1, r);
      *c0 = std::min(*c0, c);
      *c1 = std::max(*c1, c);
    }
  }
  return *r1 >= 0;
}

// One (28, 28) image in [-1, 1] as a grayscale texture at the cursor, `cell` pixels a pixel,
// with the hidden region outlined when `mask` is given. Returns the image's top-left corner.
ImVec2 draw_image(gfx::HeatmapRenderer& heatmaps, const char* id, const float* values, float cell,
                  const Tensor* mask = nullptr) {
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float side = kSize * cell;
  const GLuint texture =
      heatmaps.render(ImGui::GetID(id), values, kSize, kSize, -1.0f, 1.0f, gfx::Colormap::kGray);
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture)), ImVec2(side, side));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  int r0, c0, r1, c1;
  if (mask && hidden_box(*mask, &r0, &c0, &r1, &c1)) {
    draw->AddRect(ImVec2(p0.x + c0 * cell, p0.y + r0 * cell),
                  ImVec2(p0.x + (c1 + 1) * cell, p0.y + (r1 + 1) * cell), kHiddenOutline, 0.0f, 0,
                  2.0f);
  }
  return p0;
}

// A box of the images' size where a model could not be loaded (the reason is printed in full
// under the row, draw_load_errors).
void draw_missing(float side) {
  ImGui::BeginChild(ImGui::GetID("##missing"), ImVec2(side, side), true);
  ImGui::PushStyleColor(ImGuiCol_Text, widgets::palette().error);
  ImGui::TextWrapped("Not loaded: the reason is below.");
  ImGui::PopStyleColor();
  ImGui::EndChild();
}

// Each model that could not be loaded: the whole message and how to make one.
void draw_load_errors(const CompletionState& s) {
  bool any = false;
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x);
  for (Tying t : lab::kBothTyings) {
    if (s.model.loaded(t)) continue;
    any = true;
    ImGui::TextColored(widgets::palette().error, "%s", s.model.error(t).c_str());
  }
  if (any) {
    ImGui::TextColored(widgets::palette().note,
                       "Train them: convt-lab complete-train --steps 5000 --out RUN, then copy "
                       "RUN/<tied|untied>/checkpoint.safetensors to assets/checkpoints/"
                       "completion28_<tied|untied>.safetensors (assets/README.md).");
  }
  ImGui::PopTextWrapPos();
}

// ---- Start: the shipped models, their logs, the held-out digits -------------------------------

void draw_input_controls(CompletionState& s) {
  ImGui::TextUnformatted("Input:");
  ImGui::SameLine();
  const bool have_digits = s.heldout.size() > 0;
  if (!have_digits) ImGui::BeginDisabled();
  if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) lab::completion_pick_digit(s, s.digit - 1);
  ImGui::SameLine(0, widgets::px(4));
  int d = s.digit;
  ImGui::SetNextItemWidth(widgets::px(190));
  if (ImGui::SliderInt("##digit", &d, 0, std::max(0, static_cast<int>(s.heldout.size()) - 1),
                       s.drawn ? "your drawing" : "held-out #%d", ImGuiSliderFlags_AlwaysClamp)) {
    lab::completion_pick_digit(s, d);
  }
  ImGui::SameLine(0, widgets::px(4));
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) lab::completion_pick_digit(s, s.digit + 1);
  ImGui::SameLine();
  if (ImGui::Button("Random digit")) {
    Rng rng(s.pick_seed++);
    lab::completion_pick_digit(
        s, static_cast<int>(rng.below(static_cast<uint64_t>(s.heldout.size()))));
  }
  if (!have_digits) ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Clear (draw your own)")) {
    s.model.clear_canvas();
    s.drawn = true;
  }
  widgets::help_marker(
      "Hold the left mouse button on the target and move to draw (or erase, with the brush set "
      "to erase); the right button always erases. The completions follow as you draw. The "
      "1000 held-out digits are every 10th built-in digit: the models never trained on them.",
      30.0f);
  if (!s.data_error.empty())
    ImGui::TextColored(widgets::palette().error, "%s", s.data_error.c_str());

  ImGui::TextUnformatted("Hidden region:");
  for (MaskKind k : {MaskKind::bottom_half, MaskKind::left_half, MaskKind::random_square,
                     MaskKind::everything}) {
    ImGui::SameLine();
    if (ImGui::RadioButton(region_label(k), s.model.region() == k)) s.model.set_region(k);
  }
  if (s.model.region() == MaskKind::random_square) {
    ImGui::SameLine();
    if (ImGui::Button("New square")) s.model.set_square_seed(s.model.square_seed() + 1);
  }
  widgets::help_marker(
      "The hidden pixels are set to 0 (mid-grey on the [-1, 1] scale) before the network sees "
      "the image; the yellow box marks them. 'everything' hides the whole image: a blank "
      "canvas. The shipped models were trained with the bottom half hidden, so the other "
      "regions show how far that skill carries.",
      30.0f);

  ImGui::TextUnformatted("Compare:");
  ImGui::SameLine();
  if (ImGui::RadioButton("tied and untied", s.show == CompletionShow::kBoth)) {
    s.show = CompletionShow::kBoth;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("tied only", s.show == CompletionShow::kTiedOnly)) {
    s.show = CompletionShow::kTiedOnly;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("untied only", s.show == CompletionShow::kUntiedOnly)) {
    s.show = CompletionShow::kUntiedOnly;
  }
  ImGui::SameLine(0, widgets::px(36));
  ImGui::TextUnformatted("mouse on the target:");
  ImGui::SameLine();
  if (ImGui::RadioButton("draw", !s.erase)) s.erase = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("erase", s.erase)) s.erase = true;
}

// ---- The canvas (target, drawable), the masked input, the completions --------------------------

void draw_canvas(CompletionState& s, gfx::HeatmapRenderer& heatmaps, float cell) {
  lab::CompletionModel& m = s.model;
  lab::Brush brush;
  brush.erase = s.erase;
  const widgets::CanvasInput in =
      widgets::canvas_input("##canvas", kSize, kSize, cell, s.stroke, brush);
  if (in.has_segment && m.stroke(in.y0, in.x0, in.y1, in.x1, in.brush)) s.drawn = true;
  ImGui::SetCursorScreenPos(in.origin);
  draw_image(heatmaps, "##canvas_image", m.canvas().data(), cell, &m.mask());
  widgets::canvas_overlay(in, kSize, kSize, cell);
}

void draw_main_row(CompletionState& s, gfx::HeatmapRenderer& heatmaps) {
  lab::CompletionModel& m = s.model;
  const float cell = widgets::px(6.0f), side = kSize * cell;

  ImGui::BeginGroup();
  if (s.drawn) {
    ImGui::TextUnformatted("target: your drawing");
  } else {
    ImGui::Text("target: held-out #%d (a %d)", s.digit,
                s.heldout.labels[static_cast<size_t>(s.digit)]);
  }
  draw_canvas(s, heatmaps, cell);
  ImGui::TextColored(widgets::palette().note, "draw on it with the mouse");
  ImGui::EndGroup();
  ImGui::SameLine(0, widgets::px(18));

  ImGui::BeginGroup();
  ImGui::TextUnformatted("masked input");
  draw_image(heatmaps, "##masked", m.masked().data(), cell, &m.mask());
  ImGui::TextColored(widgets::palette().note, "what the network sees");
  ImGui::EndGroup();

  for (Tying t : lab::kBothTyings) {
    if (!shown(s, t)) continue;
    ImGui::SameLine(0, widgets::px(18));
    ImGui::BeginGroup();
    ImGui::PushStyleColor(ImGuiCol_Text, tying_colour(t));
    ImGui::Text("%s completion", lab::tying_name(t));
    ImGui::PopStyleColor();
    if (!m.loaded(t)) {
      ImGui::PushID(index(t));
      draw_missing(side);
      ImGui::PopID();
      ImGui::EndGroup();
      continue;
    }
    const Tensor& out = m.completion(t);
    draw_image(heatmaps, t == Tying::kTied ? "##tied_out" : "##untied_out", out.data(), cell,
               &m.mask());
    const lab::RegionError e = m.completion_error(t);
    ImGui::Text("MSE hidden %.3f", e.hidden_mse);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "Mean squared error to the target, pixels in [-1, 1]:\n"
          "  over the %lld hidden pixels: %.4f\n  over all 784 pixels: %.4f\n"
          "(0 = perfect; a flat grey guess of 0 scores about the mean ink^2)",
          static_cast<long long>(e.hidden), e.hidden_mse, e.mse);
    }
    ImGui::EndGroup();
  }
}

// A visible warning when the hidden region is not the one the models were trained on.
void draw_region_note(const CompletionState& s) {
  const lab::CompletionModel& m = s.model;
  for (Tying t : lab::kBothTyings) {
    if (!m.loaded(t) || m.trained_mask(t) == m.region()) continue;
    const auto phrase = [](MaskKind k) {
      return k == MaskKind::bottom_half     ? "the bottom half"
             : k == MaskKind::left_half     ? "the left half"
             : k == MaskKind::random_square ? "a random square"
                                            : "the whole image";
    };
    ImGui::TextColored(widgets::palette().accent,
                       "These models learned to fill in %s; hiding %s is new to them.",
                       phrase(m.trained_mask(t)), phrase(m.region()));
    return;
  }
}

// ---- Right column: the two models side by side ------------------------------------------------

void ensure_eval(CompletionState& s) {
  lab::CompletionModel& m = s.model;
  if (s.eval_valid && s.eval_region == m.region() && s.eval_square_seed == m.square_seed()) return;
  s.eval_region = m.region();
  s.eval_square_seed = m.square_seed();
  s.eval_valid = true;
  for (Tying t : lab::kBothTyings) {
    s.eval[index(t)] = s.heldout.size() > 0 ? m.evaluate(t, s.heldout.images, 1) : CompletionEval();
  }
}

void draw_comparison(CompletionState& s) {
  lab::CompletionModel& m = s.model;
  ensure_eval(s);
  ImGui::TextUnformatted("Tied vs untied");
  widgets::help_marker(
      "Weight tying: each decoder ConvTranspose2d uses the kernel of its mirror encoder "
      "Conv2d, the same numbers in memory (decoder 16 -> 8 uses encoder 8 -> 16's kernel, "
      "decoder 8 -> 1 uses encoder 1 -> 8's), so the conv kernels are trained and counted once. "
      "The decoder keeps its own biases. Both runs: same seed, same data order, same steps.",
      30.0f);
  const ImGuiTableFlags flags =
      ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("##compare", 3, flags)) {
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 205.0f);
    ImGui::TableSetupColumn("tied", ImGuiTableColumnFlags_WidthFixed, 95.0f);
    ImGui::TableSetupColumn("untied", ImGuiTableColumnFlags_WidthFixed, 95.0f);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted("");
    for (Tying t : lab::kBothTyings) {
      ImGui::TableSetColumnIndex(1 + index(t));
      ImGui::PushStyleColor(ImGuiCol_Text, tying_colour(t));
      ImGui::TextUnformatted(lab::tying_name(t));
      ImGui::PopStyleColor();
    }
    auto row = [&](const char* label, const char* tip, auto&& cell) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(label);
      if (tip && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
      for (Tying t : lab::kBothTyings) {
        ImGui::TableSetColumnIndex(1 + index(t));
        if (m.loaded(t)) {
          cell(t);
        } else {
          ImGui::TextColored(widgets::palette().error, "not loaded");
        }
      }
    };
    row("parameters", "Every trained number; a tied kernel counts once.",
        [&](Tying t) { ImGui::Text("%lld", static_cast<long long>(m.parameter_count(t))); });
    row("  in conv / ConvT layers",
        "Weights and biases of the 2 Conv2d and 2 ConvTranspose2d layers. The rest is the\n"
        "Linear layer that mixes the encoded features with the latent code.",
        [&](Tying t) { ImGui::Text("%lld", static_cast<long long>(m.conv_parameter_count(t))); });
    row("training steps", "Batches of 32 digits each, bottom half hidden.",
        [&](Tying t) { ImGui::Text("%lld", static_cast<long long>(m.trained_steps(t))); });
    row("held-out MSE (log, end)",
        "The run's last evaluation on the 1000 held-out digits with the region it trained on\n"
        "hidden, latent code zero (log.csv, column heldout_mse).",
        [&](Tying t) {
          if (m.has_log(t)) {
            ImGui::Text("%.4f", m.log(t).final_heldout_mse());
          } else {
            ImGui::TextColored(widgets::palette().error, "no log");
          }
        });
    const std::string region_row = std::string("held-out MSE, ") + region_label(m.region());
    row(region_row.c_str(),
        "Computed now on the 1000 held-out digits with the region chosen above hidden,\n"
        "latent code zero; over all 784 pixels of each digit.",
        [&](Tying t) { ImGui::Text("%.4f", s.eval[index(t)].mse); });
    row("  hidden pixels only",
        "The same completions, the error over the hidden pixels alone: how well the\n"
        "model guesses what it cannot see (the visible part is nearly copied).",
        [&](Tying t) { ImGui::Text("%.4f", s.eval[index(t)].hidden_mse); });
    ImGui::EndTable();
  }
  for (Tying t : lab::kBothTyings) {
    if (!m.log_error(t).empty()) {
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 420.0f);
      ImGui::TextColored(widgets::palette().error, "%s log: %s", lab::tying_name(t),
                         m.log_error(t).c_str());
      ImGui::PopTextWrapPos();
    }
  }
}

void draw_curves(CompletionState& s, float width, float height) {
  lab::CompletionModel& m = s.model;
  std::vector<widgets::CurveSeries> series;
  for (Tying t : lab::kBothTyings) {
    if (!m.has_log(t) || !shown(s, t)) continue;
    widgets::CurveSeries c;
    c.label = std::string(lab::tying_name(t)) + " held-out";
    c.colour = tying_colour(t);
    c.x = m.log(t).heldout_step;
    c.y = m.log(t).heldout_mse;
    series.push_back(std::move(c));
  }
  if (series.empty()) {
    ImGui::TextColored(widgets::palette().note, "No training log to plot.");
    return;
  }
  widgets::CurvePlotOptions o;
  o.x_label = "step";
  o.y_label = "held-out MSE";
  o.size = ImVec2(width, height);
  o.y_min = 0.0f;
  widgets::curve_plot("##heldout_curves", series, {}, o);
}

// What the table and the curves say, in plain words, from the loaded numbers.
void draw_reading(CompletionState& s) {
  lab::CompletionModel& m = s.model;
  if (!m.loaded(Tying::kTied) || !m.loaded(Tying::kUntied)) return;
  const int64_t saved = m.parameter_count(Tying::kUntied) - m.parameter_count(Tying::kTied);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x);
  ImGui::TextColored(
      widgets::palette().note,
      "Tying shares %lld kernel weights: the conv layers need %lld instead of %lld "
      "parameters (about half). The whole model shrinks only %.1f%%: the Linear layer "
      "that mixes the features with the latent code holds %lld of them.",
      static_cast<long long>(saved), static_cast<long long>(m.conv_parameter_count(Tying::kTied)),
      static_cast<long long>(m.conv_parameter_count(Tying::kUntied)),
      100.0 * static_cast<double>(saved) / static_cast<double>(m.parameter_count(Tying::kUntied)),
      static_cast<long long>(m.parameter_count(Tying::kUntied) -
                             m.conv_parameter_count(Tying::kUntied)));
  ImGui::PopTextWrapPos();
}

// ---- Lower sections ----------------------------------------------------------------------------

void draw_refinement(CompletionState& s, gfx::HeatmapRenderer& heatmaps) {
  lab::CompletionModel& m = s.model;
  ImGui::SetNextItemWidth(widgets::px(160));
  ImGui::SliderInt("passes", &s.refine_passes, 1, lab::CompletionModel::kMaxPasses, "%d",
                   ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - 30.0f);
  ImGui::TextColored(widgets::palette().note,
                     "The notes' iterative refinement: each pass feeds the previous output back "
                     "in, with the visible pixels put back.");
  ImGui::PopTextWrapPos();
  widgets::help_marker(
      "Pass 1 sees the hidden pixels as 0 (grey), as in training. From pass 2 on they hold the "
      "model's own guess, which it never saw as input in training: it reads the guess as real "
      "ink. If the MSE under the passes rises, the model drifts away from the digit instead of "
      "sharpening it: refinement only helps a model trained to refine (e.g. trained on its own "
      "outputs).",
      30.0f);
  // As large as fits: 70 px of label, then the passes with 6 px between.
  const float room = ImGui::GetContentRegionAvail().x - 70.0f - 6.0f * s.refine_passes;
  const float cell = std::clamp(room / (kSize * s.refine_passes), 1.5f, 3.0f);
  for (Tying t : lab::kBothTyings) {
    if (!shown(s, t)) continue;
    ImGui::PushID(index(t));
    ImGui::BeginGroup();
    ImGui::PushStyleColor(ImGuiCol_Text, tying_colour(t));
    ImGui::Text("%-6s", lab::tying_name(t));
    ImGui::PopStyleColor();
    ImGui::EndGroup();
    ImGui::SameLine(70);
    if (!m.loaded(t)) {
      ImGui::TextColored(widgets::palette().error, "model not loaded");
      ImGui::PopID();
      continue;
    }
    const std::vector<Tensor> passes = m.refinement(t, s.refine_passes);
    for (size_t k = 0; k < passes.size(); ++k) {
      if (k > 0) ImGui::SameLine(0, widgets::px(6));
      ImGui::BeginGroup();
      char id[32];
      std::snprintf(id, sizeof id, "##pass%zu", k);
      draw_image(heatmaps, id, passes[k].data(), cell, &m.mask());
      const lab::RegionError e = lab::region_error(passes[k], m.canvas(), m.mask());
      ImGui::TextColored(widgets::palette().note, "%zu: %.3f", k + 1, e.hidden_mse);
      ImGui::EndGroup();
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("pass %zu: MSE to the target over the hidden pixels %.4f", k + 1,
                          e.hidden_mse);
      }
    }
    ImGui::PopID();
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x);
  ImGui::TextColored(widgets::palette().note,
                     "Under each pass: its MSE to the target on the hidden pixels. If it grows "
                     "pass after pass, the model reads its own guess as real ink: it was "
                     "trained with the hidden part grey (0), never with a guess there.");
  ImGui::PopTextWrapPos();
}

void draw_blank_canvas(CompletionState& s, gfx::HeatmapRenderer& heatmaps) {
  lab::CompletionModel& m = s.model;
  ImGui::SetNextItemWidth(widgets::px(110));
  ImGui::InputScalar("seed", ImGuiDataType_U64, &s.blank_seed);
  ImGui::SameLine();
  if (ImGui::Button("New codes")) ++s.blank_seed;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(140));
  ImGui::SliderInt("drawings", &s.blank_count, 1, 16, "%d", ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::TextColored(widgets::palette().note, "input: 0 everywhere + a code z ~ N(0, 1)");
  widgets::help_marker(
      "The network's input is a blank canvas (every pixel hidden) and a latent code of 8 "
      "numbers drawn from the seed; both models get the same codes. Only the code varies from "
      "one drawing to the next: this is what the decoder makes of nothing. The shipped models "
      "were trained to complete the bottom half, never a blank canvas, so expect blurry "
      "averages rather than crisp digits.",
      30.0f);
  const float cell = 2.6f;
  double spread[2] = {-1.0, -1.0};  // per model; -1: not shown
  for (Tying t : lab::kBothTyings) {
    if (!shown(s, t)) continue;
    ImGui::PushStyleColor(ImGuiCol_Text, tying_colour(t));
    ImGui::Text("%-6s", lab::tying_name(t));
    ImGui::PopStyleColor();
    ImGui::SameLine(70);
    if (!m.loaded(t)) {
      ImGui::TextColored(widgets::palette().error, "model not loaded");
      continue;
    }
    const Tensor images = m.blank_canvas(t, s.blank_count, s.blank_seed);
    const lab::TiledImage tiles = lab::tile_images(images, std::min(8, s.blank_count), 2, -0.4f);
    const GLuint texture = heatmaps.render(
        ImGui::GetID(t == Tying::kTied ? "##blank_tied" : "##blank_untied"), tiles.values.data(),
        tiles.rows, tiles.cols, -1.0f, 1.0f, gfx::Colormap::kGray);
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture)),
                 ImVec2(tiles.cols * cell, tiles.rows * cell));
    if (s.blank_count > 1) spread[index(t)] = lab::spread_across_images(images);
  }
  if (spread[0] >= 0.0 || spread[1] >= 0.0) {
    std::string line = "How much the drawings differ (mean per-pixel std across codes):";
    for (Tying t : lab::kBothTyings) {
      if (spread[index(t)] < 0.0) continue;
      char buf[64];
      std::snprintf(buf, sizeof buf, " %s %.4f", lab::tying_name(t), spread[index(t)]);
      line += buf;
    }
    ImGui::TextUnformatted(line.c_str());
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "For each pixel, the standard deviation of its value over the %d drawings;\n"
          "averaged over the 784 pixels, pixels in [-1, 1]. Near 0: the drawings are the same\n"
          "whatever the code. Up to 1: they differ as much as black and white.",
          s.blank_count);
    }
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x);
  ImGui::TextColored(
      widgets::palette().note,
      "Why so alike? In training the code is fresh noise for every image, unrelated to the "
      "target, so under MSE the best the network can do is ignore it and draw the average "
      "completion. And a blank canvas is an input these models never saw: they learned to "
      "complete a visible top half. (A GAN's D would punish a code that changes nothing.)");
  ImGui::PopTextWrapPos();
}

}  // namespace

void draw_completion_panel(CompletionState& s, gfx::HeatmapRenderer& heatmaps) {
  const auto take = [](CompletionState& into, CompletionState& loaded) {
    into.model = std::move(loaded.model);
    into.heldout = std::move(loaded.heldout);
    into.data_error = std::move(loaded.data_error);
    into.digit = loaded.digit;
    into.drawn = loaded.drawn;
    into.eval_valid = false;
  };
  if (first_load(
          s, [](CompletionState&) {}, [](CompletionState& fresh) { lab::completion_load(fresh); },
          take, "Loading the two completion models, their logs and the held-out digits")) {
    return;
  }
  try {
    const float right_w = widgets::px(430.0f);
    const float left_w = ImGui::GetContentRegionAvail().x - right_w - widgets::px(12.0f);
    ImGui::BeginChild("##completion_left", ImVec2(left_w, 0), false,
                      ImGuiWindowFlags_HorizontalScrollbar);  // narrow windows scroll
    draw_input_controls(s);
    ImGui::Separator();
    draw_main_row(s, heatmaps);
    draw_region_note(s);
    draw_load_errors(s);
    ImGui::Separator();
    if (ImGui::BeginTabBar("##completion_sections")) {
      const auto flags_for = [&](CompletionSection sec) {
        return (s.select_section && s.section == sec) ? ImGuiTabItemFlags_SetSelected : 0;
      };
      if (ImGui::BeginTabItem("Iterative refinement", nullptr,
                              flags_for(CompletionSection::kRefine))) {
        if (!s.select_section) s.section = CompletionSection::kRefine;
        draw_refinement(s, heatmaps);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Blank canvas", nullptr,
                              flags_for(CompletionSection::kBlankCanvas))) {
        if (!s.select_section) s.section = CompletionSection::kBlankCanvas;
        draw_blank_canvas(s, heatmaps);
        ImGui::EndTabItem();
      }
      s.select_section = false;
      ImGui::EndTabBar();
    }
    ImGui::EndChild();
    ImGui::SameLine(0, widgets::px(12));
    ImGui::BeginChild("##completion_right", ImVec2(0, 0), false);
    draw_comparison(s);
    ImGui::Spacing();
    draw_curves(s, right_w - 10.0f, 250.0f);
    draw_reading(s);
    ImGui::EndChild();
  } catch (const std::exception& e) {
    // Should not happen with models that loaded; say so rather than crash the app.
    ImGui::TextColored(widgets::palette().error, "completion panel: %s", e.what());
  }
}

}  // namespace convt::panels
