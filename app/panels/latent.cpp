// The latent explorer: turn the 100 knobs of a trained generator's z and see the image, its
// nearest real digit, a random grid, an interpolation strip, a 2D plane of z, class directions,
// and every layer of G for the current z ("Inside G"), with a ConvT slice sent to the stepper.
// The numbers come from lab::LatentModel (app/logic/latent_model.h).
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "convt/fast/fast_ops.h"
#include "convt/io/assets.h"
#include "convt/io/png.h"
#include "gfx/colormap.h"
#include "logic/quality_score.h"
#include "logic/training_session.h"
#include "panels/first_load.h"
#include "panels/latent_panel.h"
#include "widgets/export_progress.h"
#include "widgets/heatmap_grid.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::LatentState;

namespace {

constexpr int kGridCols = 8, kGridRows = 8;
constexpr float kSliderRange = 3.0f;

// One image (C, H, W) of `images` (N, C, H, W): a grayscale heatmap (tanh range [-1, 1]) for one
// channel, a colour texture for three (the events then say clicked / hovered at cell (0, 0)).
widgets::HeatmapGridEvents draw_image(LatentTextures& textures, gfx::HeatmapRenderer& heatmaps,
                                      const char* id, const Tensor& images, int64_t n, float cell,
                                      bool outline = false) {
  const int c = static_cast<int>(images.dim(1));
  const int h = static_cast<int>(images.dim(2)), w = static_cast<int>(images.dim(3));
  const int64_t per_image = static_cast<int64_t>(c) * h * w;
  cell *= 20.0f / static_cast<float>(std::max(h, w));  // any model's images as big as 20x20 ones
  if (c == 3) {
    Tensor one({1, 3, h, w}, std::vector<float>(images.data() + n * per_image,
                                                images.data() + (n + 1) * per_image));
    const Image8 image = make_image_grid(one, 1, 1, 0);
    LatentTextures::RgbImage& slot = textures.images[ImGui::GetID(id)];
    if (slot.texture.empty() || slot.pixels != image.pixels) {
      slot.texture.upload(image);
      slot.pixels = image.pixels;
    }
    const float px = widgets::px(cell);
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(slot.texture.id())),
                 ImVec2(w * px, h * px));
    widgets::HeatmapGridEvents ev;
    if (ImGui::IsItemHovered()) {
      ev.hovered_row = ev.hovered_col = 0;
      if (outline) {
        ImGui::GetWindowDrawList()->AddRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax(),
                                            IM_COL32(255, 220, 60, 255), 0.0f, 0, 2.0f);
      }
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        ev.clicked_row = ev.clicked_col = 0;
        ev.clicked_button = ImGuiMouseButton_Left;
      }
    }
    return ev;
  }
  widgets::HeatmapGridOptions o;
  o.vmin = -1.0f;
  o.vmax = 1.0f;
  o.colormap = gfx::Colormap::kGray;
  o.cell_size = widgets::px(cell);  // grows with the UI scale
  o.value_format = nullptr;
  o.show_indices = false;
  o.show_colorbar = false;
  o.outline_hovered = outline;
  return widgets::heatmap_grid(heatmaps, id, images.data() + n * per_image, h, w, o);
}

void set_stale(LatentState& s) {
  s.stale = true;
  s.grid_images = Tensor();
  s.strip_images = Tensor();
  s.plane_images = Tensor();
  s.neighbour_z.clear();
  s.plane_center.clear();
}

// Which real images a generator of images (C, H, W) trained on `data` is compared with:
// lab::nearest_real_spec at its size ("digits@28"), "" for none.
std::string real_key(const std::vector<int64_t>& image_shape, const std::string& data) {
  const std::string spec = lab::nearest_real_spec(image_shape, data);
  return spec.empty() ? "" : spec + "@" + std::to_string(image_shape[1]);
}

// Those real images and their real_key when they are not the ones with `have_key`; none (key
// "") when none are needed or they are loaded. Throws what load_dataset throws (e.g. no emoji
// package).
LatentState::RealImages real_to_load(const std::vector<int64_t>& image_shape,
                                     const std::string& data, const std::string& have_key) {
  std::string key = real_key(image_shape, data);
  if (key.empty() || key == have_key) return {};
  return {load_dataset(lab::nearest_real_spec(image_shape, data), static_cast<int>(image_shape[1]),
                       static_cast<int>(image_shape[0])),
          std::move(key)};
}

// Takes loaded real images into s (none: s keeps its own).
void take_real(LatentState& s, LatentState::RealImages&& real) {
  if (real.key.empty()) return;
  s.real = std::move(real.images);
  s.real_key = std::move(real.key);
}

// Whether s.real holds the images the loaded model is compared with.
bool real_ready(const LatentState& s) {
  const std::string key = real_key(s.model.image_shape(), s.model.trained_on());
  return !key.empty() && key == s.real_key && s.real.size() > 0;
}

// Loads the loaded model's real images, when it has some and they are not those in s.real.
void match_real(LatentState& s) {
  try {
    take_real(s, real_to_load(s.model.image_shape(), s.model.trained_on(), s.real_key));
  } catch (const std::exception& e) {
    s.real_note = e.what();
  }
}

// What belonged to the previous model: its strip ends, class directions (also those still being
// computed), stepper slice, note on its real images, and everything drawn from it.
void forget_old_model(LatentState& s) {
  s.a.clear();
  s.b.clear();
  s.dirs = lab::ClassDirections();
  s.dirs_loading.cancel();
  s.real_note.clear();
  s.slice_layer = -1;
  set_stale(s);
}

