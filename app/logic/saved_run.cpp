#include "logic/saved_run.h"

#include <stb_image.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "logic/training_session.h"

namespace convt::lab {

namespace {

namespace fs = std::filesystem;

// One CSV line split into fields; "a ""b""" unquoted to a "b". Returns false for an unclosed
// quote.
bool split_csv_line(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  return !quoted;
}

// The column index of the first of `names` in `header`, or -1.
int find_column(const std::vector<std::string>& header, const std::vector<const char*>& names) {
  for (const char* name : names) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<int>(it - header.begin());
  }
  return -1;
}

std::string where(const std::string& path, size_t line) {
  return path + ":" + std::to_string(line);
}

}  // namespace

namespace {

// The columns of a training log, by the CLI's names first, then the dashboard's Export CSV names.
struct LogColumn {
  const char* name;
  std::vector<const char*> names;
  int index = -1;
};
using LogColumns = std::array<LogColumn, 7>;

// Finds every column in the header line. Throws SavedRunError naming the missing one.
LogColumns find_log_columns(const std::vector<std::string>& header, const std::string& line,
                            const std::string& path) {
  LogColumns columns = {{{"step", {"step"}},
                         {"loss_g", {"loss_g", "loss_G"}},
                         {"loss_d", {"loss_d", "loss_D"}},
                         {"d_real", {"d_real", "D(x)"}},
                         {"d_fake", {"d_fake", "D(G(z))"}},
                         {"acc_real", {"acc_real"}},
                         {"acc_fake", {"acc_fake"}}}};
  for (LogColumn& c : columns) {
    c.index = find_column(header, c.names);
    if (c.index < 0) {
      throw SavedRunError(where(path, 1) + ": no column '" + c.name +
                          "' in the header (expected step, loss_g, loss_d, d_real, d_fake, "
                          "acc_real, acc_fake; found '" +
                          line + "')");
    }
  }
  return columns;
}

// One row's point; `at` names the file and line in errors. The step is checked here, its
// order against the previous row by the caller.
CurvePoint parse_log_row(const std::vector<std::string>& fields, const LogColumns& columns,
                         const std::string& at) {
  double v[7];
  for (size_t k = 0; k < columns.size(); ++k) {
    const std::string& text = fields[static_cast<size_t>(columns[k].index)];
    char* end = nullptr;
    errno = 0;
    v[k] = std::strtod(text.c_str(), &end);
    if (text.empty() || end == text.c_str() || *end != '\0' || errno == ERANGE) {
      throw SavedRunError(at + ": column '" + columns[k].name + "': expected a number, found '" +
                          text + "'");
    }
  }
  // Checked before the cast: converting nan, inf or 1e300 to int64_t is undefined.
  if (!(std::isfinite(v[0]) && v[0] >= 1.0 && v[0] < 9.0e18 && std::floor(v[0]) == v[0])) {
    throw SavedRunError(at + ": column 'step': expected a whole number >= 1, found '" +
                        fields[static_cast<size_t>(columns[0].index)] + "'");
  }
  CurvePoint p;
  p.step = static_cast<int64_t>(v[0]);
  p.loss_g = static_cast<float>(v[1]);
  p.loss_d = static_cast<float>(v[2]);
  p.d_real = static_cast<float>(v[3]);
  p.d_fake = static_cast<float>(v[4]);
  p.acc_real = static_cast<float>(v[5]);
  p.acc_fake = static_cast<float>(v[6]);
  return p;
}

}  // namespace

