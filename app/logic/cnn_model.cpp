#include "logic/cnn_model.h"

#include <stb_image.h>  // implementation in libstb

#include <algorithm>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <numeric>
#include <stdexcept>

#include "convt/data/resize.h"
#include "convt/io/assets.h"
#include "convt/io/safetensors.h"
#include "convt/ops/activations.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/pool2d.h"
#include "convt/shape.h"
#include "logic/cell_text.h"
#include "logic/quality_score.h"

namespace convt::lab {

namespace fs = std::filesystem;

// ---- Kernel presets -------------------------------------------------------------------------
// conv2d is a cross-correlation (PyTorch's, and the core's: the kernel is not flipped), so the
// values below are applied as written: w[0, 0] multiplies the window's top-left pixel.
//
//   identity       the one-hot centre: out = in.
//   box_blur       the 3x3 mean filter, every weight 1/9 (Gonzalez & Woods, "Digital Image
//                  Processing", 4th ed., section 3.5, "smoothing (lowpass) spatial filters").
//   gaussian_blur  the binomial approximation of a Gaussian, [1 2 1]^T [1 2 1] / 16 (same
//                  section; Wikipedia, "Kernel (image processing)").
//   gaussian_5x5   the 5x5 binomial, [1 4 6 4 1]^T [1 4 6 4 1] / 256 (Wikipedia, same page).
//   sharpen        identity plus the negated 4-neighbour Laplacian, [0 -1 0; -1 5 -1; 0 -1 0]
//                  (Wikipedia, same page; setosa.io "Image Kernels", V. Powell).
//   outline        the 8-neighbour Laplacian, [-1 -1 -1; -1 8 -1; -1 -1 -1] (setosa.io "Image
//                  Kernels", "outline"; Wikipedia's "edge detection").
//   sobel_x        Sobel-Feldman G_x, [-1 0 1; -2 0 2; -1 0 1] (I. Sobel, G. Feldman, "A 3x3
//                  isotropic gradient operator for image processing", 1968; Wikipedia, "Sobel
//                  operator"): positive where the picture gets brighter to the right.
//   sobel_y        Sobel-Feldman G_y, [-1 -2 -1; 0 0 0; 1 2 1]: positive where it gets brighter
//                  downwards.
//   emboss         [-2 -1 0; -1 1 1; 0 1 2] (setosa.io "Image Kernels", "emboss"): relief lit
//                  from the top left.
namespace {

// One kernel preset per (1, k, k) filter of `tensor` ((C_out, 1, k, k)) in the shipped file
// `asset`: "<prefix>_<c>" titled "<title> #<c>" (c: the filter's channel), with `help`. With
// `strongest` > 0, only that many filters with the largest L2 norm, strongest first; else every
// filter in channel order. None if the file does not load or the tensor is not (C, 1, k, k): the
// hand-made presets still work. The names live as long as the program (KernelPreset holds
// const char*).
void add_learned_kernels(std::vector<KernelPreset>& presets, const char* asset, const char* tensor,
                         int k, const std::string& prefix, const std::string& title,
                         const char* help, size_t strongest) {
  Tensor w;
  try {
    w = read_safetensors(asset_path(asset)).tensors.at(tensor);
  } catch (const std::exception&) {
    return;
  }
  if (w.ndim() != 4 || w.dim(1) != 1 || w.dim(2) != k || w.dim(3) != k) return;
  const int64_t n = w.dim(0), taps = int64_t{k} * k;
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  if (strongest > 0) {
    std::vector<double> norm(static_cast<size_t>(n), 0.0);
    for (int64_t c = 0; c < n; ++c) {
      for (int64_t i = 0; i < taps; ++i)
        norm[static_cast<size_t>(c)] += w[c * taps + i] * w[c * taps + i];
    }
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return norm[static_cast<size_t>(a)] > norm[static_cast<size_t>(b)];
    });
    order.resize(std::min(order.size(), strongest));
  }
  static std::deque<std::string> text;  // stable addresses
  for (int64_t c : order) {
    text.push_back(prefix + "_" + std::to_string(c));
    const char* name = text.back().c_str();
    text.push_back(title + " #" + std::to_string(c));
    presets.push_back({name, text.back().c_str(), k,
                       std::vector<float>(w.data() + c * taps, w.data() + (c + 1) * taps), help});
  }
}

