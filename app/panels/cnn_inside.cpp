// The CNN panel's "Inside the classifier": draw a digit (or pick a built-in one) and watch it go
// through the shipped digit classifier and a GAN's D, layer by layer, as Adam Harley's CNN
// visualisation does. Left: the canvas, the ten class probabilities and D(x). Then the
// classifier's feature maps and D's, one row of channel tiles per layer, most active first.
// Clicking a tile shows that channel larger with the kernels of the Conv2d behind it, and
// "Step through this" opens the stepper on its most active output pixel. The numbers come from
// lab::InsideModel (app/logic/cnn_inside.h).
#include <imgui.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "convt/nn/layers.h"
#include "gfx/colormap.h"
#include "panels/cnn_panel.h"
#include "widgets/curve_plot.h"
#include "widgets/drawing_canvas.h"
#include "widgets/heatmap_grid.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::InsideModel;
using lab::InsideView;
using lab::LayerMaps;
using lab::NetworkInside;

namespace {

constexpr int kSize = lab::kInsideSize;
const ImU32 kSelectedColour = IM_COL32(255, 204, 0, 255);

ImTextureID texture_id(GLuint texture) {
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture));
}

// The colour range of one layer, shared by its channels so that they compare: gray from 0 to
// the layer's max when nothing is negative (after ReLU), else blue-white-red, symmetric.
struct LayerRange {
  float vmin = 0.0f, vmax = 1.0f;
  gfx::Colormap colormap = gfx::Colormap::kGray;
};

LayerRange layer_range(const LayerMaps& m) {
  const float* v = m.maps.data();
  const size_t n = static_cast<size_t>(m.maps.numel());
  LayerRange r;
  if (std::all_of(v, v + n, [](float x) { return x >= 0.0f; })) {
    r.vmax = std::max(*std::max_element(v, v + n), 1e-6f);
  } else {
    r.vmax = gfx::symmetric_limit(v, n);
    r.vmin = -r.vmax;
    r.colormap = gfx::Colormap::kDiverging;
  }
  return r;
}

// ---- Left column: the canvas, the probabilities, D(x) ---------------------------------------

void draw_canvas(InsideModel& m, InsideView& v, gfx::HeatmapRenderer& heatmaps, float cell) {
  lab::Brush brush{0.45f, 1.15f, v.erase};  // 2-3 px strokes at 20x20, as the digits' pen
  const widgets::CanvasInput in =
      widgets::canvas_input("##inside_canvas", kSize, kSize, cell, v.stroke, brush);
  if (in.has_segment) m.stroke(in.y0, in.x0, in.y1, in.x1, in.brush);
  ImGui::SetCursorScreenPos(in.origin);
  const GLuint tex = heatmaps.render(ImGui::GetID("##inside_image"), m.canvas.data(), kSize, kSize,
                                     -1.0f, 1.0f, gfx::Colormap::kGray);
  ImGui::Image(texture_id(tex), ImVec2(kSize * cell, kSize * cell));
  widgets::canvas_overlay(in, kSize, kSize, cell);
}

void draw_drawing_controls(InsideModel& m, InsideView& v) {
  ImGui::TextUnformatted(m.drawn ? "Your drawing (20 x 20)" : "A built-in digit (20 x 20)");
  const bool have_digits = m.digits && m.digits->size() > 0;
  if (!have_digits) ImGui::BeginDisabled();
  if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) m.pick_digit(m.digit - 1);
  ImGui::SameLine(0, widgets::px(4));
  int d = m.digit;
  ImGui::SetNextItemWidth(widgets::px(130));
  if (ImGui::SliderInt("##digit", &d, 0, have_digits ? static_cast<int>(m.digits->size()) - 1 : 0,
                       m.drawn ? "your drawing" : "digit #%d", ImGuiSliderFlags_AlwaysClamp)) {
    m.pick_digit(d);
  }
  ImGui::SameLine(0, widgets::px(4));
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) m.pick_digit(m.digit + 1);
  if (!have_digits) ImGui::EndDisabled();
  if (ImGui::Button("Clear (draw your own)")) m.clear();
  ImGui::SameLine();
  widgets::help_marker(
      "Hold the left mouse button on the canvas and move to draw; the right button erases. "
      "Everything to the right follows as you draw. The 10,000 built-in digits are ordered by "
      "class, about 1,000 of each (the 3s start at #3119).");
  if (ImGui::RadioButton("draw", !v.erase)) v.erase = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("erase", v.erase)) v.erase = true;
  ImGui::Checkbox("every channel", &v.all_channels);
  ImGui::SameLine();
  widgets::help_marker(
      "Off: each layer shows the channels that fit on one row, the most active first (mean "
      "|value| over the map). On: all of them, row after row.");
  if (!m.digits_error.empty()) {
    const ImVec4 error_colour = widgets::palette().error;
    widgets::wrapped(m.digits_error, &error_colour);
  }
}