std::vector<CurvePoint> read_training_log(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SavedRunError(path + ": cannot open the training log (expected a CSV file)");
  std::string line;
  std::vector<std::string> header, fields;
  size_t line_no = 0;
  if (!std::getline(in, line)) {
    throw SavedRunError(path + ": empty file (expected a header line: step,loss_g,loss_d,...)");
  }
  ++line_no;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  split_csv_line(line, header);
  const LogColumns columns = find_log_columns(header, line, path);
  std::vector<CurvePoint> points;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (!split_csv_line(line, fields)) {
      throw SavedRunError(where(path, line_no) + ": a quoted field is not closed");
    }
    if (fields.size() < header.size()) {
      throw SavedRunError(where(path, line_no) + ": expected " + std::to_string(header.size()) +
                          " fields as in the header, found " + std::to_string(fields.size()) +
                          " (a truncated file?)");
    }
    const CurvePoint p = parse_log_row(fields, columns, where(path, line_no));
    if (!points.empty() && p.step <= points.back().step) {
      throw SavedRunError(where(path, line_no) + ": step " + std::to_string(p.step) +
                          " does not follow step " + std::to_string(points.back().step) +
                          " (expected increasing steps)");
    }
    points.push_back(p);
  }
  if (points.empty()) {
    throw SavedRunError(path + ": a header and no rows (expected one row per training step)");
  }
  return points;
}

Tensor read_png_grid(const std::string& path, int count, int tile, int cols, int scale,
                     int padding) {
  if (count < 1 || tile < 1 || cols < 1 || scale < 1 || padding < 0) {
    throw SavedRunError(path + ": bad grid geometry (count, tile, cols, scale >= 1, padding >= 0)");
  }
  cols = std::min(cols, count);
  const int rows = (count + cols - 1) / cols;
  const int tile_px = tile * scale;
  const int want_w = cols * tile_px + (cols + 1) * padding;
  const int want_h = rows * tile_px + (rows + 1) * padding;
  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &channels, 1);
  if (pixels == nullptr) {
    throw SavedRunError(
        path + ": cannot decode the sample grid (stb_image: " + stbi_failure_reason() + ")");
  }
  if (w != want_w || h != want_h) {
    stbi_image_free(pixels);
    throw SavedRunError(path + ": expected a " + std::to_string(want_w) + " x " +
                        std::to_string(want_h) + " grid (" + std::to_string(count) + " tiles of " +
                        std::to_string(tile) + "x" + std::to_string(tile) + ", " +
                        std::to_string(cols) + " columns, scale " + std::to_string(scale) +
                        ", padding " + std::to_string(padding) + "), found " + std::to_string(w) +
                        " x " + std::to_string(h));
  }
  Tensor out({count, 1, tile, tile});  // (N, 1, tile, tile)
  for (int k = 0; k < count; ++k) {
    const int top = padding + (k / cols) * (tile_px + padding);
    const int left = padding + (k % cols) * (tile_px + padding);
    for (int y = 0; y < tile; ++y) {
      for (int x = 0; x < tile; ++x) {
        const uint8_t p = pixels[static_cast<size_t>(top + y * scale) * w + (left + x * scale)];
        out.data()[(static_cast<size_t>(k) * tile + y) * tile + x] = pixel_to_unit(p);
      }
    }
  }
  stbi_image_free(pixels);
  return out;
}