// After a load: the message, and what belonged to the old model forgotten.
void after_load(LatentState& s, bool ok) {
  if (!ok) {
    s.message = s.model.error();
    s.message_ok = false;
    return;
  }
  const std::string data = s.model.trained_on();
  s.message = "Loaded " + s.model.path() + " (" + s.model.model_name() + ", " +
              std::to_string(s.model.trained_steps()) + " training steps" +
              (data.empty() ? "" : " on " + data) +
              (s.model.averaged() ? "; the averaged G, G_ema" : "") + ")";
  s.message_ok = true;
  forget_old_model(s);
  match_real(s);
}

void load_checkpoint(LatentState& s, const std::string& path) { after_load(s, s.model.load(path)); }

// "Load checkpoint": the file is read on another thread; the old model stays until it is done.
void start_file_load(LatentState& s, const std::string& path) {
  if (!s.load_in_background) {
    load_checkpoint(s, path);
    return;
  }
  s.file_loading.start([path, have_key = s.real_key] {
    auto out = std::make_shared<LatentState::FileLoad>();
    out->path = path;
    try {
      out->generator = lab::LatentModel::read(path);
    } catch (const std::exception& e) {
      out->error = e.what();
      return out;
    }
    // Here rather than on the UI thread (all the emoji take a second or two); a failure is
    // said after the load, by match_real.
    try {
      out->real = real_to_load(out->generator.image_shape, out->generator.data, have_key);
    } catch (const std::exception&) {
    }
    return out;
  });
}

void take_file_load(LatentState& s) {
  if (!s.file_loading.ready()) return;
  std::shared_ptr<LatentState::FileLoad> done = s.file_loading.take();
  if (done->generator.G) {
    take_real(s, std::move(done->real));
    s.model.adopt(std::move(done->generator), done->path);
    after_load(s, true);
  } else {
    s.model.failed(done->path, done->error);
    after_load(s, false);
  }
}

// The path as the Shipped menu compares it: canonical when it can be.
std::string canonical_path(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

void start(LatentState& s) {
  s.started = true;
  // --latent-checkpoint FILE first; when it does not load, its error stays on screen above the
  // shipped generator, which is loaded instead.
  std::string start_error;
  if (!s.start_path.empty()) {
    const std::string path = canonical_path(s.start_path);
    std::snprintf(s.path, sizeof s.path, "%s", path.c_str());
    load_checkpoint(s, path);
    if (s.model.loaded()) {
      s.model.randomise(s.seed);
    } else {
      start_error = s.message;
    }
  }
  try {
    if (!s.model.loaded()) {
      const std::string path = canonical_path(asset_path(lab::kShippedCheckpoint));
      std::snprintf(s.path, sizeof s.path, "%s", path.c_str());
      load_checkpoint(s, path);
      s.model.randomise(s.seed);
      if (!start_error.empty()) {
        s.message =
            "--latent-checkpoint: " + start_error + "\nShowing the shipped dcgan20 instead.";
        s.message_ok = false;
        // A command-line flag's error: said on the terminal too.
        std::fprintf(stderr, "convt-lab: %s\n", s.message.c_str());
      }
    }
  } catch (const std::exception& e) {
    s.message = (start_error.empty() ? "" : "--latent-checkpoint: " + start_error + "\n") +
                "No shipped checkpoint: " + e.what() +
                "\nTrain one with `convt-lab train --model dcgan20 --data digits --out RUN` and "
                "load RUN/checkpoint.safetensors above.";
    s.message_ok = false;
  }
}

// The first load, done on another thread into a fresh state: its model, digits and messages.
void take_loaded(LatentState& s, LatentState& loaded) {
  s.model = std::move(loaded.model);
  s.real = std::move(loaded.real);
  s.real_key = std::move(loaded.real_key);
  s.real_note = std::move(loaded.real_note);
  std::snprintf(s.path, sizeof s.path, "%s", loaded.path);
  s.message = std::move(loaded.message);
  s.message_ok = loaded.message_ok;
  s.a.clear();
  s.b.clear();
  set_stale(s);
}

// Follow training: ask the dashboard's worker for a copy of G about once a second, and take each
// new copy into the explorer's own G (a copy of the tensors, no rebuild while the model stays
// the same). The worker copies between its steps; this thread never waits for a step.
void follow_training(LatentState& s, lab::Navigator& nav) {
  if (!s.follow.following()) return;
  lab::TrainingSession* session = nav.training_session();
  if (session == nullptr) {
    s.message = "Follow training: no training run yet. Press Start in the Training tab.";
    s.message_ok = true;
    return;
  }
  const std::shared_ptr<const lab::GeneratorWeights> w = session->generator();
  if (w && s.follow.is_new(w->version)) {
    const std::string before = s.model.loaded() ? s.model.model_name() : "";
    s.follow.taken(w->version, w->step);  // taken or refused: either way not retried
    if (s.model.load_generator(*w)) {
      s.message = "Following the dashboard's run: G of " + w->model_name + " at step " +
                  std::to_string(w->step) + " (a new copy about once a second)";
      s.message_ok = true;
      if (s.model.model_name() != before) {  // another model: its own strip and directions
        forget_old_model(s);
      } else {
        set_stale(s);
      }
      // A model of digits of another size: its own neighbours (once; the emoji would hold up
      // this thread a second or two, so a run on them shows none).
      if (s.model.draws_digits()) match_real(s);
    } else {
      s.message = s.model.error();
      s.message_ok = false;
    }
  } else if (!s.follow.have_taken()) {
    s.message =
        "Follow training: waiting for the dashboard's run (press Start in the Training "
        "tab)";
    s.message_ok = true;
  }
  const double now =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (s.follow.should_request(now, session->generator_version())) {
    session->request_generator();
    s.follow.requested(now);
  }
}

// ---- Top row: checkpoint, z controls, the image and its nearest real digit ----------------------

void draw_checkpoint_row(LatentState& s) {
  take_file_load(s);
  const bool reading = s.file_loading.busy();
  ImGui::BeginDisabled(reading);
  ImGui::SetNextItemWidth(widgets::px(110));
  if (ImGui::BeginCombo("##shipped", "Shipped", ImGuiComboFlags_HeightLarge)) {
    for (const lab::ShippedGenerator& g : lab::kShippedGenerators) {
      std::string path;
      try {
        path = asset_path(g.file);
      } catch (const std::exception&) {
        continue;  // not shipped in this copy
      }
      path = canonical_path(path);
      if (ImGui::Selectable(g.label, path == s.path)) {
        std::snprintf(s.path, sizeof s.path, "%s", path.c_str());
        s.follow.set_following(false);
        start_file_load(s, path);
      }
    }
    ImGui::EndCombo();
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("The generators that come with ConvT Lab (assets/checkpoints).");
  }
  ImGui::SameLine();
  // Narrower in a narrow window, so the buttons after it stay on screen.
  ImGui::SetNextItemWidth(std::clamp(ImGui::GetContentRegionAvail().x - widgets::px(420),
                                     widgets::px(160), widgets::px(420)));
  ImGui::InputText("##ckpt", s.path, sizeof s.path);
  ImGui::SameLine();
  ImGui::BeginDisabled(reading);
  if (ImGui::Button(reading ? "Loading..." : "Load checkpoint")) {
    s.follow.set_following(false);
    start_file_load(s, s.path);
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip(
        "Any .safetensors checkpoint written by convt-lab train or the dashboard, or a\n"
        "generator file (convt-lab export-generator). When it holds an averaged G (G_ema),\n"
        "that is the one shown. A bad file keeps the model that is loaded now.");
  }
  ImGui::SameLine();
  bool following = s.follow.following();
  if (ImGui::Checkbox("Follow training", &following)) s.follow.set_following(following);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Explore the generator the Training tab is training, as it learns: about once a\n"
        "second the training thread copies G's weights between two steps, and this panel\n"
        "takes the copy. Loading a checkpoint stops following.");
  }
  // The note wraps inside the rest of the row, or gets a row of its own when little is left.
  widgets::same_line_if_fits(widgets::px(260));
  if (reading) {
    if (ImGui::SmallButton("Cancel##file")) {
      s.file_loading.cancel();
      s.message = "Loading cancelled: the model shown is the one loaded before.";
      s.message_ok = true;
    } else {
      ImGui::SameLine();
      ImGui::TextColored(widgets::palette().note,
                         "Reading the file... %.1f s (the model shown stays until it is read)",
                         s.file_loading.seconds());
    }
  } else if (!s.message.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text,
                          s.message_ok ? widgets::palette().note : widgets::palette().error);
    widgets::push_wrap_at_visible_edge();  // at the window's edge
    ImGui::TextUnformatted(s.message.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
}

