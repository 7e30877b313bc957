#include "logic/completion_model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace convt::lab {

const char* tying_name(Tying t) { return t == Tying::kTied ? "tied" : "untied"; }

// ---- Logs -------------------------------------------------------------------------------------

double CompletionLog::final_heldout_mse() const {
  return heldout_mse.empty() ? std::nan("") : static_cast<double>(heldout_mse.back());
}

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

}  // namespace

CompletionLog parse_completion_log(const std::string& text, const std::string& where) {
  static const std::vector<std::string> kColumns = {"step", "epoch", "loss", "samples_per_second",
                                                    "heldout_mse"};
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) {
    throw std::runtime_error(where + ": empty; expected complete-train's log.csv (header " +
                             "step,epoch,loss,samples_per_second,heldout_mse)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (split_fields(line) != kColumns) {
    throw std::runtime_error(where + ": line 1: expected the header " +
                             "step,epoch,loss,samples_per_second,heldout_mse, found '" + line +
                             "'");
  }
  CompletionLog log;
  double sps_sum = 0.0;
  int64_t rows = 0;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> f = split_fields(line);
    if (f.size() != kColumns.size()) {
      throw std::runtime_error(where + ": line " + std::to_string(line_no) + ": expected " +
                               std::to_string(kColumns.size()) + " fields, found " +
                               std::to_string(f.size()) + " ('" + line + "')");
    }
    double v[5];
    for (size_t i = 0; i < 5; ++i) {
      size_t used = 0;
      try {
        v[i] = std::stod(f[i], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != f[i].size()) {
        throw std::runtime_error(where + ": line " + std::to_string(line_no) + ", column " +
                                 kColumns[i] + ": expected a number, found '" + f[i] + "'");
      }
    }
    log.step.push_back(static_cast<float>(v[0]));
    log.loss.push_back(static_cast<float>(v[2]));
    sps_sum += v[3];
    if (v[4] >= 0.0) {
      log.heldout_step.push_back(static_cast<float>(v[0]));
      log.heldout_mse.push_back(static_cast<float>(v[4]));
    }
    ++rows;
  }
  if (rows == 0) throw std::runtime_error(where + ": a header but no rows (no training step)");
  log.mean_samples_per_second = sps_sum / static_cast<double>(rows);
  return log;
}

CompletionLog load_completion_log(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open the training log");
  std::stringstream s;
  s << f.rdbuf();
  return parse_completion_log(s.str(), path);
}

// ---- Region error -----------------------------------------------------------------------------

RegionError region_error(const Tensor& out, const Tensor& target, const Tensor& mask) {
  if (out.numel() != mask.numel() || target.numel() != mask.numel()) {
    throw std::invalid_argument("region_error: expected images of " + std::to_string(mask.numel()) +
                                " pixels (the mask " + mask.shape_str() + "), found " +
                                out.shape_str() + " and " + target.shape_str());
  }
  RegionError e;
  double sum = 0.0, hidden_sum = 0.0;
  for (int64_t i = 0; i < mask.numel(); ++i) {
    const double d = static_cast<double>(out[i]) - target[i];
    sum += d * d;
    if (mask[i] == 0.0f) {
      hidden_sum += d * d;
      ++e.hidden;
    }
  }
  e.mse = mask.numel() > 0 ? sum / static_cast<double>(mask.numel()) : 0.0;
  e.hidden_mse = e.hidden > 0 ? hidden_sum / static_cast<double>(e.hidden) : 0.0;
  return e;
}

double spread_across_images(const Tensor& images) {
  if (images.ndim() != 4 || images.dim(0) < 1) {
    throw std::invalid_argument("spread_across_images: expected images (n >= 1, C, H, W), found " +
                                images.shape_str());
  }
  const int64_t n = images.dim(0), per = images.numel() / n;
  double total = 0.0;
  for (int64_t p = 0; p < per; ++p) {
    double mean = 0.0;
    for (int64_t k = 0; k < n; ++k) mean += images[k * per + p];
    mean /= static_cast<double>(n);
    double var = 0.0;
    for (int64_t k = 0; k < n; ++k) {
      const double d = images[k * per + p] - mean;
      var += d * d;
    }
    total += std::sqrt(var / static_cast<double>(n));
  }
  return per > 0 ? total / static_cast<double>(per) : 0.0;
}

// ---- CompletionModel --------------------------------------------------------------------------

CompletionModel::CompletionModel() : canvas_({1, 1, kSize, kSize}, -1.0f) { remask(); }

bool CompletionModel::load(Tying t, const std::string& path) {
  Slot& s = slot(t);
  std::unique_ptr<CompletionTrainer> trainer;
  try {
    trainer = CompletionTrainer::from_checkpoint(path, nullptr);
  } catch (const std::exception& e) {
    s.error = std::string("Cannot load the ") + tying_name(t) + " model: " + e.what();
    return false;
  }
  const CompletionConfig& cfg = trainer->config();
  if (cfg.tied != (t == Tying::kTied)) {
    s.error = path + ": expected a " + tying_name(t) + " completion model, found a " +
              (cfg.tied ? "tied" : "untied") + " one";
    return false;
  }
  if (cfg.image_channels != 1 || cfg.image_size != kSize) {
    s.error = path + ": expected a model of 1 x 28 x 28 images (the built-in digits), found " +
              std::to_string(cfg.image_channels) + " x " + std::to_string(cfg.image_size) + " x " +
              std::to_string(cfg.image_size);
    return false;
  }
  s.trainer = std::move(trainer);
  s.path = path;
  s.error.clear();
  s.completion_version = UINT64_MAX;
  changed();
  return true;
}