// The 16 3x3 kernels of the digit classifier's first layer ("0.weight" (16, 1, 3, 3)), as
// presets "classifier_<k>".
void add_classifier_kernels(std::vector<KernelPreset>& presets) {
  add_learned_kernels(presets, kDigitClassifierAsset, "0.weight", 3, "classifier",
                      "Classifier conv1",
                      "A 3x3 kernel the digit classifier learned for its first layer from "
                      "the digits (assets/classifier/digits20.safetensors).",
                      0);
}

// The 16 kernels of D's first layer (the shipped D, kShippedDAsset: "D.0.weight" (64, 1, 5, 5))
// with the largest L2 norm, strongest first, as presets "d_<k>" (k: the channel in D).
void add_d_kernels(std::vector<KernelPreset>& presets) {
  add_learned_kernels(presets, kShippedDAsset, "D.0.weight", 5, "d", "GAN's D conv1",
                      "A 5x5 kernel the GAN's D learned for its first layer while judging real "
                      "digits against G's (the shipped D, 3,000 steps).",
                      16);
}

}  // namespace

const std::vector<KernelPreset>& cnn_kernel_presets() {
  static const std::vector<KernelPreset> presets = [] {
    std::vector<KernelPreset> p = {
        {"identity", "Identity", 3, {0, 0, 0, 0, 1, 0, 0, 0, 0}, "Copies the picture."},
        {"box_blur", "Box blur", 3, std::vector<float>(9, 1.0f / 9.0f),
         "The mean of the 3x3 window: blurs."},
        {"gaussian_blur",
         "Gaussian blur",
         3,
         {1 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 4 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 1 / 16.f},
         "A weighted mean, the centre counting most: a softer blur."},
        {"gaussian_5x5", "Gaussian blur 5x5", 5, {}, "The same on a 5x5 window: blurs more."},
        {"sharpen",
         "Sharpen",
         3,
         {0, -1, 0, -1, 5, -1, 0, -1, 0},
         "The pixel minus its neighbours, added back: edges get crisper."},
        {"outline",
         "Outline",
         3,
         {-1, -1, -1, -1, 8, -1, -1, -1, -1},
         "8 x the pixel minus its 8 neighbours: 0 on flat areas, large at edges."},
        {"sobel_x",
         "Sobel x (vertical edges)",
         3,
         {-1, 0, 1, -2, 0, 2, -1, 0, 1},
         "Right minus left: positive where the picture gets brighter to the right."},
        {"sobel_y",
         "Sobel y (horizontal edges)",
         3,
         {-1, -2, -1, 0, 0, 0, 1, 2, 1},
         "Below minus above: positive where the picture gets brighter downwards."},
        {"emboss",
         "Emboss",
         3,
         {-2, -1, 0, -1, 1, 1, 0, 1, 2},
         "Bottom-right minus top-left, plus the pixel: a relief."},
    };
    const float b[5] = {1, 4, 6, 4, 1};
    for (KernelPreset& k : p) {
      if (std::string(k.name) != "gaussian_5x5") continue;
      for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 5; ++x) k.values.push_back(b[y] * b[x] / 256.0f);
    }
    add_classifier_kernels(p);
    add_d_kernels(p);
    return p;
  }();
  return presets;
}