void draw_current(LatentState& s, gfx::HeatmapRenderer& heatmaps, LatentTextures& textures) {
  lab::LatentModel& m = s.model;
  ImGui::BeginGroup();
  ImGui::SetNextItemWidth(widgets::px(110));
  ImGui::InputScalar("seed", ImGuiDataType_U64, &s.seed);
  ImGui::SameLine();
  if (ImGui::Button("Randomise")) m.randomise(s.seed);
  ImGui::SameLine();
  if (ImGui::Button("Next")) m.randomise(++s.seed);
  ImGui::SameLine();
  if (ImGui::Button("Zero")) m.zero();

  const Tensor& img = m.image();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("G(z)");
  draw_image(textures, heatmaps, "##current", img, 0, 6.5f);
  ImGui::EndGroup();

  // Nearest real image, recomputed when z moves (match_real loads the images).
  const bool comparable = real_ready(s);
  if (!comparable) s.neighbour = lab::Neighbour();
  if (comparable && s.neighbour_z != m.z()) {
    s.neighbour = lab::nearest_neighbour(s.real.images, img.data(), img.numel());
    s.neighbour_z = m.z();
  }
  if (s.neighbour.index >= 0) {
    const bool digits = m.draws_digits();
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::TextUnformatted(digits ? "nearest real digit" : "nearest training image");
    draw_image(textures, heatmaps, "##neighbour", s.real.images, s.neighbour.index, 6.5f);
    ImGui::EndGroup();
    const int label = s.real.labels[static_cast<size_t>(s.neighbour.index)];
    const std::string what = label >= 0 ? " (a " + std::to_string(label) + ")" : "";
    ImGui::Text("#%lld%s, pixel distance %.2f", static_cast<long long>(s.neighbour.index),
                what.c_str(), s.neighbour.distance);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "Euclidean distance over the %lld values in [-1, 1] to the closest of the\n"
          "%lld %s. Near 0: G copied it; larger: G made a new one.",
          static_cast<long long>(img.numel()), static_cast<long long>(s.real.size()),
          digits ? "built-in digits" : "images G was trained on");
    }
  } else if (!s.real_note.empty()) {
    ImGui::TextColored(widgets::palette().note, "(no nearest training image: not loaded)");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", s.real_note.c_str());
  }
  ImGui::Text("G forward: %.2f ms (fast backend, %d thread%s)", m.last_forward_ms(),
              fast::num_threads(), fast::num_threads() == 1 ? "" : "s");
  ImGui::EndGroup();
}

