// Other generators: the notes' experiments beside the GAN. Top: the FFNN + transposed conv
// trained with MSE vs the GAN (same z), and the RGB generators (rgb32 with random weights and
// trained, dcgan64 trained). Bottom:
// the blank canvas of dcgan20's G before and after training.
#include <imgui.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include "convt/io/png.h"
#include "gfx/colormap.h"
#include "panels/experiments_panel.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::ExperimentsState;

namespace {

ImTextureID texture_id(GLuint texture) {
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture));
}

// A tiled grid through the heatmap renderer: grayscale [-1, 1], or diverging in [-limit, limit].
void draw_tiles(gfx::HeatmapRenderer& heatmaps, const char* id, const lab::TiledImage& tiles,
                float scale, bool signed_values = false, float limit = 1.0f) {
  if (tiles.values.empty()) {
    ImGui::Dummy(ImVec2(widgets::px(40.0f), widgets::px(40.0f)));
    return;
  }
  const GLuint texture =
      heatmaps.render(ImGui::GetID(id), tiles.values.data(), tiles.rows, tiles.cols,
                      signed_values ? -limit : -1.0f, signed_values ? limit : 1.0f,
                      signed_values ? gfx::Colormap::kDiverging : gfx::Colormap::kGray);
  ImGui::Image(texture_id(texture), ImVec2(tiles.cols * scale, tiles.rows * scale));
}

// A colour texture at `scale` pixels per image pixel.
void draw_rgb_image(const gfx::RgbTexture& texture, float scale) {
  ImGui::Image(texture_id(texture.id()), ImVec2(texture.width() * scale, texture.height() * scale));
}

void note(const std::string& text, bool error = false, float wrap = 420.0f) {
  if (text.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, error ? widgets::palette().error : widgets::palette().note);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void rebuild(ExperimentsState& s, ExperimentsTextures& textures) {
  s.stale = false;
  lab::ExperimentsModel& m = s.model;
  s.ffnn_tiles = lab::tile_images(m.ffnn_samples, 4);
  s.gan_tiles = lab::tile_images(m.gan_samples, 4);
  try {
    if (m.rgb_random.numel() > 0)
      textures.rgb_random.upload(make_image_grid(m.rgb_random, 4, 1, 1));
    if (m.rgb_trained.numel() > 0)
      textures.rgb_trained.upload(make_image_grid(m.rgb_trained, 4, 1, 1));
  } catch (const std::exception& e) {
    m.rgb_message = e.what();
  }
  try {
    if (m.rgb64_trained.numel() > 0)
      textures.rgb64_trained.upload(make_image_grid(m.rgb64_trained, 4, 1, 1));
  } catch (const std::exception& e) {
    m.rgb64_message = e.what();
  }
}

// ---- Top left: FFNN + ConvT (MSE) vs GAN -----------------------------------------------------

void draw_ffnn_vs_gan(ExperimentsState& s, gfx::HeatmapRenderer& heatmaps) {
  lab::ExperimentsModel& m = s.model;
  constexpr float kScale = 2.5f;
  ImGui::BeginGroup();
  ImGui::TextUnformatted("FFNN + ConvT, MSE to random digits");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "z (100) -> Linear 256 -> Linear 2048 -> an 8x8 map of 32 channels -> ConvTranspose2d\n"
        "k5 s2 (8 -> 20) -> ConvTranspose2d k3 -> tanh (assets/models/ffnn/ffnn20.json),\n"
        "trained with MSE(G(z), x) where x is a real digit drawn at random for each z.\n"
        "convt-lab ffnn-train --out RUN trains it.");
  }
  draw_tiles(heatmaps, "##ffnn", s.ffnn_tiles, kScale);
  if (m.ffnn_steps > 0) ImGui::TextDisabled("%lld steps", static_cast<long long>(m.ffnn_steps));
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("GAN (dcgan20), same z");
  draw_tiles(heatmaps, "##gan", s.gan_tiles, kScale);
  if (m.gan_steps > 0) {
    ImGui::TextDisabled("%lld steps%s", static_cast<long long>(m.gan_steps),
                        m.gan_averaged ? ", averaged G" : "");
    if (m.gan_averaged && ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "G_ema: the moving average of G's weights over training (decay 0.999), with\n"
          "BatchNorm statistics of its own. Often cleaner than the last G; lesson 9 says why.");
    }
  }
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("mean digit");
  if (m.mean_digit.numel() > 0) {
    const lab::TiledImage mean = lab::tile_images(m.mean_digit, 1);
    draw_tiles(heatmaps, "##mean", mean, 4.0f);
  }
  // Here, not with the blank canvas below: it changes these samples, rgb32's and dcgan64's, not the
  // dream.
  if (ImGui::Button("New z")) {
    ++m.sample_seed;
    m.recompute();
    s.stale = true;
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "New z for the FFNN, GAN, rgb32 and dcgan64 samples (the same z for all four)");
  }
  ImGui::EndGroup();

  if (!s.ffnn_tiles.values.empty() && !s.gan_tiles.values.empty()) {
    ImGui::Text("distance to the mean digit (MSE): FFNN %.3f, GAN %.3f", m.ffnn_spread.mse_to_mean,
                m.gan_spread.mse_to_mean);
    ImGui::Text("spread across samples (pixel std): FFNN %.3f, GAN %.3f", m.ffnn_spread.spread,
                m.gan_spread.spread);
  }
  note(
      "Why the blur: z is paired with a random digit each step, so no z has a target of its "
      "own; the MSE is smallest when G(z) is the average of all digits, so the FFNN learns "
      "blurry averages. The GAN's D tells a blur from a digit, so G cannot settle there.",
      false, 560.0f);
  note(m.ffnn_message, true, 560.0f);
  note(m.gan_message, true, 560.0f);
}

