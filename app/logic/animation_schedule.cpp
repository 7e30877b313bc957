#include "logic/animation_schedule.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace convt::lab {

namespace fs = std::filesystem;

std::optional<AnimationFormat> animation_format_for(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".gif") return AnimationFormat::kGif;
  if (ext == ".mp4") return AnimationFormat::kMp4;
  return std::nullopt;
}

std::vector<int64_t> stepper_positions(int64_t event_count, int64_t from, int64_t to) {
  if (to < 0) to = event_count;
  if (to > event_count) {
    throw AnimationError("--to: expected at most " + std::to_string(event_count) +
                         " (the run's event count), found " + std::to_string(to));
  }
  if (from < 0 || from > to) {
    throw AnimationError("--from: expected 0 .. " + std::to_string(to) + " (at most --to), found " +
                         std::to_string(from));
  }
  const int64_t span = to - from;
  const int64_t stride =
      std::max<int64_t>(1, (span + kMaxAnimationFrames - 2) / (kMaxAnimationFrames - 1));
  std::vector<int64_t> positions;
  for (int64_t k = from; k < to; k += stride) positions.push_back(k);
  positions.push_back(to);
  return positions;
}

std::vector<int> frame_delays_cs(int frame_count, int fps) {
  if (fps < kMinFps || fps > kMaxFps) {
    throw AnimationError("--fps: expected " + std::to_string(kMinFps) + " .. " +
                         std::to_string(kMaxFps) + " frames per second, found " +
                         std::to_string(fps));
  }
  if (frame_count < 1) {
    throw AnimationError("expected at least one frame, found " + std::to_string(frame_count));
  }
  std::vector<int> delays(static_cast<size_t>(frame_count));
  auto at = [fps](int i) { return std::lround(100.0 * i / fps); };
  for (int i = 0; i < frame_count; ++i) {
    delays[static_cast<size_t>(i)] = std::max(2, static_cast<int>(at(i + 1) - at(i)));
  }
  delays.back() += static_cast<int>(std::lround(kHoldSeconds * 100.0));
  return delays;
}

namespace {

// "samples_epoch_012.png" -> 12 for prefix "samples_epoch_"; -1 if the name is not that form.
int64_t number_in_name(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + 4) return -1;
  if (name.compare(name.size() - 4, 4, ".png") != 0) return -1;
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - 4);
  if (digits.empty() || digits.size() > 12) return -1;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
  return std::stoll(digits);
}

// log.csv's last step of each (0-based) epoch; empty if there is no readable log.
std::map<int64_t, int64_t> last_step_of_epochs(const fs::path& log_path) {
  std::map<int64_t, int64_t> last;
  std::ifstream in(log_path);
  std::string line;
  if (!in || !std::getline(in, line)) return last;
  int step_col = -1, epoch_col = -1, col = 0;
  std::stringstream header(line);
  for (std::string name; std::getline(header, name, ','); ++col) {
    if (name == "step") step_col = col;
    if (name == "epoch") epoch_col = col;
  }
  if (step_col < 0 || epoch_col < 0) return last;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    double step = -1, epoch = -1;
    col = 0;
    for (std::string cell; std::getline(row, cell, ','); ++col) {
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      if (col == step_col && end != cell.c_str()) step = v;
      if (col == epoch_col && end != cell.c_str()) epoch = v;
    }
    if (step < 0 || epoch < 0) continue;
    int64_t& s = last[static_cast<int64_t>(epoch)];
    s = std::max(s, static_cast<int64_t>(step));
  }
  return last;
}

}  // namespace