// The ten class probabilities as horizontal bars, the most likely highlighted.
void draw_probabilities(const InsideModel& m, float width) {
  ImGui::TextUnformatted("Classifier: p(digit | drawing)");
  if (m.probabilities.size() != 10) return;
  const int top = static_cast<int>(
      std::max_element(m.probabilities.begin(), m.probabilities.end()) - m.probabilities.begin());
  const float bar_h = ImGui::GetTextLineHeight();
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(widgets::px(6), widgets::px(2)));
  for (int k = 0; k < 10; ++k) {
    const float p = m.probabilities[static_cast<size_t>(k)];
    char overlay[16];
    std::snprintf(overlay, sizeof overlay, "%.2f", p);
    ImGui::Text("%d", k);
    ImGui::SameLine();
    const ImVec4 colour = k == top ? widgets::palette().accent : ImVec4(0.30f, 0.45f, 0.65f, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, colour);
    ImGui::ProgressBar(p, ImVec2(width - widgets::px(20), bar_h), overlay);
    ImGui::PopStyleColor();
  }
  ImGui::PopStyleVar();
  ImGui::TextDisabled("softmax of the 10 logits; sum 1");
}

// "How real does D find your drawing?": D(x) = sigmoid(logit) as a bar.
void draw_d_of_x(const InsideModel& m, float width) {
  char overlay[48];
  std::snprintf(overlay, sizeof overlay, "D(x) = %.2f", m.d_of_x);
  ImGui::TextUnformatted("How real does D find it?");
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, widgets::palette().accent);
  const float label_w = ImGui::GetItemRectSize().x + ImGui::GetStyle().ItemSpacing.x;
  ImGui::ProgressBar(m.d_of_x, ImVec2(std::max(widgets::px(80), width - label_w), 0.0f), overlay);
  ImGui::PopStyleColor();
  ImGui::TextDisabled("D(x) = sigmoid(logit %.2f): 1 real, 0 fake", m.d_logit);
}

// ---- The layers ------------------------------------------------------------------------------

// One layer: its title, then as many channel tiles as fit in `width` (most active first), each
// `tile` pixels square; clicking one selects it.
void draw_layer_row(const NetworkInside& net, int network, int li, InsideView& v,
                    gfx::HeatmapRenderer& heatmaps, float width, float tile) {
  const LayerMaps& m = net.layers[static_cast<size_t>(li)];
  const float gap = widgets::px(3);
  const int fit = std::max(1, static_cast<int>((width + gap) / (tile + gap)));
  const int shown = v.all_channels ? m.channels() : std::min(fit, m.channels());
  const LayerRange range = layer_range(m);
  ImGui::Text("%s", m.title.c_str());
  char dims[48];
  std::snprintf(dims, sizeof dims, "%d x %d x %d", m.channels(), m.height(), m.width());
  const float title_w = ImGui::CalcTextSize(m.title.c_str()).x;
  const float dims_w = ImGui::CalcTextSize(dims).x + ImGui::GetStyle().ItemSpacing.x;
  if (title_w + dims_w <= width) ImGui::SameLine();  // else on a line of its own
  ImGui::TextDisabled("%s", dims);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%d channels of %d x %d; %s", m.channels(), m.height(), m.width(),
                      shown < m.channels() ? "the most active shown" : "most active first");
  }
  for (int r = 0; r < shown; ++r) {
    const int c = m.order[static_cast<size_t>(r)];
    if (r % fit != 0) ImGui::SameLine(0, gap);  // else a new row (every channel shown)
    ImGui::PushID(network * 100000 + li * 1000 + c);
    const GLuint tex = heatmaps.render(ImGui::GetID("tile"), m.map(c), m.height(), m.width(),
                                       range.vmin, range.vmax, range.colormap);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::Image(texture_id(tex), ImVec2(tile, tile));
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("channel %d: mean |value| %.3g (rank %d of %d)\nclick: its kernels", c,
                        m.activity[static_cast<size_t>(c)], r + 1, m.channels());
    }
    if (ImGui::IsItemClicked()) {
      v.network = network;
      v.layer = li;
      v.channel = c;
      v.step_message.clear();
      v.select_tab = 0;
    }
    if (v.network == network && v.layer == li && v.channel == c) {
      ImGui::GetWindowDrawList()->AddRect(ImVec2(p0.x - 1, p0.y - 1),
                                          ImVec2(p0.x + tile + 1, p0.y + tile + 1), kSelectedColour,
                                          0.0f, 0, 2.0f);
    }
    ImGui::PopID();
  }
}