SavedRun load_saved_run(const std::string& dir) {
  const std::string json_path = (fs::path(dir) / "run.json").string();
  std::ifstream in(json_path);
  if (!in) throw SavedRunError(json_path + ": cannot open (expected a saved run's description)");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw SavedRunError(json_path + ": not valid JSON (" + e.what() + ")");
  }
  SavedRun run;
  run.dir = dir;
  run.name = fs::path(dir).filename().string();
  if (run.name.empty()) run.name = fs::path(dir).parent_path().filename().string();
  try {
    run.title = j.at("title").get<std::string>();
    run.command = j.at("command").get<std::string>();
    run.date = j.at("date").get<std::string>();
    run.look_for = j.value("look_for", std::string());
    run.commit = j.value("commit", std::string());
    run.model = j.value("model", run.model);
    run.data = j.value("data", run.data);
    const nlohmann::json& h = j.at("hyperparameters");
    run.gan.batch_size = h.at("batch").get<int64_t>();
    run.gan.lr_g = h.at("lr_g").get<float>();
    run.gan.lr_d = h.at("lr_d").get<float>();
    run.gan.beta1 = h.at("beta1").get<float>();
    run.gan.beta2 = h.at("beta2").get<float>();
    run.gan.seed = h.at("seed").get<uint64_t>();
    run.threads = h.value("threads", 1);
    run.error = j.value("error", std::string());
    const nlohmann::json& g = j.at("grid");
    const int count = g.at("count").get<int>(), tile = g.at("tile").get<int>();
    const int cols = g.at("cols").get<int>(), scale = g.at("scale").get<int>();
    const int padding = g.at("padding").get<int>();
    const std::vector<CurvePoint> points =
        read_training_log((fs::path(dir) / j.value("log", std::string("log.csv"))).string());
    if (points.size() > run.series.capacity()) {
      throw SavedRunError(dir + "/log.csv: " + std::to_string(points.size()) +
                          " rows, more than the " + std::to_string(run.series.capacity()) +
                          " a saved run may hold");
    }
    for (const CurvePoint& p : points) run.series.push(p);
    for (const nlohmann::json& e : j.at("grids")) {
      SavedGrid grid;
      grid.step = e.at("step").get<int64_t>();
      grid.file = (fs::path(dir) / e.at("file").get<std::string>()).string();
      grid.samples = read_png_grid(grid.file, count, tile, cols, scale, padding);
      grid.diversity = batch_diversity(grid.samples);
      if (!run.grids.empty() && grid.step <= run.grids.back().step) {
        throw SavedRunError(json_path + ": grid " + grid.file + " at step " +
                            std::to_string(grid.step) + " does not follow step " +
                            std::to_string(run.grids.back().step) + " (expected increasing)");
      }
      run.grids.push_back(std::move(grid));
    }
  } catch (const nlohmann::json::exception& e) {
    throw SavedRunError(json_path + ": " + e.what() +
                        " (expected title, command, date, hyperparameters {batch, lr_g, lr_d, "
                        "beta1, beta2, seed}, grid {count, tile, cols, scale, padding}, grids "
                        "[{file, step}])");
  }
  if (run.grids.empty()) throw SavedRunError(json_path + ": no sample grids (\"grids\": [])");
  return run;
}

std::string saved_run_dir(const std::string& name) {
  return fs::path(asset_path("runs/" + name + "/run.json"))
      .parent_path()
      .lexically_normal()
      .string();
}

std::vector<std::string> list_saved_runs_in(const std::string& runs_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(runs_dir, ec)) return names;
  for (const auto& entry : fs::directory_iterator(runs_dir, ec)) {
    if (fs::exists(entry.path() / "run.json", ec)) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> list_saved_runs() {
  for (const std::string& d : asset_search_dirs()) {
    std::error_code ec;
    const fs::path runs = fs::path(d) / "runs";
    if (fs::is_directory(runs, ec)) return list_saved_runs_in(runs.string());
  }
  return {};
}

void add_real_digits(SavedRun& run) {
  if (run.real_diversity >= 0.0f) return;
  const int count = run.grids.empty() ? 64 : static_cast<int>(run.grids.back().samples.dim(0));
  const Dataset digits = load_builtin_digits(20);
  run.real = pick_real(digits, count);
  run.real_diversity = batch_diversity(run.real);
}

void score_saved_run(SavedRun& run, nn::Sequential& classifier) {
  for (SavedGrid& g : run.grids) {
    g.score = quality_score(classifier, g.samples);
    g.has_score = true;
  }
  add_real_digits(run);
}

std::vector<Diagnosis> diagnose_saved_run(const SavedRun& run) {
  DiagnosisInput in;
  in.points = &run.series.points();
  in.error = run.error;
  if (!run.grids.empty()) {
    const SavedGrid& last = run.grids.back();
    in.sample_diversity = last.diversity;
    in.real_diversity = run.real_diversity;
    if (last.has_score) in.class_histogram = last.score.histogram;
  }
  return diagnose(in);
}

}  // namespace convt::lab