std::vector<TimelapseFrame> timelapse_frames(const std::string& run_dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(run_dir, ec);
  if (!fs::exists(status)) {
    throw AnimationError(
        "timelapse: expected a run folder (RUN_DIR of convt-lab train), found "
        "nothing at '" +
        run_dir + "'");
  }
  if (!fs::is_directory(status)) {
    throw AnimationError(
        "timelapse: expected a run folder (RUN_DIR of convt-lab train), found a "
        "file: '" +
        run_dir + "'");
  }
  std::vector<TimelapseFrame> by_epoch, by_step;
  std::vector<std::pair<int64_t, TimelapseFrame>> frames_by_count;
  for (const fs::directory_entry& e : fs::directory_iterator(run_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (const int64_t epoch = number_in_name(name, "samples_epoch_"); epoch >= 0) {
      by_epoch.push_back({e.path().string(), epoch, -1});
    } else if (const int64_t step = number_in_name(name, "samples_step_"); step >= 0) {
      by_step.push_back({e.path().string(), -1, step});
    } else if (const size_t at = name.find("_step_");
               name.rfind("frame_", 0) == 0 && at != std::string::npos) {
      // frame_NNNNN_step_S.png: ordered by N (steps can repeat after a reload), captioned by S.
      const int64_t frame = number_in_name(name.substr(0, at) + ".png", "frame_");
      const int64_t frame_step = number_in_name("s" + name.substr(at + 6), "s");
      if (frame >= 0 && frame_step >= 0)
        frames_by_count.push_back({frame, {e.path().string(), -1, frame_step}});
    }
  }
  if (by_epoch.empty() && by_step.empty() && frames_by_count.empty()) {
    throw AnimationError(
        "timelapse: expected sample grids samples_epoch_NNN.png (or "
        "samples_step_NNNNN.png, or the dashboard's timelapse/frame_NNNNN_step_S.png) "
        "in '" +
        run_dir + "', found none");
  }
  if (by_epoch.empty() && by_step.empty()) {
    std::sort(frames_by_count.begin(), frames_by_count.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<TimelapseFrame> frames;
    for (const auto& f : frames_by_count) frames.push_back(f.second);
    return frames;
  }
  std::vector<TimelapseFrame>& frames = by_epoch.empty() ? by_step : by_epoch;
  std::sort(frames.begin(), frames.end(), [](const TimelapseFrame& a, const TimelapseFrame& b) {
    return a.epoch != b.epoch ? a.epoch < b.epoch : a.step < b.step;
  });
  if (!by_epoch.empty()) {
    const std::map<int64_t, int64_t> last = last_step_of_epochs(fs::path(run_dir) / "log.csv");
    for (TimelapseFrame& f : frames) {  // grid NNN is written after 0-based epoch NNN - 1
      if (auto it = last.find(f.epoch - 1); it != last.end()) f.step = it->second;
    }
  }
  return frames;
}

std::string timelapse_caption(const TimelapseFrame& frame) {
  if (frame.step >= 0 && frame.epoch >= 0) {
    return "step " + std::to_string(frame.step) + " (epoch " + std::to_string(frame.epoch) + ")";
  }
  if (frame.step >= 0) return "step " + std::to_string(frame.step);
  return "epoch " + std::to_string(frame.epoch);
}

std::vector<int> sweep_values(const std::string& name, int lo, int hi, int from, int to) {
  for (const auto& [flag, v] : {std::pair<const char*, int>{"--from", from}, {"--to", to}}) {
    if (v < lo || v > hi) {
      throw AnimationError(std::string(flag) + ": expected a value of " + name + " from " +
                           std::to_string(lo) + " to " + std::to_string(hi) + ", found " +
                           std::to_string(v));
    }
  }
  std::vector<int> values;
  const int step = from <= to ? 1 : -1;
  for (int v = from; v != to + step; v += step) values.push_back(v);
  return values;
}

std::vector<float> round_trip_ts(int frames_each_way) {
  const int n = frames_each_way;
  if (n < kMinLatentFrames || n > kMaxLatentFrames) {
    throw AnimationError("--frames: expected the frames from A to B, from " +
                         std::to_string(kMinLatentFrames) + " to " +
                         std::to_string(kMaxLatentFrames) + ", found " + std::to_string(n));
  }
  std::vector<float> ts;
  for (int frame = 0; frame < 2 * n - 1; ++frame) {
    ts.push_back(static_cast<float>(round_trip_image(frame, n)) / static_cast<float>(n - 1));
  }
  return ts;
}

int round_trip_image(int frame, int frames_each_way) {
  const int n = frames_each_way;
  return frame < n ? frame : 2 * (n - 1) - frame;
}

const char* animation_view_name(AnimationView view) {
  switch (view) {
    case AnimationView::kScatter:
      return "scatter";
    case AnimationView::kGather:
      return "gather";
    case AnimationView::kOverlap:
      return "overlap";
  }
  return "?";
}

std::optional<AnimationView> find_animation_view(const std::string& name) {
  for (AnimationView v : {AnimationView::kScatter, AnimationView::kGather, AnimationView::kOverlap})
    if (name == animation_view_name(v)) return v;
  return std::nullopt;
}

}  // namespace convt::lab