int64_t CompletionModel::trained_steps(Tying t) const {
  return loaded(t) ? slot(t).trainer->steps_done() : 0;
}
int64_t CompletionModel::parameter_count(Tying t) const {
  return loaded(t) ? slot(t).trainer->net().parameter_count() : 0;
}
int64_t CompletionModel::conv_parameter_count(Tying t) const {
  return loaded(t) ? slot(t).trainer->net().conv_parameter_count() : 0;
}
int CompletionModel::latent_dim(Tying t) const {
  return loaded(t) ? slot(t).trainer->config().latent_dim : 0;
}
MaskKind CompletionModel::trained_mask(Tying t) const {
  return loaded(t) ? slot(t).trainer->config().mask.kind : MaskKind::bottom_half;
}

bool CompletionModel::load_log(Tying t, const std::string& path) {
  Slot& s = slot(t);
  try {
    s.log = load_completion_log(path);
    s.has_log = true;
    s.log_error.clear();
    return true;
  } catch (const std::exception& e) {
    s.log = CompletionLog();
    s.has_log = false;
    s.log_error = e.what();
    return false;
  }
}

void CompletionModel::set_canvas(const Tensor& images, int64_t n) {
  if (images.ndim() != 4 || images.dim(1) != 1 || images.dim(2) != kSize ||
      images.dim(3) != kSize) {
    throw std::invalid_argument(
        "CompletionModel::set_canvas: expected images (N, 1, 28, 28), found " + images.shape_str());
  }
  if (n < 0 || n >= images.dim(0)) {
    throw std::invalid_argument("CompletionModel::set_canvas: image " + std::to_string(n) + " of " +
                                std::to_string(images.dim(0)));
  }
  const int64_t per = kSize * kSize;
  std::copy(images.data() + n * per, images.data() + (n + 1) * per, canvas_.data());
  remask();
}

void CompletionModel::clear_canvas() {
  canvas_.fill(-1.0f);
  remask();
}

bool CompletionModel::stroke(float y0, float x0, float y1, float x1, const Brush& brush) {
  const bool any = paint_stroke(canvas_.data(), kSize, kSize, y0, x0, y1, x1, brush);
  if (any) remask();
  return any;
}

void CompletionModel::set_region(MaskKind kind) {
  if (kind == spec_.kind) return;
  spec_.kind = kind;
  remask();
}

void CompletionModel::set_square_seed(uint64_t seed) {
  if (seed == square_seed_) return;
  square_seed_ = seed;
  remask();
}

void CompletionModel::remask() {
  Rng rng(square_seed_);
  mask_ = make_mask(spec_, kSize, kSize, rng);
  apply_mask(masked_, canvas_, mask_);
  changed();
}

const Tensor& CompletionModel::completion(Tying t) {
  Slot& s = slot(t);
  if (!s.trainer) {
    s.completion = Tensor();
    return s.completion;
  }
  if (s.completion_version != version_) {
    s.completion = s.trainer->complete(masked_);
    s.completion_version = version_;
  }
  return s.completion;
}

RegionError CompletionModel::completion_error(Tying t) {
  const Tensor& out = completion(t);
  if (out.empty()) return RegionError();
  return region_error(out, canvas_, mask_);
}

std::vector<Tensor> CompletionModel::refinement(Tying t, int passes) {
  if (passes < 1 || passes > kMaxPasses) {
    throw std::invalid_argument("refinement: passes: expected 1.." + std::to_string(kMaxPasses) +
                                ", found " + std::to_string(passes));
  }
  Slot& s = slot(t);
  if (!s.trainer) return {};
  const Tensor masks = mask_.reshaped({1, 1, kSize, kSize});
  return s.trainer->refine(masked_, passes, nullptr, &masks);
}

Tensor CompletionModel::blank_canvas(Tying t, int n, uint64_t seed) {
  if (n < 1 || n > 64) {
    throw std::invalid_argument("blank_canvas: n: expected 1..64, found " + std::to_string(n));
  }
  Slot& s = slot(t);
  if (!s.trainer) return Tensor();
  return s.trainer->generate_from_blank(n, seed);
}

CompletionEval CompletionModel::evaluate(Tying t, const Tensor& images, uint64_t mask_seed) {
  Slot& s = slot(t);
  if (!s.trainer) return CompletionEval();
  check_shape(images, {images.ndim() == 4 ? images.dim(0) : -1, 1, kSize, kSize},
              "CompletionModel::evaluate: images", "[N, 1, 28, 28]");
  CompletionEval e;
  e.images = images.dim(0);
  Rng rng(mask_seed);
  Tensor masked, masks;
  apply_mask(masked, images, spec_, rng, 0.0f, &masks);  // (N, 1, 28, 28), masks (N, 1, 28, 28)
  const Tensor out = s.trainer->complete(masked);
  double sum = 0.0, hidden_sum = 0.0;
  int64_t hidden = 0;
  for (int64_t i = 0; i < images.numel(); ++i) {
    const double d = static_cast<double>(out[i]) - images[i];
    sum += d * d;
    if (masks[i] == 0.0f) {
      hidden_sum += d * d;
      ++hidden;
    }
  }
  e.mse = images.numel() > 0 ? sum / static_cast<double>(images.numel()) : 0.0;
  e.hidden_mse = hidden > 0 ? hidden_sum / static_cast<double>(hidden) : 0.0;
  return e;
}

}  // namespace convt::lab