// ---- Top right: the RGB generators ------------------------------------------------------------

// dcgan64 trained on the emoji smileys: the first samples64 of the same z, at their own size.
void draw_dcgan64(const lab::ExperimentsModel& m, const ExperimentsTextures& textures) {
  if (textures.rgb64_trained.empty()) {
    ImGui::TextUnformatted("dcgan64, trained");
    note(m.rgb64_message, true, 260.0f);
    return;
  }
  ImGui::TextUnformatted("dcgan64 on emoji smileys");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "The notes' 64x64 DCGAN (assets/models/dcgan64.json): z as a 1x1 map -> ConvT 512 k4\n"
        "(4x4) -> ConvT 256 (8x8) -> 128 (16x16) -> 64 (32x32) -> 3 (64x64), k4 s2 p1, -> tanh,\n"
        "BatchNorm and ReLU between. Trained on the 169 smileys-emotion Twemoji (faces,\n"
        "hearts, cat faces) with DiffAugment; how: assets/README.md.");
  }
  draw_rgb_image(textures.rgb64_trained, 1.0f);
  ImGui::TextDisabled("%lld steps%s", static_cast<long long>(m.rgb64_steps),
                      m.rgb64_averaged ? ", averaged G" : "");
}

void draw_rgb(ExperimentsState& s, const ExperimentsTextures& textures) {
  lab::ExperimentsModel& m = s.model;
  constexpr float kScale = 1.5f;
  ImGui::BeginGroup();
  ImGui::TextUnformatted("rgb32, random weights");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "The notes' minimal RGB generator (assets/models/rgb32.json): z -> FC -> 4x4x256 ->\n"
        "ConvT 128 (8x8) -> ReLU -> ConvT 64 (16x16) -> ReLU -> ConvT 3 (32x32) -> tanh.\n"
        "Before training its output is noise: the starting point. (Shown as G(z) right after\n"
        "construction, in training mode: BatchNorm uses the batch's statistics.)");
  }
  if (!textures.rgb_random.empty()) draw_rgb_image(textures.rgb_random, kScale);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted(m.rgb_all_emoji ? "rgb32 on all emoji" : "rgb32 on the smileys");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Trained on the Twemoji images (CC BY 4.0) of the npm package\n"
        "emoji-datasource-twitter, transparency on white: the 169 smileys-emotion ones\n"
        "(faces, hearts, cat faces) with DiffAugment, or all 3,786; how: assets/README.md.");
  }
  if (m.rgb_trained.numel() > 0 && !textures.rgb_trained.empty()) {
    draw_rgb_image(textures.rgb_trained, kScale);
  } else {
    note(m.rgb_message, true, 260.0f);
  }
  // Which rgb32: the same z through the one trained on the smileys or on all emoji.
  int all = m.rgb_all_emoji ? 1 : 0;
  bool changed = ImGui::RadioButton("smileys", &all, 0);
  ImGui::SameLine();
  changed |= ImGui::RadioButton("all emoji", &all, 1);
  if (changed && (all == 1) != m.rgb_all_emoji) {
    m.rgb_all_emoji = all == 1;
    m.recompute();
    s.stale = true;
  }
  if (m.rgb_steps > 0) {
    ImGui::TextDisabled("%lld steps%s", static_cast<long long>(m.rgb_steps),
                        m.rgb_averaged ? ", averaged G" : "");
  }
  ImGui::EndGroup();
  ImGui::BeginGroup();
  note(m.rgb_all_emoji
           ? "rgb32: the notes' minimal colour generator, z -> 4x4 -> 8 -> 16 -> 32x32x3 through "
             "three ConvTranspose2d, on the same z: noise before training; after two hours on "
             "all 3,786 emoji, faces, people and flags, many still smeared (the smileys alone are "
             "learnt far better in the same time). dcgan64 (right) has one more "
             "ConvTranspose2d and twice the channels: 64x64 faces."
           : "rgb32: the notes' minimal colour generator, z -> 4x4 -> 8 -> 16 -> 32x32x3 through "
             "three ConvTranspose2d, on the same z: noise before training; after two hours on "
             "the 169 smileys, faces with eyes and mouths, and hearts. dcgan64 (right), trained "
             "on the same smileys, has one more ConvTranspose2d and twice the channels: 64x64 "
             "faces.",
       false, 330.0f);
  ImGui::EndGroup();
  ImGui::SameLine(0.0f, widgets::px(16.0f));
  ImGui::BeginGroup();
  draw_dcgan64(m, textures);
  ImGui::EndGroup();
}