void draw_sliders(LatentState& s, float height) {
  lab::LatentModel& m = s.model;
  ImGui::BeginChild("##z_sliders", ImVec2(widgets::px(350), height), true);
  ImGui::Text("z: %d components, N(0, 1)", m.latent_dim());
  for (int i = 0; i < m.latent_dim(); ++i) {
    ImGui::PushID(i);
    float v = m.z()[static_cast<size_t>(i)];
    ImGui::SetNextItemWidth(widgets::px(220));
    char label[16];
    std::snprintf(label, sizeof label, "z%d", i);
    if (ImGui::SliderFloat(label, &v, -kSliderRange, kSliderRange, "%.3f",
                           ImGuiSliderFlags_AlwaysClamp))
      m.set_component(i, v);
    ImGui::SameLine();
    if (ImGui::SmallButton("reset")) m.reset_component(i);
    ImGui::PopID();
  }
  ImGui::EndChild();
}

void draw_random_grid(LatentState& s, gfx::HeatmapRenderer& heatmaps, LatentTextures& textures) {
  lab::LatentModel& m = s.model;
  ImGui::BeginGroup();
  ImGui::Text("Random samples (click one to explore it)");
  ImGui::SetNextItemWidth(widgets::px(110));
  bool regen = ImGui::InputScalar("grid seed", ImGuiDataType_U64, &s.grid_seed);
  ImGui::SameLine();
  if (ImGui::Button("New grid")) {
    ++s.grid_seed;
    regen = true;
  }
  if (regen || s.grid_images.empty()) {
    s.grid_z = m.latent_batch(kGridCols * kGridRows, s.grid_seed);
    s.grid_images = m.generate(s.grid_z);
  }
  for (int r = 0; r < kGridRows; ++r) {
    for (int c = 0; c < kGridCols; ++c) {
      const int n = r * kGridCols + c;
      char id[32];
      std::snprintf(id, sizeof id, "##grid%d", n);
      if (c > 0) ImGui::SameLine(0, widgets::px(2));
      if (draw_image(textures, heatmaps, id, s.grid_images, n, 1.5f, true).clicked()) {
        m.set_z(lab::LatentModel::row(s.grid_z, n));
      }
    }
  }
  ImGui::EndGroup();
}

// ---- Interpolation strip -----------------------------------------------------------------------

// "Export animation...": G(z) from A to B and back as a GIF; the request goes to main.cpp
// (lab::AnimationExport), which writes it while a progress bar with Cancel shows here.
void draw_latent_export(LatentState& s) {
  lab::AnimationExport& exp = s.animation;
  const lab::AnimationProgress& p = exp.progress;
  if (widgets::export_progress(exp, "frame", widgets::px(300.0f))) return;
  if (ImGui::Button("Export animation...")) {
    exp.request = lab::AnimationRequest{};
    exp.request.path = "runs/animations/latent.gif";
    exp.request.width = 800;
    exp.request.height = 600;
    exp.request.fps = 12;
    exp.request.frames_each_way = 24;
    exp.pending = true;
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "G(z) as z moves from A to B and back (%s, 24 frames each way, 12 per "
        "second), to runs/animations/latent.gif",
        lab::interpolation_name(s.mode));
  }
  if (!p.message.empty()) {
    ImGui::SameLine();
    widgets::wrapped_at_spaces(p.message.c_str(),
                               p.failed ? &widgets::palette().error : &widgets::palette().ok);
  }
}

void draw_interpolation(LatentState& s, gfx::HeatmapRenderer& heatmaps, LatentTextures& textures) {
  lab::LatentModel& m = s.model;
  bool changed = false;
  // What a z is, in words: "seed 7" when it is the current seed's z, else "an edited z".
  const auto describe = [&](const lab::Latent& z) {
    return z == lab::LatentModel::row(m.latent_batch(1, s.seed), 0)
               ? "z of seed " + std::to_string(s.seed)
               : std::string("an edited z");
  };
  if (s.a.empty() || s.b.empty()) {
    // A starts at the G(z) shown above, so the strip begins where the student is looking.
    s.a = m.z();
    s.a_what = describe(s.a);
    s.b = lab::LatentModel::row(m.latent_batch(1, 202), 0);
    s.b_what = "z of seed 202";
    changed = true;
  }
  ImGui::TextUnformatted("Interpolation A -> B:");
  ImGui::SameLine();
  if (ImGui::Button("Set A to current z")) {
    s.a = m.z();
    s.a_what = describe(s.a);
    changed = true;
  }
  ImGui::SameLine();
  if (ImGui::Button("Set B to current z")) {
    s.b = m.z();
    s.b_what = describe(s.b);
    changed = true;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("lerp", s.mode == lab::Interpolation::kLinear)) {
    s.mode = lab::Interpolation::kLinear;
    changed = true;
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("(1 - t) A + t B: a straight chord");
  ImGui::SameLine();
  if (ImGui::RadioButton("slerp", s.mode == lab::Interpolation::kSpherical)) {
    s.mode = lab::Interpolation::kSpherical;
    changed = true;
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "sin((1-t) w)/sin w A + sin(t w)/sin w B, w = angle(A, B): along the arc,\n"
        "so the norm stays where N(0, 1) samples live (|z| near 10 for 100 dims)");
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(160));
  changed |= ImGui::SliderInt("steps", &s.steps, 3, 16, "%d", ImGuiSliderFlags_AlwaysClamp);
  char ends[160];
  std::snprintf(ends, sizeof ends, "A: %s (left end), B: %s (right end)", s.a_what.c_str(),
                s.b_what.c_str());
  widgets::same_line_if_fits(ImGui::CalcTextSize(ends).x);  // beside the controls, or below
  ImGui::TextColored(widgets::palette().note, "%s", ends);
  if (changed || s.strip_images.empty()) {
    s.strip_z = lab::interpolate(s.a, s.b, s.steps, s.mode);
    s.strip_images = m.generate(s.strip_z);
  }
  draw_latent_export(s);
  for (int i = 0; i < s.steps; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "##strip%d", i);
    if (i > 0) ImGui::SameLine(0, widgets::px(4));
    if (draw_image(textures, heatmaps, id, s.strip_images, i, 3.0f, true).clicked()) {
      m.set_z(s.strip_z[static_cast<size_t>(i)]);
    }
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("t = %.3f (click: make it the current z)",
                        static_cast<double>(i) / (s.steps - 1));
    }
  }
}

