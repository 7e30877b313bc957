#include "animation_job.h"

#include <imgui.h>
#include <stb_image.h>  // implementation in libstb

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "cli/output_files.h"
#include "convt/io/png.h"
#include "gfx/rgb_texture.h"
#include "panels/stepper_panels.h"
#include "widgets/palette.h"

namespace convt {

AnimationJob::AnimationJob(const lab::AnimationRequest& request, std::vector<int> delays_cs,
                           DrawFrame draw, FrameLook look)
    : writer_(exporting::AnimationWriter::open(request.path, request.width, request.height,
                                               request.fps)),
      offscreen_(request.width, request.height, look.scale_percent, look.theme),
      delays_(std::move(delays_cs)),
      draw_(std::move(draw)) {}

void AnimationJob::render_next() {
  const int i = next_++;
  const float delta = static_cast<float>(delays_[static_cast<size_t>(i)]) / 100.0f;
  const std::vector<uint8_t> rgb =
      offscreen_.render([&](gfx::HeatmapRenderer& heatmaps) { draw_(i, heatmaps); }, delta);
  writer_->add_frame(rgb.data(), delays_[static_cast<size_t>(i)]);
}

int64_t AnimationJob::finish() {
  writer_->finish();
  std::error_code ec;
  const auto size = std::filesystem::file_size(writer_->path(), ec);
  return ec ? -1 : static_cast<int64_t>(size);
}

std::unique_ptr<AnimationJob> make_stepper_job(const lab::StepperModel& model,
                                               const lab::StepperView& view,
                                               const lab::AnimationRequest& request,
                                               FrameLook look) {
  const std::vector<int64_t> positions =
      lab::stepper_positions(model.event_count(), request.from, request.to);
  std::vector<int> delays = lab::frame_delays_cs(static_cast<int>(positions.size()), request.fps);
  auto m = std::make_shared<lab::StepperModel>(model);
  auto v = std::make_shared<lab::StepperView>(view);
  v->playing = false;
  v->open_edit_popup = false;
  v->edit_target = lab::StepperView::EditTarget::kNone;
  v->animation = lab::AnimationExport{};
  v->recording = true;  // the frames show no export controls
  switch (request.view) {
    case lab::AnimationView::kScatter:
      v->second = lab::StepperSecondView::kOutput;
      break;
    case lab::AnimationView::kGather:
      v->second = lab::StepperSecondView::kGather;
      break;
    case lab::AnimationView::kOverlap:
      v->second = lab::StepperSecondView::kOverlap;
      break;
  }
  auto draw = [m, v, positions](int frame, gfx::HeatmapRenderer& heatmaps) {
    m->set_position(positions[static_cast<size_t>(frame)]);
    panels::draw_stepper_panel(*m, *v, heatmaps);
  };
  return std::make_unique<AnimationJob>(request, std::move(delays), draw, look);
}

std::unique_ptr<AnimationJob> make_formula_job(const lab::FormulaView& view,
                                               const lab::AnimationRequest& request,
                                               FrameLook look) {
  const lab::FormulaParamRange* range = lab::find_formula_param(request.sweep_param);
  if (range == nullptr) {
    std::string names;
    for (const auto& r : lab::formula_param_ranges())
      names += (names.empty() ? "" : ", ") + std::string(r.name);
    throw lab::AnimationError("--param: expected one of " + names + ", found '" +
                              request.sweep_param + "'");
  }
  const std::vector<int> values =
      lab::sweep_values(range->name, range->lo, range->hi, static_cast<int>(request.from),
                        static_cast<int>(request.to));
  std::vector<int> delays = lab::frame_delays_cs(static_cast<int>(values.size()), request.fps);
  auto v = std::make_shared<lab::FormulaView>(view);
  v->recording = true;
  v->animation = lab::AnimationExport{};
  const auto field = range->field;
  auto draw = [v, values, field](int frame, gfx::HeatmapRenderer&) {
    v->params.*field = values[static_cast<size_t>(frame)];
    panels::draw_formula_panel(*v);
  };
  return std::make_unique<AnimationJob>(request, std::move(delays), draw, look);
}

namespace {

// One sample grid, read as RGB.
Image8 read_grid(const std::string& path) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
  if (data == nullptr) {
    throw lab::AnimationError("timelapse: expected a PNG sample grid, cannot read '" + path +
                              "': " + (stbi_failure_reason() ? stbi_failure_reason() : "?"));
  }
  Image8 image;
  image.width = w;
  image.height = h;
  image.channels = 3;
  image.pixels.assign(data, data + static_cast<size_t>(w) * h * 3);
  stbi_image_free(data);
  return image;
}

// A time-lapse frame: the run's name, G(fixed z) as large as fits (whole pixels, square), its
// step and epoch in large type, and where it is in the run.
void draw_timelapse_frame(const std::string& title, const lab::TimelapseFrame& frame,
                          const gfx::RgbTexture& texture, int index, int count) {
  ImGui::TextDisabled("%s", title.c_str());
  ImGui::SetWindowFontScale(1.6f);
  ImGui::TextColored(widgets::palette().accent, "%s", lab::timelapse_caption(frame).c_str());
  ImGui::SetWindowFontScale(1.0f);
  const float bar_height = ImGui::GetFrameHeightWithSpacing();
  const ImVec2 room = ImGui::GetContentRegionAvail();
  const float fit = std::min(room.x / static_cast<float>(texture.width()),
                             (room.y - bar_height) / static_cast<float>(texture.height()));
  const float scale = fit >= 2.0f ? std::floor(fit) : fit;  // whole pixels when that costs little
  const ImVec2 size(scale * static_cast<float>(texture.width()),
                    scale * static_cast<float>(texture.height()));
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, (room.x - size.x) * 0.5f));
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture.id())), size);
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "grid %d of %d", index + 1, count);
  ImGui::ProgressBar(static_cast<float>(index + 1) / static_cast<float>(count), ImVec2(-1.0f, 0.0f),
                     overlay);
}

}  // namespace