void draw_network(const char* title, const NetworkInside& net, int network, InsideView& v,
                  gfx::HeatmapRenderer& heatmaps, float width, float tile) {
  if (title != nullptr) ImGui::TextColored(widgets::palette().accent, "%s", title);
  for (int li = 0; li < static_cast<int>(net.layers.size()); ++li) {
    draw_layer_row(net, network, li, v, heatmaps, width, tile);
  }
}

// "Step through this": what the stepper will replay, and the button.
void draw_step_through(const lab::ConvPixelSlice& s, InsideView& v, lab::Navigator& nav) {
  char text[320];
  std::snprintf(text, sizeof text,
                "Its most active output pixel (%d, %d) = bias %+.3g + the %d x %d products of %d "
                "input channel%s = %.3g. The stepper replays input channel %d's (%.3g%s).",
                s.oy, s.ox, s.bias, s.kernel_size, s.kernel_size, s.in_channels,
                s.in_channels > 1 ? "s" : "", s.output, s.in_channel, s.contribution,
                s.in_channels > 1 ? ", the largest share" : "");
  widgets::wrapped_at_spaces(text);
  if (ImGui::Button("Step through this")) {
    v.step_message = nav.open_stepper_on_inside_channel(v.network, v.layer, v.channel);
  }
  if (!v.step_message.empty()) {
    const ImVec4 error_colour = widgets::palette().error;
    widgets::wrapped(v.step_message, &error_colour);
  }
}

// ---- The clicked channel: larger, its kernels, "Step through this" --------------------------

// weight[oc, :, :, :] of the Conv2d behind the row: one k x k tile per input channel, the
// stepped one outlined; with a single input channel, a grid with the numbers.
void draw_kernels(const nn::Conv2d& conv, int oc, int stepped_ic, gfx::HeatmapRenderer& heatmaps,
                  float width) {
  const Tensor& w = conv.weight;
  const int c_in = static_cast<int>(w.dim(1)), k = static_cast<int>(w.dim(2));
  const float* first = w.data() + static_cast<int64_t>(oc) * c_in * k * k;
  const float limit = gfx::symmetric_limit(first, static_cast<size_t>(c_in * k * k));
  ImGui::Text("its kernels, weight[%d, :, :, :]: %d x %d x %d", oc, c_in, k, k);
  if (c_in == 1) {
    widgets::HeatmapGridOptions o;
    o.vmin = -limit;
    o.vmax = limit;
    o.cell_size = widgets::px(44);
    o.value_format = "%.2f";
    o.show_indices = false;
    widgets::heatmap_grid(heatmaps, "##kernel", first, k, k, o);
    return;
  }
  const float tile = widgets::px(k == 3 ? 21.0f : 20.0f), gap = widgets::px(2);
  const int per_row = std::max(1, static_cast<int>((width + gap) / (tile + gap)));
  for (int ic = 0; ic < c_in; ++ic) {
    if (ic % per_row != 0) ImGui::SameLine(0, gap);
    ImGui::PushID(ic);
    const GLuint tex = heatmaps.render(ImGui::GetID("kernel"), first + ic * k * k, k, k, -limit,
                                       limit, gfx::Colormap::kDiverging);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::Image(texture_id(tex), ImVec2(tile, tile));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("weight[%d, %d]: input channel %d", oc, ic, ic);
    if (ic == stepped_ic) {
      ImGui::GetWindowDrawList()->AddRect(ImVec2(p0.x - 1, p0.y - 1),
                                          ImVec2(p0.x + tile + 1, p0.y + tile + 1), kSelectedColour,
                                          0.0f, 0, 2.0f);
    }
    ImGui::PopID();
  }
  ImGui::TextDisabled("blue -%.2g, white 0, red +%.2g", limit, limit);
}