// ---- 2D plane ----------------------------------------------------------------------------------

void draw_plane(LatentState& s, gfx::HeatmapRenderer& heatmaps, LatentTextures& textures) {
  lab::LatentModel& m = s.model;
  bool changed = s.plane_center != m.z();
  if (ImGui::RadioButton("two random directions", s.plane_random)) {
    s.plane_random = true;
    changed = true;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("two components", !s.plane_random)) {
    s.plane_random = false;
    changed = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(110));
  if (s.plane_random) {
    changed |= ImGui::InputScalar("direction seed", ImGuiDataType_U64, &s.plane_seed);
  } else {
    changed |= ImGui::SliderInt("across: z", &s.comp_i, 0, m.latent_dim() - 1, "%d",
                                ImGuiSliderFlags_AlwaysClamp);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(widgets::px(110));
    changed |= ImGui::SliderInt("up: z", &s.comp_j, 0, m.latent_dim() - 1, "%d",
                                ImGuiSliderFlags_AlwaysClamp);
    if (s.comp_i == s.comp_j) s.comp_j = (s.comp_i + 1) % m.latent_dim();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(110));
  if (ImGui::SliderInt("size", &s.plane_n, 3, 9, "%d", ImGuiSliderFlags_AlwaysClamp)) {
    s.plane_n |= 1;  // odd: z at the centre
    changed = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(140));
  changed |=
      ImGui::SliderFloat("spacing", &s.spacing, 0.1f, 3.0f, "%.2f", ImGuiSliderFlags_AlwaysClamp);
  if (changed || s.plane_images.empty()) {
    const lab::PlaneAxes axes = s.plane_random
                                    ? lab::random_orthonormal_axes(m.latent_dim(), s.plane_seed)
                                    : lab::component_axes(m.latent_dim(), s.comp_i, s.comp_j);
    s.plane_z = lab::plane_grid(m.z(), axes, s.plane_n, s.spacing);
    s.plane_images = m.generate(s.plane_z);
    s.plane_center = m.z();
  }
  const int n = s.plane_n;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const int k = r * n + c;
      char id[32];
      std::snprintf(id, sizeof id, "##plane%d", k);
      if (c > 0) ImGui::SameLine(0, widgets::px(2));
      const bool centre = r == n / 2 && c == n / 2;
      if (centre) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 1.0f);
      if (draw_image(textures, heatmaps, id, s.plane_images, k, 2.4f, true).clicked()) {
        m.set_z(s.plane_z[static_cast<size_t>(k)]);
      }
      if (centre) ImGui::PopStyleVar();
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("z %+d u %+d v%s", c - n / 2, n / 2 - r, centre ? " (current z)" : "");
      }
    }
  }
}

// ---- Class directions --------------------------------------------------------------------------

// The labels of 512 samples of G (by the digit classifier, else by their nearest real digit),
// in chunks of 64 so that Cancel stops it within a fraction of a second, then the mean z of each
// digit. Null when cancelled.
std::shared_ptr<lab::ClassDirections> compute_class_directions(nn::Sequential& G, const Tensor& zs,
                                                               nn::Sequential* classifier,
                                                               const Dataset& digits,
                                                               const lab::CancelFlag& cancelled) {
  constexpr int64_t kChunk = 64;
  std::vector<int> labels;
  for (int64_t first = 0; first < zs.dim(0) && !cancelled; first += kChunk) {
    const int64_t count = std::min(kChunk, zs.dim(0) - first);
    // (count, 1, H, W), evaluation mode: each sample depends on its own z only.
    const int64_t per_z = zs.numel() / zs.dim(0);
    const auto from = zs.values().begin() + first * per_z;
    const Tensor chunk_z({count, per_z}, std::vector<float>(from, from + count * per_z));
    const Tensor images = G.forward(chunk_z);
    if (classifier) {
      const std::vector<int> chunk =
          lab::classify(*classifier, lab::classifier_input(images), 0.9f);
      labels.insert(labels.end(), chunk.begin(), chunk.end());
    } else {
      const int64_t per = images.numel() / images.dim(0);
      for (int64_t n = 0; n < images.dim(0); ++n) {
        const lab::Neighbour nb =
            lab::nearest_neighbour(digits.images, images.data() + n * per, per);
        labels.push_back(digits.labels[static_cast<size_t>(nb.index)]);
      }
    }
  }
  if (cancelled) return std::shared_ptr<lab::ClassDirections>();  // never taken
  return std::make_shared<lab::ClassDirections>(lab::class_directions(zs, labels, 10));
}

// "Compute from 512 samples", and while it runs its time and Cancel.
void draw_compute_directions(LatentState& s) {
  lab::LatentModel& m = s.model;
  if (s.dirs_loading.ready()) s.dirs = *s.dirs_loading.take();
  const bool computing = s.dirs_loading.busy();
  ImGui::BeginDisabled(computing);
  if (ImGui::Button(computing ? "Computing..." : "Compute from 512 samples")) {
    // On a copy of G, off the UI thread: 512 samples and their labels take a few seconds.
    std::shared_ptr<nn::Sequential> G = m.copy_of_G();
    const Tensor zs = m.latent_batch(512, 4242);
    nn::Sequential* classifier = s.classifier.get();  // used by this work only until it ends
    // Without the classifier, labels by the nearest digit: a copy, as a load replaces s.real.
    auto digits = std::make_shared<const Dataset>(classifier ? Dataset() : s.real);
    auto work = [G, zs, classifier, digits](const lab::CancelFlag& cancelled) {
      return compute_class_directions(*G, zs, classifier, *digits, cancelled);
    };
    if (s.load_in_background) {
      s.dirs_loading.start(work);
    } else {
      const lab::CancelFlag never{false};
      s.dirs = *work(never);
    }
  }
  ImGui::EndDisabled();
  if (computing) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel##dirs")) {
      s.dirs_loading.cancel();  // the directions shown (if any) stay
    } else {
      ImGui::SameLine();
      ImGui::TextColored(widgets::palette().note,
                         "512 samples through G and the classifier... %.1f s",
                         s.dirs_loading.seconds());
    }
  }
}