std::unique_ptr<AnimationJob> make_timelapse_job(const std::string& run_dir,
                                                 const lab::AnimationRequest& request,
                                                 FrameLook look) {
  std::vector<lab::TimelapseFrame> all = lab::timelapse_frames(run_dir);
  // A long run (thousands of epochs) is shown every few grids, its last one included.
  std::vector<lab::TimelapseFrame> frames;
  const int64_t last = static_cast<int64_t>(all.size()) - 1;
  for (int64_t i : lab::stepper_positions(last, 0, last))
    frames.push_back(all[static_cast<size_t>(i)]);
  for (const lab::TimelapseFrame& f : frames) {  // each readable, before anything is written
    int w = 0, h = 0, channels = 0;
    if (stbi_info(f.path.c_str(), &w, &h, &channels) == 0) {
      throw lab::AnimationError("timelapse: expected a PNG sample grid, cannot read '" + f.path +
                                "': " + (stbi_failure_reason() ? stbi_failure_reason() : "?"));
    }
  }
  std::vector<int> delays = lab::frame_delays_cs(static_cast<int>(frames.size()), request.fps);
  auto texture = std::make_shared<gfx::RgbTexture>();
  const std::string title =
      "G(fixed z) during training: " + std::filesystem::path(run_dir).lexically_normal().string();
  auto draw = [frames, texture, title](int i, gfx::HeatmapRenderer&) {
    const lab::TimelapseFrame& f = frames[static_cast<size_t>(i)];
    texture->upload(read_grid(f.path));  // one at a time: a run's grids can be gigabytes
    draw_timelapse_frame(title, f, *texture, i, static_cast<int>(frames.size()));
  };
  return std::make_unique<AnimationJob>(request, std::move(delays), draw, look);
}