// ---- Bottom: the blank canvas ------------------------------------------------------------------

void draw_canvas(const lab::CanvasView& v, gfx::HeatmapRenderer& heatmaps, const char* id) {
  ImGui::PushID(id);
  ImGui::BeginGroup();
  ImGui::Text("dcgan20's G, %s", v.title.c_str());
  if (v.dream.numel() == 0) {
    ImGui::TextDisabled("(not loaded)");
    ImGui::EndGroup();
    ImGui::PopID();
    return;
  }
  ImGui::BeginGroup();
  ImGui::TextUnformatted("dream");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "The decoder (every layer from the first ConvTranspose2d on) run on a\n"
        "constant 5x5x256 map: what it draws with no input at all.");
  }
  draw_tiles(heatmaps, "dream", lab::tile_images(v.dream, 1, 0), 4.0f);
  const auto [lo, hi] = std::minmax_element(v.dream.values().begin(), v.dream.values().end());
  ImGui::TextDisabled("%.2f..%.2f", *lo, *hi);
  ImGui::EndGroup();
  for (const lab::ImpulseView& iv : v.layers) {
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::Text("%s: footprint", iv.layer.label.c_str());
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "One pixel (channel %d, centre) of %s's input set, everything else zero, through %s\n"
          "and every later layer: the change it makes in the image (red +, blue -).",
          iv.ic, iv.layer.label.c_str(), iv.layer.label.c_str());
    }
    const float flimit =
        gfx::symmetric_limit(iv.footprint.data(), static_cast<size_t>(iv.footprint.numel()));
    draw_tiles(heatmaps, (iv.layer.label + "fp").c_str(), lab::tile_images(iv.footprint, 1, 0),
               4.0f, true, flimit);
    ImGui::EndGroup();
  }
  // The kernels each layer stamps, one row per layer, the grids in one column.
  for (const lab::ImpulseView& iv : v.layers) {
    char label[96];
    std::snprintf(label, sizeof label, "%s %d->%d k%d s%d: w[%d, 0..%d]", iv.layer.label.c_str(),
                  iv.layer.in_channels, iv.layer.out_channels, iv.layer.kernel_size.h,
                  iv.layer.stride.h, iv.ic, iv.shown - 1);
    ImGui::TextUnformatted(label);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "An impulse (a single 1 in input channel %d) through %s alone: the transposed\n"
          "convolution stamps the kernel w[%d, oc] once, for any stride. These are the first\n"
          "%d of its %d output channels (red +, blue -, white 0).",
          iv.ic, iv.layer.label.c_str(), iv.ic, iv.shown, iv.layer.out_channels);
    }
    ImGui::SameLine(0.0f, std::max(8.0f, 245.0f - ImGui::CalcTextSize(label).x));
    const float klimit =
        gfx::symmetric_limit(iv.kernels.data(), static_cast<size_t>(iv.kernels.numel()));
    draw_tiles(heatmaps, (iv.layer.label + "k").c_str(), lab::tile_images(iv.kernels, 8, 1, 0.0f),
               5.0f, true, klimit);
  }
  ImGui::EndGroup();
  ImGui::PopID();
}