// The samples per digit, then a digit and an amount to move z toward its mean.
void draw_move_toward_class(LatentState& s) {
  std::string counts = "samples per digit:";
  for (int c = 0; c < s.dirs.num_classes(); ++c) {
    counts += " " + std::to_string(c) + ":" + std::to_string(s.dirs.count[static_cast<size_t>(c)]);
  }
  ImGui::TextUnformatted(counts.c_str());
  ImGui::SetNextItemWidth(widgets::px(120));
  ImGui::SliderInt("digit", &s.target_class, 0, 9, "%d", ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(160));
  ImGui::SliderFloat("amount", &s.class_amount, 0.05f, 1.0f, "%.2f", ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  const bool empty = s.dirs.count[static_cast<size_t>(s.target_class)] == 0;
  if (empty) ImGui::BeginDisabled();
  if (ImGui::Button("Move z toward it")) {
    s.model.set_z(lab::toward_class(s.model.z(), s.dirs, s.target_class, s.class_amount));
  }
  if (empty) ImGui::EndDisabled();
  if (empty)
    ImGui::TextColored(widgets::palette().error, "no sample was labelled %d", s.target_class);
}

// The "Class directions" tab: how samples are labelled, the button that computes the mean z of
// each digit, and the controls that move z toward one.
void draw_class_directions(LatentState& s) {
  if (!s.model.draws_digits()) {
    ImGui::TextColored(widgets::palette().note,
                       "Class directions need a model trained on the digits (this one makes "
                       "other images).");
    return;
  }
  if (!s.classifier_tried) {
    s.classifier_tried = true;
    try {
      s.classifier = lab::load_classifier(asset_path(lab::kDigitClassifierAsset));
    } catch (const std::exception& e) {
      s.class_note = std::string("digit classifier not loaded (") + e.what() +
                     "); labels by 1-nearest-neighbour instead";
    }
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 760.0f);
  ImGui::TextUnformatted(
      s.classifier ? "The mean z of samples that the dashboard's CNN digit classifier "
                     "(assets/classifier) labels as each digit with probability >= 0.9."
                   : "The mean z of samples labelled as each digit by 1-nearest-neighbour over "
                     "the 10,000 built-in digits (pixel distance).");
  ImGui::PopTextWrapPos();
  if (!s.class_note.empty())
    ImGui::TextColored(widgets::palette().note, "%s", s.class_note.c_str());
  if (!s.classifier && !real_ready(s)) return;
  draw_compute_directions(s);
  if (s.dirs.num_classes() == 0) return;
  draw_move_toward_class(s);
}

// ---- Inside G ----------------------------------------------------------------------------------

void draw_layer(LatentState& s, gfx::HeatmapRenderer& heatmaps, const lab::LayerOutput& L) {
  ImGui::PushID(L.index);
  const float limit = L.abs_max > 0 ? L.abs_max : 1.0f;
  ImGui::Text("%s  %s", L.name().c_str(), L.description.c_str());
  ImGui::SameLine();
  if (L.height > 1) {
    ImGui::TextColored(widgets::palette().note,
                       "-> (%d, %d, %d), |max| %.3g; %d most active of %d channels", L.channels,
                       L.height, L.width, static_cast<double>(L.abs_max),
                       std::min(s.channels_shown, L.channels), L.channels);
  } else {
    ImGui::TextColored(widgets::palette().note, "-> (%d), |max| %.3g, shown as 64 x 100",
                       L.channels, static_cast<double>(L.abs_max));
  }
  widgets::HeatmapGridOptions o;
  o.vmin = -limit;
  o.vmax = limit;
  o.colormap = gfx::Colormap::kDiverging;
  o.value_format = nullptr;
  o.show_indices = false;
  if (L.height == 1) {
    const int cols = 100, rows = (L.channels + cols - 1) / cols;
    if (rows * cols == L.channels) {
      o.cell_size = 1.2f;
      const auto ev = widgets::heatmap_grid(heatmaps, "##flat", L.output.data(), rows, cols, o);
      if (ev.hovered()) {
        const int k = ev.hovered_row * cols + ev.hovered_col;
        ImGui::SetTooltip("feature %d = %.4f", k, static_cast<double>(L.output[k]));
      }
    }
    ImGui::PopID();
    return;
  }
  const int shown = std::min(s.channels_shown, L.channels);
  o.cell_size = std::max(2.0f, 48.0f / static_cast<float>(std::max(L.height, L.width)));
  const int64_t plane = static_cast<int64_t>(L.height) * L.width;
  for (int k = 0; k < shown; ++k) {
    const int c = L.ranked[static_cast<size_t>(k)].channel;
    o.show_colorbar = k == shown - 1;  // one scale per layer, after its channels
    char id[32];
    std::snprintf(id, sizeof id, "##ch%d", c);
    if (k > 0) ImGui::SameLine(0, widgets::px(3));
    const auto ev =
        widgets::heatmap_grid(heatmaps, id, L.output.data() + c * plane, L.height, L.width, o);
    if (ev.hovered()) {
      ImGui::SetTooltip(
          "channel %d (rank %d, mean |x| %.3f)\n(%d, %d) = %.4f%s", c, k + 1,
          static_cast<double>(L.ranked[static_cast<size_t>(k)].mean_abs), ev.hovered_row,
          ev.hovered_col,
          static_cast<double>(L.output[c * plane + ev.hovered_row * L.width + ev.hovered_col]),
          L.type == "ConvTranspose2d" ? "\nclick: pick this output channel and pixel "
                                        "for the stepper"
                                      : "");
    }
    if (ev.clicked() && L.type == "ConvTranspose2d") {
      s.slice_layer = L.index;
      s.slice_oc = c;
      s.slice_oy = ev.clicked_row;
      s.slice_ox = ev.clicked_col;
      s.slice_ic = -1;
    }
  }
  ImGui::PopID();
}

// What the stepper link is set to: the input channel (the one typed, else the most active) and
// the layer's name as the combo showed it.
struct SliceChoice {
  int in_channel = 0;
  std::string layer_name;
};

// The ConvT layer (a combo), its input and output channels and the output pixel, each clamped to
// the layer's sizes.
SliceChoice draw_slice_choice(LatentState& s, const std::vector<int>& convs) {
  const auto& layers = s.model.layers();
  ImGui::TextUnformatted("Step through a slice of a ConvT layer:");
  ImGui::SetNextItemWidth(widgets::px(150));
  SliceChoice choice;
  choice.layer_name = layers[static_cast<size_t>(s.slice_layer)].name();
  if (ImGui::BeginCombo("layer", choice.layer_name.c_str())) {
    for (int li : convs) {
      const std::string name = layers[static_cast<size_t>(li)].name();
      if (ImGui::Selectable(name.c_str(), li == s.slice_layer)) {
        s.slice_layer = li;
        s.slice_ic = -1;
      }
    }
    ImGui::EndCombo();
  }
  // The layer chosen (perhaps just now, above) and its input: channels and pixels are clamped to
  // this layer's sizes before anything reads them.
  const lab::LayerOutput& out = layers[static_cast<size_t>(s.slice_layer)];
  const lab::LayerOutput& in = layers[static_cast<size_t>(s.slice_layer - 1)];
  s.slice_oc = std::clamp(s.slice_oc, 0, out.channels - 1);
  s.slice_oy = std::clamp(s.slice_oy, 0, out.height - 1);
  s.slice_ox = std::clamp(s.slice_ox, 0, out.width - 1);
  choice.in_channel = s.slice_ic >= 0 ? std::min(s.slice_ic, in.channels - 1)
                                      : in.ranked.front().channel;  // most active input channel
  int ic_edit = choice.in_channel;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(90));
  if (ImGui::InputInt("in ch", &ic_edit)) s.slice_ic = std::clamp(ic_edit, 0, in.channels - 1);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(90));
  ImGui::InputInt("out ch", &s.slice_oc);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(80));
  ImGui::InputInt("oy", &s.slice_oy);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(widgets::px(80));
  ImGui::InputInt("ox", &s.slice_ox);
  s.slice_oc = std::clamp(s.slice_oc, 0, out.channels - 1);
  s.slice_oy = std::clamp(s.slice_oy, 0, out.height - 1);
  s.slice_ox = std::clamp(s.slice_ox, 0, out.width - 1);
  return choice;
}