void draw_channel_details(InsideModel& m, InsideView& v, gfx::HeatmapRenderer& heatmaps,
                          lab::Navigator& nav, float width) {
  const NetworkInside& pass = v.network == 0 ? m.cls : m.d;
  nn::Sequential* net = v.network == 0 ? m.classifier.get() : m.D.get();
  if (v.network < 0 || net == nullptr || v.layer >= static_cast<int>(pass.layers.size()) ||
      v.channel >= pass.layers[static_cast<size_t>(v.layer)].channels()) {
    ImGui::TextDisabled("Click a channel's tile to see it larger, with its kernels.");
    return;
  }
  const LayerMaps& maps = pass.layers[static_cast<size_t>(v.layer)];
  lab::ConvPixelSlice s;
  std::string why;
  try {
    s = lab::inside_channel_slice(m, v.network, v.layer, v.channel);
  } catch (const std::exception& e) {
    why = e.what();
  }
  const auto& order = maps.order;
  const int rank =
      static_cast<int>(std::find(order.begin(), order.end(), v.channel) - order.begin());
  ImGui::TextColored(widgets::palette().accent, "%s, layer %s: channel %d (rank %d of %d)",
                     v.network == 0 ? "Classifier" : "D", maps.title.c_str(), v.channel, rank + 1,
                     maps.channels());
  const LayerRange range = layer_range(maps);
  const float side = widgets::px(120);
  ImGui::BeginGroup();
  const GLuint tex =
      heatmaps.render(ImGui::GetID("##selected_map"), maps.map(v.channel), maps.height(),
                      maps.width(), range.vmin, range.vmax, range.colormap);
  ImGui::Image(texture_id(tex), ImVec2(side, side));
  ImGui::TextDisabled("mean |value| %.3g", maps.activity[static_cast<size_t>(v.channel)]);
  ImGui::EndGroup();
  ImGui::SameLine(0, widgets::px(16));
  ImGui::BeginGroup();
  if (why.empty()) {
    const auto& conv = static_cast<const nn::Conv2d&>(net->layer(s.layer));
    draw_kernels(conv, v.channel, s.in_channels > 1 ? s.in_channel : -1, heatmaps,
                 width - side - widgets::px(16));
    draw_step_through(s, v, nav);
  } else {
    const ImVec4 error_colour = widgets::palette().error;
    widgets::wrapped(why, &error_colour);
  }
  ImGui::EndGroup();
}

// ---- Train it live ---------------------------------------------------------------------------

// The live run's first-layer kernels, weight (16, 1, 3, 3): two rows of eight tiles on one
// symmetric colour range.
void draw_live_kernels(const lab::LiveClassifierSnapshot& s, gfx::HeatmapRenderer& heatmaps) {
  const auto it = std::find_if(s.params.begin(), s.params.end(),
                               [](const auto& p) { return p.first == "0.weight"; });
  if (it == s.params.end()) return;
  const Tensor& w = it->second;
  const int n = static_cast<int>(w.dim(0)), k = static_cast<int>(w.dim(2));
  const float limit = gfx::symmetric_limit(w.data(), static_cast<size_t>(w.numel()));
  ImGui::Text("conv1's %d kernels (%d x %d), step %lld", n, k, k, static_cast<long long>(s.step));
  const float tile = widgets::px(30), gap = widgets::px(3);
  for (int c = 0; c < n; ++c) {
    if (c % 8 != 0) ImGui::SameLine(0, gap);
    ImGui::PushID(c);
    const GLuint tex = heatmaps.render(ImGui::GetID("live_kernel"), w.data() + c * k * k, k, k,
                                       -limit, limit, gfx::Colormap::kDiverging);
    ImGui::Image(texture_id(tex), ImVec2(tile, tile));
    ImGui::PopID();
  }
  ImGui::TextDisabled("blue -%.2g, white 0, red +%.2g", limit, limit);
}