void draw_controls(ExperimentsState& s) {
  lab::ExperimentsModel& m = s.model;
  bool changed = false;
  ImGui::SetNextItemWidth(widgets::px(140.0f));
  changed |= ImGui::SliderFloat("dream input", &m.dream_value, -3.0f, 3.0f, "%.2f",
                                ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(110.0f));
  if (ImGui::InputInt("impulse channel", &m.impulse_channel)) {
    m.impulse_channel = std::clamp(m.impulse_channel, 0, 255);
    changed = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(110.0f));
  int seed = static_cast<int>(m.random_seed);
  if (ImGui::InputInt("random-weights seed", &seed)) {
    m.random_seed = static_cast<uint64_t>(std::max(0, seed));
    changed = true;
  }
  if (changed) {
    m.recompute();
    s.stale = true;
  }
}

}  // namespace

void draw_experiments_panel(ExperimentsState& s, ExperimentsTextures& textures,
                            gfx::HeatmapRenderer& heatmaps) {
  if (!s.model.loaded()) {
    s.model.load();
    s.stale = true;
  }
  if (s.stale) rebuild(s, textures);

  ImGui::BeginGroup();
  draw_ffnn_vs_gan(s, heatmaps);
  ImGui::EndGroup();
  // Beside it when the window is wide enough, else below it (a narrow window scrolls down, not
  // sideways).
  const float gap = widgets::px(40.0f);
  if (ImGui::GetContentRegionAvail().x - ImGui::GetItemRectSize().x - gap >= s.rgb_width) {
    ImGui::SameLine(0.0f, gap);
  } else {
    ImGui::Separator();
  }
  ImGui::BeginGroup();
  draw_rgb(s, textures);
  ImGui::EndGroup();
  s.rgb_width = ImGui::GetItemRectSize().x;

  ImGui::Separator();
  ImGui::TextUnformatted(
      "Blank canvas: transposed convolution with no input, before and after training");
  draw_controls(s);
  draw_canvas(s.model.canvas_random, heatmaps, "random");
  // The trained G's canvas has the random one's shape: beside it when both fit, else below.
  const float canvas_width = ImGui::GetItemRectSize().x;
  if (ImGui::GetContentRegionAvail().x - canvas_width - gap >= canvas_width) {
    ImGui::SameLine(0.0f, gap);
  }
  draw_canvas(s.model.canvas_trained, heatmaps, "trained");
}

}  // namespace convt::panels