// "Step through this": opens the stepper on the slice through `nav`; its tooltip says what the
// stepper will show, or why the slice does not fit it.
void draw_step_button(LatentState& s, lab::Navigator& nav, const lab::StepperSlice& slice,
                      const std::string& layer_name) {
  const std::string why = lab::stepper_fit(slice);
  ImGui::SameLine();
  if (!why.empty()) ImGui::BeginDisabled();
  if (ImGui::Button("Step through this")) {
    // A request: the navigator loads the slice into the stepper and opens it.
    s.slice_message = nav.open_stepper_on_slice(slice, layer_name);
  }
  if (!why.empty()) ImGui::EndDisabled();
  if (!ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) return;
  if (!why.empty()) {
    ImGui::SetTooltip("Disabled: %s.", why.c_str());
    return;
  }
  char where[96] = "";
  if (slice.windowed()) {
    std::snprintf(where, sizeof where, " (the stepper's (%d, %d) in its 8x8 window)",
                  slice.window_oy, slice.window_ox);
  }
  ImGui::SetTooltip(
      "Opens the stepper on input channel %d -> output channel %d of this layer:\n"
      "its real %dx%d weights w[%d, %d], the real %dx%d input plane for this z,\n"
      "at event %lld of %lld, which writes output pixel (%d, %d)%s.",
      slice.in_channel, slice.out_channel, slice.kernel_size.h, slice.kernel_size.w,
      slice.in_channel, slice.out_channel, slice.input_height, slice.input_width,
      static_cast<long long>(slice.event_index), static_cast<long long>(slice.event_count),
      slice.oy, slice.ox, where);
}

