// DiffAugment forward and backward: plain loops over one sample at a time.
#include "convt/ops/diff_augment.h"

#include <sstream>
#include <stdexcept>

namespace convt {

namespace {

// round(size * ratio) as the reference's int(size * ratio + 0.5)
int64_t scaled(int64_t size, double ratio) {
  return static_cast<int64_t>(static_cast<double>(size) * ratio + 0.5);
}

struct Dims {
  int64_t n, c, h, w;
  int64_t plane() const { return h * w; }
  int64_t sample() const { return c * h * w; }
};

Dims dims_of(const std::vector<int64_t>& s) { return {s[0], s[1], s[2], s[3]}; }

// Saturation and contrast at once, in place on one sample t (C, H, W), forward or transposed:
// both are symmetric maps (I - P) * f + P with P an averaging projection, so the transpose is the
// same formula applied to the gradient.
//   saturation: P averages over channels at each pixel; contrast: P averages over the sample.
void mix_saturation(float* t, const Dims& d, float s) {
  for (int64_t p = 0; p < d.plane(); ++p) {
    double mean = 0.0;
    for (int64_t c = 0; c < d.c; ++c) mean += t[c * d.plane() + p];
    mean /= static_cast<double>(d.c);
    for (int64_t c = 0; c < d.c; ++c) {
      float& v = t[c * d.plane() + p];
      v = static_cast<float>((v - mean) * s + mean);
    }
  }
}

void mix_contrast(float* t, const Dims& d, float k) {
  double mean = 0.0;
  for (int64_t i = 0; i < d.sample(); ++i) mean += t[i];
  mean /= static_cast<double>(d.sample());
  for (int64_t i = 0; i < d.sample(); ++i) t[i] = static_cast<float>((t[i] - mean) * k + mean);
}

// Whether (i, j) lies in sample b's cutout square.
bool in_cutout(const DiffAugmentDraw& a, int64_t b, int64_t i, int64_t j) {
  return i >= a.cut_y[b] && i < a.cut_y[b] + a.cut_h && j >= a.cut_x[b] && j < a.cut_x[b] + a.cut_w;
}

void check_draw_shape(const Tensor& t, const DiffAugmentDraw& draw, const char* what) {
  check_shape(t, draw.shape, what, "[N, C, H, W] of draw_diff_augment");
}

}  // namespace

std::string DiffAugmentPolicy::to_string() const {
  std::string s;
  for (auto [on, name] : {std::pair{color, "color"}, std::pair{translation, "translation"},
                          std::pair{cutout, "cutout"}}) {
    if (on) s += (s.empty() ? "" : ",") + std::string(name);
  }
  return s;
}

DiffAugmentPolicy DiffAugmentPolicy::parse(const std::string& text) {
  DiffAugmentPolicy p;
  if (text.empty() || text == "none") return p;
  std::stringstream in(text);
  std::string word;
  while (std::getline(in, word, ',')) {
    if (word == "color") {
      p.color = true;
    } else if (word == "translation") {
      p.translation = true;
    } else if (word == "cutout") {
      p.cutout = true;
    } else {
      throw std::invalid_argument("DiffAugment policy '" + text + "': unknown transform '" + word +
                                  "'; expected a comma-separated list of color, translation, "
                                  "cutout (or none)");
    }
  }
  return p;
}

DiffAugmentDraw draw_diff_augment(const DiffAugmentPolicy& policy,
                                  const std::vector<int64_t>& shape, Rng& rng) {
  if (shape.size() != 4 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 || shape[3] < 1) {
    throw std::invalid_argument(
        "draw_diff_augment: expected a batch shape (N, C, H, W) of "
        "positive sizes, found " +
        shape_to_string(shape));
  }
  DiffAugmentDraw a;
  a.policy = policy;
  a.shape = shape;
  const Dims d = dims_of(shape);
  auto uniforms = [&](std::vector<float>& v, float lo, float hi) {
    v.resize(static_cast<size_t>(d.n));
    for (float& x : v) x = rng.uniform(lo, hi);
  };
  // integers uniform in [lo, lo + count)
  auto integers = [&](std::vector<int64_t>& v, int64_t lo, int64_t count) {
    v.resize(static_cast<size_t>(d.n));
    for (int64_t& x : v) x = lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(count)));
  };
  if (policy.color) {
    uniforms(a.brightness, -0.5f, 0.5f);
    uniforms(a.saturation, 0.0f, 2.0f);
    uniforms(a.contrast, 0.5f, 1.5f);
  }
  if (policy.translation) {
    const int64_t ry = scaled(d.h, 0.125), rx = scaled(d.w, 0.125);
    integers(a.shift_y, -ry, 2 * ry + 1);
    integers(a.shift_x, -rx, 2 * rx + 1);
  }
  if (policy.cutout) {
    a.cut_h = scaled(d.h, 0.5);
    a.cut_w = scaled(d.w, 0.5);
    // centre in [0, H + (1 - cut_h % 2)), top row = centre - cut_h / 2, as the reference
    integers(a.cut_y, -(a.cut_h / 2), d.h + 1 - a.cut_h % 2);
    integers(a.cut_x, -(a.cut_w / 2), d.w + 1 - a.cut_w % 2);
  }
  return a;
}

