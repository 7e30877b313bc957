// The formula panel: H_out of a transposed convolution, term by term with the numbers
// substituted, two plots, the round trip through the forward convolution, the sizes that exactly
// double, Keras' 'same'/'valid' in PyTorch's terms and the network tables of the notes' models.
// Everything it says comes from lab::evaluate & co. (app/logic/formula_model.h, unit-tested).
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "panels/stepper_panels.h"
#include "widgets/export_progress.h"
#include "widgets/line_plot.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::FormulaView;

namespace {

using widgets::wrapped;

std::vector<widgets::PlotSeriesPoint> series(const std::vector<lab::PlotPoint>& points) {
  std::vector<widgets::PlotSeriesPoint> s;
  for (const lab::PlotPoint& p : points) s.push_back({p.x, p.y, p.valid, p.error});
  return s;
}

void draw_terms(const lab::FormulaParams& p, const lab::FormulaResult& r) {
  widgets::wrapped_at_spaces(
      "H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1");
  if (!r.valid) {
    wrapped("Not valid: " + r.error, &widgets::palette().error);
    return;
  }
  const size_t first = r.formula.find(" = ");
  const size_t numbers = first == std::string::npos ? first : r.formula.find(" = ", first + 3);
  wrapped("      " + (numbers == std::string::npos ? r.formula : r.formula.substr(numbers + 1)),
          &widgets::palette().accent);
  if (!r.notes_form.empty()) {
    ImGui::TextDisabled("With dilation 1 this is the notes' form:");
    wrapped(r.notes_form, &widgets::palette().hint);
  }
  if (ImGui::BeginTable(
          "terms", 4,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit)) {
    // Column 4 wraps.
    ImGui::TableSetupColumn("term");
    ImGui::TableSetupColumn("numbers");
    ImGui::TableSetupColumn("value");
    ImGui::TableSetupColumn("what it does", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const lab::FormulaTerm& t : r.terms) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(t.symbolic.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(t.substituted.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%+d", t.value);
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", t.explanation.c_str());
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("H_out");
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    ImGui::TextColored(widgets::palette().accent, "%d", r.H_out);
    ImGui::TableNextColumn();
    ImGui::Text("%d -> %d%s", p.H, r.H_out,
                lab::exactly_doubles(p) ? "  (exactly doubles, for every H)" : "");
    ImGui::EndTable();
  }
  ImGui::TextDisabled("In PyTorch (import torch.nn as nn):");
  const std::string line = lab::pytorch_layer_line(p);
  wrapped(line, &widgets::palette().hint);
  if (ImGui::SmallButton("Copy##pytorch")) ImGui::SetClipboardText(line.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Copy this line to the clipboard");
}

void draw_round_trip(const lab::FormulaParams& p) {
  ImGui::TextUnformatted("The forward conv2d (same kernel_size, stride, padding, dilation):");
  ImGui::TextUnformatted(
      "H_conv = floor((X + 2*padding - dilation*(kernel_size - 1) - 1)/stride) + 1");
  const lab::RoundTrip rt = lab::round_trip(p);
  if (rt.rows.empty()) {
    ImGui::TextDisabled("No input size X gives a conv output of %d with these parameters.", p.H);
    return;
  }
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "%zu input size(s) X give the same conv output H = %d (the floor throws the rest "
                "away); output_padding picks which one the transposed conv returns:",
                rt.rows.size(), p.H);
  wrapped(buf, &widgets::palette().hint);
  if (ImGui::BeginTable(
          "roundtrip", 3,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("conv2d: X -> H");
    ImGui::TableSetupColumn("output_padding");
    ImGui::TableSetupColumn("conv_transpose2d back: H -> X", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const lab::RoundTripRow& row : rt.rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d -> %d", row.conv_input, row.conv_output);
      ImGui::TableNextColumn();
      if (row.output_padding == p.output_padding) {
        ImGui::TextColored(widgets::palette().accent, "%d (current)", row.output_padding);
      } else {
        ImGui::Text("%d", row.output_padding);
      }
      ImGui::TableNextColumn();
      const size_t eq = row.check.rfind(" = (");
      ImGui::TextUnformatted(eq == std::string::npos ? row.check.c_str()
                                                     : row.check.c_str() + eq + 3);
    }
    ImGui::EndTable();
  }
}

void draw_doubling(FormulaView& view) {
  ImGui::TextUnformatted("Parameter sets that exactly double (stride 2, dilation 1), for every H:");
  for (const lab::DoublingSet& d : lab::doubling_sets(7)) {
    char label[160];
    std::snprintf(label, sizeof label, "k%d s2 p%d op%d%s%s", d.kernel_size, d.padding,
                  d.output_padding, d.note.empty() ? "" : ": ", d.note.c_str());
    const bool current = view.params.kernel_size == d.kernel_size && view.params.stride == 2 &&
                         view.params.padding == d.padding &&
                         view.params.output_padding == d.output_padding &&
                         view.params.dilation == 1;
    const bool starred =
        d.note.find("GAN") != std::string::npos || d.note.find("minimal") != std::string::npos;
    if (starred) ImGui::PushStyleColor(ImGuiCol_Text, widgets::palette().good);
    if (ImGui::Selectable(label, current)) {
      view.params.kernel_size = d.kernel_size;
      view.params.stride = 2;
      view.params.padding = d.padding;
      view.params.output_padding = d.output_padding;
      view.params.dilation = 1;
    }
    if (starred) ImGui::PopStyleColor();
  }
}

void draw_keras(const lab::FormulaParams& p) {
  const lab::KerasExplanation k = lab::keras_explanation(p.kernel_size, p.stride, p.H);
  char buf[96];
  std::snprintf(buf, sizeof buf,
                "Keras padding names for k%d s%d, in PyTorch's terms (H = %d):", p.kernel_size,
                p.stride, p.H);
  ImGui::TextUnformatted(buf);
  for (size_t i = 0; i < k.lines.size(); ++i) {
    const bool warn = k.shifted && i == 4;
    wrapped("- " + k.lines[i], warn ? &widgets::palette().accent : nullptr);
  }
}

void draw_network(FormulaView& view) {
  lab::load_formula_models(view);
  if (view.models.empty()) return;
  view.model_index = std::clamp(view.model_index, 0, static_cast<int>(view.models.size()) - 1);
  // As wide as the column allows, with its label beside it.
  ImGui::SetNextItemWidth(std::min(widgets::px(360.0f), ImGui::GetContentRegionAvail().x -
                                                            ImGui::CalcTextSize("model").x -
                                                            ImGui::GetStyle().ItemInnerSpacing.x));
  if (ImGui::BeginCombo("model",
                        view.models[static_cast<size_t>(view.model_index)].title.c_str())) {
    for (int i = 0; i < static_cast<int>(view.models.size()); ++i) {
      if (ImGui::Selectable(view.models[static_cast<size_t>(i)].title.c_str(),
                            i == view.model_index)) {
        view.model_index = i;
      }
    }
    ImGui::EndCombo();
  }
  for (const std::string& e : view.model_errors) wrapped(e, &widgets::palette().error);
  const std::vector<lab::TableRow> rows =
      lab::network_table(view.models[static_cast<size_t>(view.model_index)]);
  if (ImGui::BeginTable("network", 4,
                        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                            ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY,
                        ImVec2(0.0f, ImGui::GetContentRegionAvail().y))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("layer");
    ImGui::TableSetupColumn("in");
    ImGui::TableSetupColumn("parameters and formula (W alike)", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("out");
    ImGui::TableHeadersRow();
    for (const lab::TableRow& r : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const std::string type = r.type == "ConvTranspose2d" ? "ConvT"
                               : r.type == "Conv2d"        ? "Conv"
                                                           : r.type;
      ImGui::Text("%s", type.c_str());
      ImGui::TextDisabled("%s", r.layer.c_str());
      if (!r.after.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("then %s", r.after.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.in_shape.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.params.c_str());
      if (r.ok) {
        ImGui::TextWrapped("%s", r.formula.c_str());
      } else {
        wrapped(r.formula, &widgets::palette().error);
      }
      // The shape-keeping layers folded into this row (activations, BatchNorm, Dropout): in
      // the table, not only in a tooltip, so the table lists every layer of the network.
      if (!r.after.empty()) {
        widgets::push_wrap_at_visible_edge();
        ImGui::TextDisabled("then %s (shape kept)", r.after.c_str());
        ImGui::PopTextWrapPos();
      }
      ImGui::TableNextColumn();
      ImGui::TextColored(widgets::palette().accent, "%s", r.out_shape.c_str());
    }
    ImGui::EndTable();
  }
}

}  // namespace

namespace {

// "Export sweep": one parameter moved across its slider's range, the others as they are, as a
// GIF (runs/animations/formula_<name>.gif, 2 values a second); main.cpp writes it
// (lab::AnimationExport) while a progress bar with Cancel shows here.
void draw_sweep_export(FormulaView& view) {
  lab::AnimationExport& exp = view.animation;
  const lab::AnimationProgress& progress = exp.progress;
  if (widgets::export_progress(exp, "frame", -widgets::px(90.0f))) return;
  const std::vector<lab::FormulaParamRange>& ranges = lab::formula_param_ranges();
  view.sweep_param = std::clamp(view.sweep_param, 0, static_cast<int>(ranges.size()) - 1);
  const lab::FormulaParamRange& r = ranges[static_cast<size_t>(view.sweep_param)];
  if (ImGui::Button("Export sweep of")) {
    exp.request = lab::AnimationRequest{};
    exp.request.sweep_param = r.name;
    exp.request.from = r.lo;
    exp.request.to = r.hi;
    exp.request.fps = 2;
    exp.request.path = std::string("runs/animations/formula_") + r.name + ".gif";
    exp.pending = true;
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "A GIF of this panel with %s going %d .. %d, the rest as set, to "
        "runs/animations/formula_%s.gif",
        r.name, r.lo, r.hi, r.name);
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(160.0f));
  if (ImGui::BeginCombo("##sweep_param", r.name)) {
    for (int i = 0; i < static_cast<int>(ranges.size()); ++i) {
      if (ImGui::Selectable(ranges[static_cast<size_t>(i)].name, i == view.sweep_param)) {
        view.sweep_param = i;
      }
    }
    ImGui::EndCombo();
  }
  if (!progress.message.empty()) {
    widgets::wrapped_at_spaces(progress.message.c_str(), progress.failed ? &widgets::palette().error
                                                                         : &widgets::palette().ok);
  }
}

// The parameters' sliders, two a row, each with its label inside half the column.
void draw_sliders(lab::FormulaParams& p, float left_width) {
  const float half = 0.5f * left_width;
  const float label_room =
      ImGui::CalcTextSize("output_padding").x + 2.0f * ImGui::GetStyle().ItemInnerSpacing.x;
  ImGui::PushItemWidth(std::clamp(half - label_room - ImGui::GetStyle().ItemSpacing.x,
                                  widgets::px(60.0f), widgets::px(165.0f)));
  const std::vector<lab::FormulaParamRange>& ranges = lab::formula_param_ranges();
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (i % 2 == 1) ImGui::SameLine(half);
    ImGui::SliderInt(ranges[i].name, &(p.*ranges[i].field), ranges[i].lo, ranges[i].hi, "%d",
                     ImGuiSliderFlags_AlwaysClamp);
  }
  ImGui::PopItemWidth();
}

// The two plots side by side: H_out against H, and against stride or padding (a combo picks),
// with the current setting marked; their legend under them.
void draw_plots(FormulaView& view) {
  const lab::FormulaParams& p = view.params;
  const float w = ImGui::GetContentRegionAvail().x;
  widgets::LinePlotOptions o;
  o.size = ImVec2(0.5f * (w - widgets::px(16.0f)) - widgets::px(8.0f), widgets::px(230.0f));
  o.x_label = "H (input size)";
  o.y_label = "H_out";
  o.marked_x = p.H;
  o.draw_diagonal_2x = true;
  ImGui::BeginGroup();
  // The title wraps within the plot's width, so the two plots share the column.
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + o.size.x);
  ImGui::AlignTextToFramePadding();  // level with the combo of the plot beside it
  ImGui::TextWrapped("H_out against H (faint line: 2H)");
  ImGui::PopTextWrapPos();
  widgets::line_plot("vs_h", series(lab::plot_vs_input(p, 32)), o);
  ImGui::EndGroup();
  ImGui::SameLine(0.0f, widgets::px(16.0f));
  ImGui::BeginGroup();
  int which = view.second_vs_padding ? 1 : 0;
  // The choice as a small combo beside the title: it fits the half-width plot at any scale.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("H_out against");
  const float combo_width = widgets::px(100.0f);
  if (ImGui::CalcTextSize("H_out against ").x + combo_width <= o.size.x) ImGui::SameLine();
  ImGui::SetNextItemWidth(combo_width);
  ImGui::Combo("##second_plot", &which, "stride\0padding\0");
  view.second_vs_padding = which == 1;
  o.draw_diagonal_2x = false;
  o.colour = IM_COL32(255, 140, 90, 255);
  if (view.second_vs_padding) {
    o.x_label = "padding";
    o.marked_x = p.padding;
    widgets::line_plot("vs_p", series(lab::plot_vs_padding(p, 8)), o);
  } else {
    o.x_label = "stride";
    o.marked_x = p.stride;
    widgets::line_plot("vs_s", series(lab::plot_vs_stride(p, 8)), o);
  }
  ImGui::EndGroup();
  widgets::push_wrap_at_visible_edge();
  ImGui::TextDisabled(
      "Yellow dot: the current setting. Hover a point for its values; red x: not "
      "valid there (hover for why).");
  ImGui::PopTextWrapPos();
}

}  // namespace

void draw_formula_panel(FormulaView& view) {
  lab::FormulaParams& p = view.params;
  const float left_width = std::min(widgets::px(610.0f), 0.55f * ImGui::GetContentRegionAvail().x);
  // Left: the sliders, then the formula explained. Its scrollbar always there: the column keeps
  // its width when the contents grow.
  ImGui::BeginChild("formula_left", ImVec2(left_width, 0.0f), false,
                    ImGuiWindowFlags_AlwaysVerticalScrollbar |
                        ImGuiWindowFlags_HorizontalScrollbar);  // large UI scales
  draw_sliders(p, left_width);
  if (!view.recording) draw_sweep_export(view);
  ImGui::Separator();
  const lab::FormulaResult r = lab::evaluate(p);
  draw_terms(p, r);
  ImGui::Separator();
  draw_round_trip(p);
  ImGui::Separator();
  draw_keras(p);
  ImGui::Separator();
  draw_doubling(view);
  ImGui::EndChild();

  // Right: the plots, then the network table.
  ImGui::SameLine(0.0f, widgets::px(18.0f));
  ImGui::BeginChild("formula_right", ImVec2(0.0f, 0.0f), false,
                    ImGuiWindowFlags_AlwaysVerticalScrollbar);
  draw_plots(view);
  ImGui::Separator();
  wrapped("Network table: each layer's formula applied, input to output");
  draw_network(view);
  ImGui::EndChild();
}

}  // namespace convt::panels