namespace {

// A latent frame: which path, the image as large as fits (whole pixels when that costs little),
// t in large type, and a bar from A (left) to B (right) with t marked.
void draw_latent_frame(const LatentPath& path, const gfx::RgbTexture& texture, float t,
                       bool going_back) {
  ImGui::TextDisabled("G(z) as z moves along the %s from A (%s) to B (%s) and back",
                      lab::interpolation_name(path.mode), path.a_what.c_str(),
                      path.b_what.c_str());
  ImGui::SetWindowFontScale(1.6f);
  ImGui::TextColored(widgets::palette().accent, "t = %.2f  %s", static_cast<double>(t),
                     going_back ? "(B -> A)" : "(A -> B)");
  ImGui::SetWindowFontScale(1.0f);
  const float bar_height = ImGui::GetFrameHeightWithSpacing() + ImGui::GetTextLineHeightWithSpacing();
  const ImVec2 room = ImGui::GetContentRegionAvail();
  const float fit = std::min(room.x / static_cast<float>(texture.width()),
                             (room.y - bar_height) / static_cast<float>(texture.height()));
  const float scale = fit >= 2.0f ? std::floor(fit) : fit;
  const ImVec2 size(scale * static_cast<float>(texture.width()),
                    scale * static_cast<float>(texture.height()));
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, (room.x - size.x) * 0.5f));
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture.id())), size);
  ImGui::ProgressBar(t, ImVec2(-1.0f, 0.0f), "");
  const float x0 = ImGui::GetCursorPosX();
  ImGui::TextUnformatted("A");
  ImGui::SameLine(x0 + room.x - ImGui::CalcTextSize("B").x);
  ImGui::TextUnformatted("B");
}

}  // namespace

std::unique_ptr<AnimationJob> make_latent_job(lab::LatentModel& model, const LatentPath& path,
                                              const lab::AnimationRequest& request,
                                              FrameLook look) {
  if (!model.loaded()) {
    throw lab::AnimationError("latent: no generator is loaded (load a checkpoint first)");
  }
  const std::vector<float> ts = lab::round_trip_ts(request.frames_each_way);
  const int n = request.frames_each_way;
  // The images of the way there (t = i / (n - 1)); the way back shows the same ones.
  const std::vector<lab::Latent> zs = lab::interpolate(path.a, path.b, n, path.mode);
  const Tensor images = model.generate(zs);  // (n, C, H, W)
  auto frames = std::make_shared<std::vector<Image8>>();
  const int64_t per = images.numel() / images.dim(0);
  for (int64_t i = 0; i < images.dim(0); ++i) {
    std::vector<int64_t> shape = images.shape();
    shape[0] = 1;
    frames->push_back(make_image_grid(
        Tensor(shape, std::vector<float>(images.data() + i * per, images.data() + (i + 1) * per)),
        1, 1, 0));
  }
  std::vector<int> delays = lab::frame_delays_cs(static_cast<int>(ts.size()), request.fps);
  auto texture = std::make_shared<gfx::RgbTexture>();
  auto draw = [frames, texture, ts, path, n](int i, gfx::HeatmapRenderer&) {
    // The way back shows the same images, reversed.
    texture->upload((*frames)[static_cast<size_t>(lab::round_trip_image(i, n))]);
    draw_latent_frame(path, *texture, ts[static_cast<size_t>(i)], i >= n);
  };
  return std::make_unique<AnimationJob>(request, std::move(delays), draw, look);
}

void pump_animation_export(lab::AnimationExport& exp, std::unique_ptr<AnimationJob>& job,
                           const MakeAnimationJob& make, double budget_seconds) {
  lab::AnimationProgress& p = exp.progress;
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  auto fail = [&](const std::string& why) {
    job.reset();  // removes the temporary file
    p = lab::AnimationProgress{};
    p.failed = true;
    p.message = why;
  };
  if (exp.pending && !job) {
    exp.pending = false;
    try {
      // The dialog's default folder (runs/animations/) is made on first use.
      const std::filesystem::path parent = std::filesystem::path(exp.request.path).parent_path();
      std::error_code ec;
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
      cli::remove_stale_temps(exp.request.path);
      job = make(exp.request);
      p = lab::AnimationProgress{};
      p.running = true;
      p.frame_count = job->frame_count();
    } catch (const std::exception& e) {
      fail(e.what());
      return;
    }
  }
  if (!job) return;
  if (p.cancel_requested) {
    const std::string path = job->path();
    fail("cancelled; nothing written to " + path);
    p.failed = false;
    return;
  }
  try {
    while (!job->all_rendered() &&
           std::chrono::duration<double>(clock::now() - start).count() < budget_seconds) {
      job->render_next();
    }
    p.frames_done = job->frames_done();
    if (!job->all_rendered()) return;
    const int64_t bytes = job->finish();
    char text[512];
    std::snprintf(text, sizeof text, "wrote %s (%d frames, %.1f MB)", job->path().c_str(),
                  job->frame_count(), static_cast<double>(bytes) / 1e6);
    job.reset();
    p = lab::AnimationProgress{};
    p.message = text;
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

}  // namespace convt