const KernelPreset* find_kernel_preset(const std::string& name) {
  for (const KernelPreset& p : cnn_kernel_presets()) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::string kernel_preset_names() {
  std::string names;
  for (const KernelPreset& p : cnn_kernel_presets()) {
    if (!names.empty()) names += ", ";
    names += p.name;
  }
  return names;
}

// ---- Pictures -------------------------------------------------------------------------------

Tensor load_cnn_picture(const std::string& path, int max_side) {
  if (max_side < 1) throw std::invalid_argument("load_cnn_picture: max_side must be >= 1");
  std::error_code ec;
  if (path.empty()) throw DataError("no picture given: expected the path of a PNG or JPG file");
  if (!fs::exists(path, ec)) {
    throw DataError(path + ": no such file (expected a PNG or JPG picture)");
  }
  if (fs::is_directory(path, ec)) {
    throw DataError(path + ": is a folder; expected a PNG or JPG file");
  }
  int w = 0, h = 0, in_file = 0;
  if (!stbi_info(path.c_str(), &w, &h, &in_file)) {
    throw DataError(path + ": not a picture stb_image can read (expected PNG or JPG; stb_image: " +
                    stbi_failure_reason() + ")");
  }
  if (w < 1 || h < 1 || static_cast<long long>(w) * h > kCnnMaxFilePixels) {
    throw DataError(path + ": " + std::to_string(w) + " x " + std::to_string(h) +
                    " pixels; expected a picture of at most " +
                    std::to_string(kCnnMaxFilePixels / 1'000'000) + " megapixels");
  }
  int got = 0;
  unsigned char* raw = stbi_load(path.c_str(), &w, &h, &got, 4);  // RGBA, alpha composited below
  if (raw == nullptr) {
    throw DataError(path + ": cannot decode (stb_image: " + stbi_failure_reason() +
                    "); expected an intact PNG or JPG file");
  }
  const size_t count = static_cast<size_t>(w) * h;
  std::vector<float> planes(count * 3);  // (3, h, w), 0..255
  for (size_t i = 0; i < count; ++i) {
    const int a = raw[i * 4 + 3];
    for (int c = 0; c < 3; ++c) {
      // On white, as the image-folder loader: transparent -> 255, opaque unchanged.
      planes[static_cast<size_t>(c) * count + i] =
          static_cast<float>((raw[i * 4 + c] * a + 255 * (255 - a) + 127) / 255);
    }
  }
  stbi_image_free(raw);
  const float scale = std::min(1.0f, static_cast<float>(max_side) / std::max(w, h));
  const int out_w = std::max(1, static_cast<int>(w * scale + 0.5f));
  const int out_h = std::max(1, static_cast<int>(h * scale + 0.5f));
  Tensor out({3, 1, out_h, out_w});
  for (int c = 0; c < 3; ++c) {
    float* dst = out.data() + static_cast<size_t>(c) * out_h * out_w;
    area_resize_plane(dst, planes.data() + static_cast<size_t>(c) * count, h, w, out_h, out_w);
    for (int i = 0; i < out_h * out_w; ++i) dst[i] /= 255.0f;
  }
  return out;
}

std::vector<std::string> picture_files(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir.empty() ? "." : dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code file_ec;
    if (is_image_file_name(name) && it->is_regular_file(file_ec)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Tensor to_grayscale(const Tensor& rgb) {
  if (rgb.ndim() != 4 || rgb.dim(1) != 1 || (rgb.dim(0) != 1 && rgb.dim(0) != 3)) {
    throw std::invalid_argument("to_grayscale: expected (3, 1, H, W) or (1, 1, H, W), found " +
                                rgb.shape_str());
  }
  if (rgb.dim(0) == 1) return rgb;
  const int64_t plane = rgb.dim(2) * rgb.dim(3);
  Tensor gray({1, 1, rgb.dim(2), rgb.dim(3)});
  for (int64_t i = 0; i < plane; ++i) {
    gray[i] = (77.0f * rgb[i] + 150.0f * rgb[plane + i] + 29.0f * rgb[2 * plane + i]) / 256.0f;
  }
  return gray;
}

// ---- The model ------------------------------------------------------------------------------

namespace {

// The dataset in `slot`, loaded by `load` on first use; a failure is kept in `error` and not
// retried (the next call throws it again as a DataError).
template <class Load>
const Dataset& load_once(std::shared_ptr<Dataset>& slot, std::string& error, Load load) {
  if (!slot && error.empty()) {
    try {
      slot = std::make_shared<Dataset>(load());
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  if (!slot) throw DataError(error);
  return *slot;
}

// Values in [-1, 1] from `src` as a picture of `shape` in [0, 1].
Tensor unit_range_picture(const float* src, const std::vector<int64_t>& shape) {
  Tensor picture(shape);
  for (int64_t i = 0; i < picture.numel(); ++i) picture[i] = (src[i] + 1.0f) * 0.5f;
  return picture;
}

// Image `index` of a dataset (C, H, W in [-1, 1]) as a picture (C, 1, H, W) in [0, 1].
Tensor picture_of(const Dataset& data, int index) {
  const int64_t C = data.images.dim(1), H = data.images.dim(2), W = data.images.dim(3);
  return unit_range_picture(data.images.data() + index * C * H * W, {C, 1, H, W});
}

const char* fashion_class(int label) {
  static const char* const kClasses[10] = {"T-shirt/top", "trouser",   "pullover", "dress",
                                           "coat",        "sandal",    "shirt",    "sneaker",
                                           "bag",         "ankle boot"};
  return label >= 0 && label < 10 ? kClasses[label] : "?";
}

}  // namespace

void CnnModel::load_picture() {
  picture_error.clear();
  try {
    switch (source) {
      case CnnSource::kDigit: {
        if (!digits) digits = std::make_shared<Dataset>(load_builtin_digits(28));
        digit = std::clamp(digit, 0, static_cast<int>(digits->size()) - 1);
        source_picture = picture_of(*digits, digit);
        picture_name = format_text("built-in digit #%d (a %d), 28 x 28", digit,
                                   digits->labels[static_cast<size_t>(digit)]);
        break;
      }
      case CnnSource::kEmoji: {
        const Dataset& data =
            load_once(emojis, emoji_error, [] { return load_emoji(64, 3, "smileys-emotion"); });
        emoji = std::clamp(emoji, 0, static_cast<int>(data.size()) - 1);
        source_picture = picture_of(data, emoji);
        picture_name = format_text("emoji #%d of %lld (smileys-emotion), 64 x 64", emoji,
                                   static_cast<long long>(data.size()));
        break;
      }
      case CnnSource::kFashion: {
        const Dataset& data =
            load_once(fashion_items, fashion_error, [] { return load_fashion_mnist(false); });
        fashion = std::clamp(fashion, 0, static_cast<int>(data.size()) - 1);
        source_picture = picture_of(data, fashion);
        picture_name = format_text("Fashion-MNIST test item #%d (%s), 28 x 28", fashion,
                                   fashion_class(data.labels[static_cast<size_t>(fashion)]));
        break;
      }
      case CnnSource::kDrawing: {
        if (!inside.loaded) inside.load();
        const Tensor& c = inside.canvas;  // (1, 1, 20, 20) in [-1, 1]
        source_picture = unit_range_picture(c.data(), c.shape());
        drawing_version = inside.version;
        picture_name = inside.drawn ? "your drawing (View: Inside the classifier), 20 x 20"
                                    : "the canvas of Inside the classifier (" + inside.digit_name +
                                          "), 20 x 20";
        break;
      }
      case CnnSource::kFile: {
        source_picture = load_cnn_picture(file_path);
        picture_name =
            format_text("%s, %lld x %lld", fs::path(file_path).filename().string().c_str(),
                        static_cast<long long>(source_picture.dim(2)),
                        static_cast<long long>(source_picture.dim(3)));
        break;
      }
    }
  } catch (const std::exception& e) {
    picture_error = e.what();
  }
  recompute();
}

void CnnModel::apply_preset(int index) {
  const KernelPreset& p = cnn_kernel_presets().at(static_cast<size_t>(index));
  kernel_size = p.kernel_size;
  weight = p.values;
  preset = index;
}

void CnnModel::set_kernel_size(int k) {
  if (k != 3 && k != 5) throw std::invalid_argument("set_kernel_size: expected 3 or 5");
  if (k == kernel_size) return;
  std::vector<float> w(static_cast<size_t>(k * k), 0.0f);
  const int shift = (k - kernel_size) / 2;  // +1 growing, -1 shrinking
  for (int y = 0; y < k; ++y) {
    for (int x = 0; x < k; ++x) {
      const int sy = y - shift, sx = x - shift;
      if (sy >= 0 && sy < kernel_size && sx >= 0 && sx < kernel_size) {
        w[static_cast<size_t>(y * k + x)] = weight[static_cast<size_t>(sy * kernel_size + sx)];
      }
    }
  }
  kernel_size = k;
  weight = std::move(w);
  preset = -1;
}

void CnnModel::recompute() {
  ++version;
  ok = false;
  error.clear();
  formula_h.clear();
  formula_w.clear();
  conv = Tensor();
  relu_out = Tensor();
  pooled = Tensor();
  pool_ok = false;
  pool_error.clear();
  pool_formula.clear();
  if (source_picture.empty()) {
    picture = Tensor();
    error = picture_error.empty() ? "no picture loaded" : picture_error;
    return;
  }
  picture = keep_rgb ? source_picture : to_grayscale(source_picture);
  try {
    const int H = in_h(), W = in_w(), k = kernel_size;
    formula_h = conv_formula(H, k, stride, padding, dilation, "H");
    formula_w = conv_formula(W, k, stride, padding, dilation, "W");
    Conv2dParams p;
    p.stride = stride;
    p.padding = padding;
    p.dilation = dilation;
    const Tensor w({1, 1, k, k}, weight);
    conv2d_forward(conv, picture, w, nullptr, p, trace);
    ok = true;
  } catch (const std::exception& e) {
    error = e.what();
    conv = Tensor();
    return;
  }
  const Tensor* stage = &conv;
  if (relu) {
    relu_forward(relu_out, conv);
    stage = &relu_out;
  }
  if (pool) {
    try {
      Pool2dParams pp;  // kernel_size 2, stride 2, padding 0
      pool_formula = conv_formula(static_cast<int>(stage->dim(2)), 2, 2, 0, 1, "H");
      max_pool2d_forward(pooled, nullptr, *stage, pp);
      pool_ok = true;
    } catch (const std::exception& e) {
      pool_error = std::string("max_pool2d (kernel_size 2, stride 2) cannot run: ") + e.what();
      pooled = Tensor();
    }
  }
}

std::vector<CnnProduct> CnnModel::products(int c, int oy, int ox) const {
  std::vector<CnnProduct> list;
  if (!ok || c < 0 || c >= channels() || oy < 0 || oy >= out_h() || ox < 0 || ox >= out_w()) {
    return list;
  }
  // The gather loop's order (convt/ops/conv2d.h): n, oc, oy, ox, ic, ky, kx; here n = channel,
  // C_out = C_in = 1.
  const int64_t taps = static_cast<int64_t>(kernel_size) * kernel_size;
  const int64_t first = ((static_cast<int64_t>(c) * out_h() + oy) * out_w() + ox) * taps;
  for (int64_t t = 0; t < taps; ++t) {
    const MacEvent e = trace.event(first + t);
    list.push_back({e.ky, e.kx, e.iy, e.ix, e.x, e.w, e.cropped ? 0.0f : e.product, e.cropped});
  }
  return list;
}

CnnModel::Window CnnModel::window(int oy, int ox) const {
  return {oy * stride - padding, ox * stride - padding, dilation * (kernel_size - 1) + 1};
}

// ---- "Step through this" --------------------------------------------------------------------

std::string cnn_stepper_fit(const CnnModel& m) {
  if (!m.ok) return "the convolution did not run: " + m.error;
  const int span = m.dilation * (m.kernel_size - 1) + 1;
  if (span > StepperLimits::kMaxSize) {
    return "this window reaches " + std::to_string(span) + " x " + std::to_string(span) +
           " input pixels (dilation*(kernel_size-1)+1 = " + std::to_string(m.dilation) + "*(" +
           std::to_string(m.kernel_size) + "-1)+1); the stepper shows at most " +
           std::to_string(StepperLimits::kMaxSize) + " x " +
           std::to_string(StepperLimits::kMaxSize) + ". Use a smaller dilation or a 3x3 kernel.";
  }
  return "";
}

std::string load_cnn_window_into_stepper(const CnnModel& m, int c, int oy, int ox,
                                         StepperModel& stepper) {
  const std::string why = cnn_stepper_fit(m);
  if (!why.empty()) return why;
  if (c < 0 || c >= m.channels() || oy < 0 || oy >= m.out_h() || ox < 0 || ox >= m.out_w()) {
    return "output pixel (" + std::to_string(oy) + ", " + std::to_string(ox) + ") of channel " +
           std::to_string(c) + " is outside the " + std::to_string(m.out_h()) + " x " +
           std::to_string(m.out_w()) + " x " + std::to_string(m.channels()) + " output";
  }
  const CnnModel::Window w = m.window(oy, ox);
  const StepperConfig config = conv_window_stepper_config(w.span, m.kernel_size, m.dilation);
  if (!stepper.set_config(config)) return stepper.error();
  for (int y = 0; y < w.span; ++y) {
    for (int x = 0; x < w.span; ++x) {
      const int iy = w.iy0 + y, ix = w.ix0 + x;
      const bool inside = iy >= 0 && iy < m.in_h() && ix >= 0 && ix < m.in_w();
      stepper.set_input_value(0, y, x, inside ? m.picture.at(c, 0, iy, ix) : 0.0f);
    }
  }
  for (int ky = 0; ky < m.kernel_size; ++ky) {
    for (int kx = 0; kx < m.kernel_size; ++kx) {
      stepper.set_weight_value(0, 0, ky, kx,
                               m.weight[static_cast<size_t>(ky * m.kernel_size + kx)]);
    }
  }
  stepper.set_position(0);
  return "";
}

}  // namespace convt::lab