// The run's state, its buttons, and which classifier the view shows.
void draw_live_status(InsideModel& m, const lab::LiveClassifierSnapshot& s) {
  const float accuracy = s.accuracy.empty() ? 0.0f : s.accuracy.back();
  ImGui::Text("step %lld of %lld (epoch %d), %.1f s", static_cast<long long>(s.step),
              static_cast<long long>(s.total_steps), s.epoch + 1, s.seconds);
  ImGui::Text("held-out accuracy %.3f (1,000 digits)", accuracy);
  if (!s.error.empty()) {
    const ImVec4 error_colour = widgets::palette().error;
    widgets::wrapped(s.error, &error_colour);
  }
  if (m.live->running()) {
    if (ImGui::Button("Stop")) m.live->stop();
  } else {
    ImGui::TextColored(widgets::palette().ok, "%s", s.stopped ? "stopped" : "done");
    ImGui::SameLine();
    if (ImGui::Button("Train again")) m.start_live();
  }
  ImGui::TextUnformatted("The layers above show:");
  if (ImGui::RadioButton("this classifier", m.use_live)) {
    m.use_live = true;
    m.recompute();
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("the shipped one", !m.use_live)) {
    m.use_live = false;
    m.recompute();
  }
}

void draw_live_training(InsideModel& m, gfx::HeatmapRenderer& heatmaps) {
  if (!m.live) {
    widgets::wrapped_at_spaces(
        "Train the classifier again from scratch, here, on another thread: 8 epochs of the "
        "9,000 training digits (Adam, lr 1e-3, batch 64, as the shipped one), about 20 s. "
        "Watch the first layer's 16 kernels turn from noise into stroke detectors while the "
        "held-out accuracy climbs; the layers above follow. The shipped classifier's file is "
        "not changed.");
    if (ImGui::Button("Train it live")) m.start_live();
    return;
  }
  const std::shared_ptr<const lab::LiveClassifierSnapshot> s = m.live->snapshot();
  ImGui::BeginGroup();
  draw_live_kernels(*s, heatmaps);
  ImGui::EndGroup();
  widgets::same_line_if_fits(widgets::px(330 + 24));
  // In the theme's accent colour, which reads on its plot background (yellow on dark, brown on
  // light).
  widgets::CurveSeries accuracy{"held-out accuracy",
                                ImGui::ColorConvertFloat4ToU32(widgets::palette().accent),
                                s->curve_steps, s->accuracy};
  widgets::CurvePlotOptions o;
  o.x_label = "step";
  o.y_label = "accuracy";
  o.size = ImVec2(widgets::px(330), widgets::px(150));
  o.y_min = 0.0f;
  o.y_max = 1.0f;
  widgets::curve_plot("##live_accuracy", {accuracy}, {}, o);
  widgets::same_line_if_fits(ImGui::CalcTextSize("held-out accuracy 0.000 (1,000 digits)").x +
                             widgets::px(24));
  ImGui::BeginGroup();
  draw_live_status(m, *s);
  ImGui::EndGroup();
}