// Under the link: which part of a large input the stepper shows, and what the slice adds to the
// layer's output pixel.
void draw_slice_notes(const lab::StepperSlice& slice, const lab::LayerOutput& out) {
  if (slice.windowed()) {
    ImGui::TextColored(widgets::palette().note,
                       "The %dx%d input is larger than the stepper's 8x8: it shows input rows "
                       "%d..%d, columns %d..%d, every pixel whose stamp reaches (%d, %d), which is "
                       "the stepper's (%d, %d).",
                       slice.input_height, slice.input_width, slice.window_y0,
                       slice.window_y0 + static_cast<int>(slice.input.dim(2)) - 1, slice.window_x0,
                       slice.window_x0 + static_cast<int>(slice.input.dim(3)) - 1, slice.oy,
                       slice.ox, slice.window_oy, slice.window_ox);
  }
  ImGui::TextColored(
      widgets::palette().note,
      "slice in %d -> out %d contributes %.4f of the layer's %.4f at (%d, %d); "
      "%zu of its %lld scatter-adds write there (first: event %lld)",
      slice.in_channel, slice.out_channel,
      static_cast<double>(slice.slice_output.at(0, 0, slice.window_oy, slice.window_ox)),
      static_cast<double>(out.output.at(0, slice.out_channel, slice.oy, slice.ox)), slice.oy,
      slice.ox, slice.events.size(), static_cast<long long>(slice.event_count),
      static_cast<long long>(slice.event_index));
}

// "Step through a slice of a ConvT layer": the slice chosen, the button that opens the stepper
// on it, and what it contributes.
void draw_stepper_link(LatentState& s, lab::Navigator& nav) {
  lab::LatentModel& m = s.model;
  const std::vector<int> convs = m.conv_transpose_layers();
  if (convs.empty()) return;
  if (std::find(convs.begin(), convs.end(), s.slice_layer) == convs.end()) {
    s.slice_layer = convs.front();
  }
  const SliceChoice choice = draw_slice_choice(s, convs);
  const lab::LayerOutput& out = m.layers()[static_cast<size_t>(s.slice_layer)];
  const lab::LayerOutput& in = m.layers()[static_cast<size_t>(s.slice_layer - 1)];
  lab::StepperSlice slice;
  try {
    slice = m.stepper_slice(s.slice_layer, std::min(choice.in_channel, in.channels - 1), s.slice_oc,
                            s.slice_oy, s.slice_ox);
  } catch (const std::exception& e) {  // a bad choice must not leave ImGui's stacks unbalanced
    ImGui::TextColored(widgets::palette().error, "%s", e.what());
    return;
  }
  draw_step_button(s, nav, slice, choice.layer_name);
  draw_slice_notes(slice, out);
  if (!s.slice_message.empty())
    ImGui::TextColored(widgets::palette().error, "%s", s.slice_message.c_str());
}

void draw_inside_g(LatentState& s, gfx::HeatmapRenderer& heatmaps, lab::Navigator& nav) {
  ImGui::SetNextItemWidth(widgets::px(160));
  ImGui::SliderInt("channels per layer", &s.channels_shown, 1, 32, "%d",
                   ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::Checkbox("flat layers too", &s.show_flat);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "The dense layer, its BatchNorm1d and LeakyReLU: 6400 values each, before\n"
        "Reshape makes them 256 channels of 5x5");
  }
  ImGui::SameLine();
  // Wrapped: at 1280 wide the line does not fit, and its end (what a click does) matters.
  widgets::push_wrap_at_visible_edge();
  ImGui::TextColored(widgets::palette().note,
                     "Every layer's output for the current z, one row per layer from top to "
                     "bottom, most active channels (mean |x|) first; blue < 0 < red, one scale "
                     "per layer. Click a ConvT channel pixel to pick it for the stepper.");
  ImGui::PopTextWrapPos();
  draw_stepper_link(s, nav);
  // At least a few rows tall: in a short window the panel scrolls instead of squeezing this.
  const float rows_h = std::max(ImGui::GetContentRegionAvail().y, widgets::px(300.0f));
  ImGui::BeginChild("##inside_g", ImVec2(0, rows_h), false, ImGuiWindowFlags_HorizontalScrollbar);
  for (const lab::LayerOutput& L : s.model.layers()) {
    if (L.height == 1 && !s.show_flat) continue;
    draw_layer(s, heatmaps, L);
  }
  ImGui::EndChild();
}

}  // namespace

void draw_latent_panel(LatentState& s, LatentTextures& textures, gfx::HeatmapRenderer& heatmaps,
                       lab::Navigator& nav) {
  // prepare runs at once, on this thread, before the first load: what the fresh state takes
  // from this one (a lesson may have set the seed, the command line the file).
  if (first_load(
          s,
          [&s](LatentState& fresh) {
            fresh.seed = s.seed;
            fresh.start_path = s.start_path;
          },
          [](LatentState& fresh) { start(fresh); }, take_loaded,
          s.start_path.empty() ? "Loading the shipped generator and the 10,000 built-in digits"
                               : "Loading the generator and the images it was trained on")) {
    return;
  }
  follow_training(s, nav);
  draw_checkpoint_row(s);
  if (!s.model.loaded()) return;
  try {
    const float top_h = widgets::px(312.0f);
    // Scrolls sideways in a narrow window (the random samples come last).
    ImGui::BeginChild("##top", ImVec2(0, top_h), false, ImGuiWindowFlags_HorizontalScrollbar);
    draw_current(s, heatmaps, textures);
    ImGui::SameLine(0, widgets::px(16));
    draw_sliders(s, top_h - widgets::px(8));
    ImGui::SameLine(0, widgets::px(16));
    draw_random_grid(s, heatmaps, textures);
    ImGui::EndChild();
    ImGui::Separator();
    draw_interpolation(s, heatmaps, textures);
    ImGui::Separator();
    if (ImGui::BeginTabBar("##latent_tabs")) {
      if (ImGui::BeginTabItem("Inside G")) {
        draw_inside_g(s, heatmaps, nav);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("2D plane")) {
        draw_plane(s, heatmaps, textures);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Class directions")) {
        draw_class_directions(s);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  } catch (const std::exception& e) {
    // Should not happen with a model that loaded; say so rather than crash the app.
    ImGui::TextColored(widgets::palette().error, "latent panel: %s", e.what());
  }
  s.stale = false;
}

}  // namespace convt::panels