void diff_augment_forward(Tensor& out, const Tensor& x, const DiffAugmentDraw& a) {
  check_draw_shape(x, a, "diff_augment_forward: x");
  const Dims d = dims_of(a.shape);
  out.resize_for_overwrite(a.shape);
  std::vector<float> t(static_cast<size_t>(d.sample()));
  for (int64_t b = 0; b < d.n; ++b) {
    const float* xb = x.data() + b * d.sample();
    float* ob = out.data() + b * d.sample();
    t.assign(xb, xb + d.sample());
    if (a.policy.color) {
      for (float& v : t) v += a.brightness[b];
      mix_saturation(t.data(), d, a.saturation[b]);
      mix_contrast(t.data(), d, a.contrast[b]);
    }
    const int64_t ty = a.policy.translation ? a.shift_y[b] : 0;
    const int64_t tx = a.policy.translation ? a.shift_x[b] : 0;
    for (int64_t c = 0; c < d.c; ++c) {
      for (int64_t i = 0; i < d.h; ++i) {
        for (int64_t j = 0; j < d.w; ++j) {
          const int64_t si = i + ty, sj = j + tx;  // translation: the pixel read
          const bool inside = si >= 0 && si < d.h && sj >= 0 && sj < d.w;
          const bool cut = a.policy.cutout && in_cutout(a, b, i, j);
          ob[(c * d.h + i) * d.w + j] = inside && !cut ? t[(c * d.h + si) * d.w + sj] : 0.0f;
        }
      }
    }
  }
}

void diff_augment_backward(Tensor& dx, const Tensor& dout, const DiffAugmentDraw& a) {
  check_draw_shape(dout, a, "diff_augment_backward: dout");
  if (dx.empty()) dx.resize(a.shape);
  check_draw_shape(dx, a, "diff_augment_backward: dx");
  const Dims d = dims_of(a.shape);
  std::vector<float> g(static_cast<size_t>(d.sample()));
  for (int64_t b = 0; b < d.n; ++b) {
    const float* gb = dout.data() + b * d.sample();
    // transpose of cutout and translation: each output's gradient goes back to the pixel it read
    std::fill(g.begin(), g.end(), 0.0f);
    const int64_t ty = a.policy.translation ? a.shift_y[b] : 0;
    const int64_t tx = a.policy.translation ? a.shift_x[b] : 0;
    for (int64_t c = 0; c < d.c; ++c) {
      for (int64_t i = 0; i < d.h; ++i) {
        for (int64_t j = 0; j < d.w; ++j) {
          const int64_t si = i + ty, sj = j + tx;
          if (si < 0 || si >= d.h || sj < 0 || sj >= d.w) continue;
          if (a.policy.cutout && in_cutout(a, b, i, j)) continue;
          g[(c * d.h + si) * d.w + sj] += gb[(c * d.h + i) * d.w + j];
        }
      }
    }
    if (a.policy.color) {  // reverse order: contrast, saturation (both symmetric), brightness (1)
      mix_contrast(g.data(), d, a.contrast[b]);
      mix_saturation(g.data(), d, a.saturation[b]);
    }
    float* db = dx.data() + b * d.sample();
    for (int64_t i = 0; i < d.sample(); ++i) db[i] += g[i];
  }
}

}  // namespace convt