// The lower part: the clicked channel, or the live training, as two tabs.
void draw_lower_tabs(InsideModel& m, InsideView& v, gfx::HeatmapRenderer& heatmaps,
                     lab::Navigator& nav, float width) {
  if (!ImGui::BeginTabBar("##inside_tabs")) return;
  const int select = v.select_tab;
  v.select_tab = -1;
  if (ImGui::BeginTabItem("Selected channel", nullptr,
                          select == 0 ? ImGuiTabItemFlags_SetSelected : 0)) {
    draw_channel_details(m, v, heatmaps, nav, width);
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("Train it live", nullptr,
                          select == 1 ? ImGuiTabItemFlags_SetSelected : 0)) {
    draw_live_training(m, heatmaps);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

// A field with the path of a checkpoint and a Load D button.
void draw_d_field(InsideModel& m, InsideView& v, float width) {
  if (v.d_path_field[0] == '\0')
    std::snprintf(v.d_path_field, sizeof v.d_path_field, "%s", m.d_path.c_str());
  ImGui::SetNextItemWidth(std::max(widgets::px(120), width - widgets::px(80)));
  ImGui::InputText("##d_path", v.d_path_field, sizeof v.d_path_field);
  ImGui::SameLine();
  if (ImGui::Button("Load D")) {
    m.load_d(v.d_path_field);
    m.recompute();
  }
}

// D's column when no D could be loaded: why, and a field to load one.
void draw_no_d(InsideModel& m, InsideView& v, float width) {
  ImGui::TextColored(widgets::palette().accent, "D (the GAN's discriminator)");
  const ImVec4 error_colour = widgets::palette().error;
  widgets::wrapped_at_spaces("No D available. " + m.d_error, &error_colour, width);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextDisabled(
      "The shipped dcgan20_digits.safetensors holds G only. Train a dcgan20 run in the Training "
      "tab and save its checkpoint, then load it here.");
  ImGui::PopTextWrapPos();
  draw_d_field(m, v, width);
}

}  // namespace

void draw_cnn_inside(InsideModel& m, InsideView& v, gfx::HeatmapRenderer& heatmaps,
                     lab::Navigator& nav) {
  if (!m.loaded) m.load();
  m.take_live();  // the live run's latest weights, when it published new ones
  const float gap = widgets::px(24);
  const float left_w = widgets::px(220);
  ImGui::BeginGroup();
  draw_drawing_controls(m, v);
  // Smaller on a short window, so that the ten probabilities fit under it.
  const bool short_window = ImGui::GetContentRegionAvail().y < widgets::px(500);
  draw_canvas(m, v, heatmaps, std::floor(widgets::px(short_window ? 7.0f : 9.0f)));
  ImGui::Spacing();
  if (!m.classifier_error.empty()) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + left_w);
    ImGui::TextColored(widgets::palette().error, "%s", m.classifier_error.c_str());
    ImGui::PopTextWrapPos();
  }
  draw_probabilities(m, left_w);
  ImGui::EndGroup();

  const float left_used = ImGui::GetItemRectSize().x;  // the group, its widest line
  const float avail = ImGui::GetContentRegionAvail().x - left_used - gap;
  const float column = std::max(widgets::px(260), (avail - gap) / 2.0f);
  const float tile = std::floor(widgets::px(34));
  ImGui::SameLine(0, gap);
  ImGui::BeginGroup();
  ImGui::BeginGroup();
  draw_network(m.use_live && m.live_net ? "The digit classifier (trained live, below)"
                                        : "The digit classifier (assets/classifier/digits20)",
               m.cls, 0, v, heatmaps, column, tile);
  ImGui::EndGroup();
  ImGui::SameLine(0, gap);
  ImGui::BeginGroup();
  if (m.D) {
    ImGui::TextColored(widgets::palette().accent, "D (the GAN's discriminator)");
    draw_d_of_x(m, column);
    draw_network(nullptr, m.d, 1, v, heatmaps, column, tile);
    ImGui::TextDisabled("Dropout: off when evaluating, not shown");
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + column);
    ImGui::TextDisabled("%s", m.d_description.c_str());
    ImGui::PopTextWrapPos();
    if (ImGui::TreeNode("Another D (a checkpoint of a dcgan20 run)")) {
      const float w = column - ImGui::GetStyle().IndentSpacing;
      draw_d_field(m, v, w);
      if (!m.d_error.empty()) {  // that one did not load; the D above stays
        const ImVec4 error_colour = widgets::palette().error;
        widgets::wrapped_at_spaces(m.d_error, &error_colour, w);
      }
      ImGui::TreePop();
    }
  } else {
    draw_no_d(m, v, column);
  }
  ImGui::EndGroup();
  ImGui::Spacing();
  draw_lower_tabs(m, v, heatmaps, nav, 2.0f * column + gap);
  ImGui::EndGroup();
}

}  // namespace convt::panels
