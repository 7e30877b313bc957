// The CNN panel's logic (app/logic/cnn_model.h) without a window: the kernel presets against
// hand-computed outputs and against the core's conv2d, the hovered pixel's products against the
// output, the output size against the formula, RGB per channel, the ReLU and max-pool stages, and
// a bad picture refused with a clear message, and "Step through this" replaying a pixel's window
// in the stepper with the same products.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "app_state.h"
#include "convt/io/assets.h"
#include "convt/io/png.h"
#include "convt/io/safetensors.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/pool2d.h"
#include "logic/cnn_model.h"
#include "logic/navigator.h"
#include "logic/quality_score.h"

namespace {

using convt::Tensor;
using convt::lab::cnn_kernel_presets;
using convt::lab::CnnModel;

// A (1, 1, h, w) picture with values v(y, x).
template <class F>
Tensor picture(int h, int w, F v) {
  Tensor t({1, 1, h, w});
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) t.at(0, 0, y, x) = v(y, x);
  return t;
}

CnnModel model_on(const Tensor& pic, const char* preset, int stride = 1, int padding = 0,
                  int dilation = 1) {
  CnnModel m;
  m.source_picture = pic;
  const auto* p = convt::lab::find_kernel_preset(preset);
  EXPECT_NE(p, nullptr) << preset;
  m.apply_preset(static_cast<int>(p - cnn_kernel_presets().data()));
  m.stride = stride;
  m.padding = padding;
  m.dilation = dilation;
  m.recompute();
  EXPECT_TRUE(m.ok) << m.error;
  return m;
}

TEST(CnnModel, SobelXOnAVerticalEdgeGivesTheHandComputedValues) {
  // Columns 0..2 black (0), 3..5 white (1). Each output row is the window's right column minus
  // its left column, weighted 1, 2, 1: 0 off the edge, 4 where the window straddles it.
  const Tensor edge = picture(6, 6, [](int, int x) { return x >= 3 ? 1.0f : 0.0f; });
  const CnnModel m = model_on(edge, "sobel_x");
  ASSERT_EQ(m.out_h(), 4);
  ASSERT_EQ(m.out_w(), 4);
  const float want[4] = {0, 4, 4, 0};
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) EXPECT_FLOAT_EQ(m.conv.at(0, 0, y, x), want[x]) << y << "," << x;
  // Sobel y sees no horizontal edge there.
  const CnnModel my = model_on(edge, "sobel_y");
  for (float v : my.conv.values()) EXPECT_FLOAT_EQ(v, 0.0f);
}

TEST(CnnModel, OutlineAndBlursOnAOnePixelDot) {
  const Tensor dot = picture(5, 5, [](int y, int x) { return y == 2 && x == 2 ? 1.0f : 0.0f; });
  // The outline of a lone dot: 8 on it, -1 on its 8 neighbours.
  CnnModel m = model_on(dot, "outline", 1, 1);
  EXPECT_FLOAT_EQ(m.conv.at(0, 0, 2, 2), 8.0f);
  EXPECT_FLOAT_EQ(m.conv.at(0, 0, 1, 1), -1.0f);
  EXPECT_FLOAT_EQ(m.conv.at(0, 0, 0, 0), 0.0f);
  // The box blur spreads it as 1/9 over 3x3; the Gaussian as 4/16 in the middle, 1/16 corners.
  m = model_on(dot, "box_blur", 1, 1);
  EXPECT_NEAR(m.conv.at(0, 0, 1, 3), 1.0f / 9.0f, 1e-7);
  m = model_on(dot, "gaussian_blur", 1, 1);
  EXPECT_FLOAT_EQ(m.conv.at(0, 0, 2, 2), 0.25f);
  EXPECT_FLOAT_EQ(m.conv.at(0, 0, 1, 1), 1.0f / 16.0f);
  // Every hand-made preset's weights sum as documented: blurs and identity 1, edge detectors 0
  // (the learned classifier_k and d_k kernels sum to whatever training made them).
  for (const auto& p : cnn_kernel_presets()) {
    if (std::string(p.name).rfind("classifier_", 0) == 0) continue;
    if (std::string(p.name).rfind("d_", 0) == 0) continue;  // learned by the GAN's D
    float sum = 0;
    for (float v : p.values) sum += v;
    const std::string n = p.name;
    const float want = n == "outline" || n == "sobel_x" || n == "sobel_y" ? 0.0f : 1.0f;
    EXPECT_NEAR(sum, want, 1e-6) << n;
    EXPECT_EQ(p.values.size(), static_cast<size_t>(p.kernel_size * p.kernel_size)) << n;
  }
}

TEST(CnnModel, TheDPresetsAreTheShippedDsStrongestFirstLayerKernels) {
  const convt::SafetensorsFile f =
      convt::read_safetensors(convt::asset_path(convt::lab::kShippedDAsset));
  const Tensor& w = f.tensors.at("D.0.weight");  // (64, 1, 5, 5)
  auto norm2 = [&](int64_t k) {
    double s = 0;
    for (int i = 0; i < 25; ++i) s += static_cast<double>(w[k * 25 + i]) * w[k * 25 + i];
    return s;
  };
  std::vector<double> all;
  for (int64_t k = 0; k < w.dim(0); ++k) all.push_back(norm2(k));
  std::sort(all.begin(), all.end(), std::greater<>());
  std::vector<double> shown;
  for (const auto& p : cnn_kernel_presets()) {
    const std::string name = p.name;
    if (name.rfind("d_", 0) != 0) continue;
    const int64_t k = std::stoll(name.substr(2));
    ASSERT_EQ(p.kernel_size, 5) << name;
    for (int i = 0; i < 25; ++i) EXPECT_EQ(p.values[static_cast<size_t>(i)], w[k * 25 + i]) << name;
    shown.push_back(norm2(k));
  }
  // The 16 largest by L2 norm, in that order.
  ASSERT_EQ(shown.size(), 16u);
  for (size_t i = 0; i < shown.size(); ++i) EXPECT_EQ(shown[i], all[i]) << i;
}

TEST(CnnModel, EveryPresetEqualsTheCoresConv2dWithThatWeight) {
  const Tensor pic = picture(9, 11, [](int y, int x) { return std::sin(0.7f * y + 0.3f * x * x); });
  for (size_t i = 0; i < cnn_kernel_presets().size(); ++i) {
    const auto& p = cnn_kernel_presets()[i];
    const CnnModel m = model_on(pic, p.name, 2, 1, 1);
    Tensor want;
    convt::Conv2dParams params;
    params.stride = 2;
    params.padding = 1;
    convt::conv2d_forward(want, pic, Tensor({1, 1, p.kernel_size, p.kernel_size}, p.values),
                          nullptr, params);
    ASSERT_EQ(m.conv.shape(), want.shape()) << p.name;
    for (int64_t j = 0; j < want.numel(); ++j) EXPECT_EQ(m.conv[j], want[j]) << p.name;
  }
}

TEST(CnnModel, TheHoveredPixelsProductsSumToItAndLieInItsWindow) {
  const Tensor pic = picture(10, 8, [](int y, int x) { return 0.1f * y - 0.2f * x + 0.05f; });
  CnnModel m;
  m.source_picture = pic;
  m.set_kernel_size(5);
  for (int i = 0; i < 25; ++i) m.weight[static_cast<size_t>(i)] = 0.3f * (i % 7) - 0.8f;
  m.stride = 2;
  m.padding = 3;
  m.dilation = 2;
  m.recompute();
  ASSERT_TRUE(m.ok) << m.error;
  int padded = 0;
  for (int oy = 0; oy < m.out_h(); ++oy) {
    for (int ox = 0; ox < m.out_w(); ++ox) {
      const auto list = m.products(0, oy, ox);
      ASSERT_EQ(list.size(), 25u);
      const CnnModel::Window win = m.window(oy, ox);
      EXPECT_EQ(win.span, 9);
      float sum = 0;
      for (const auto& t : list) {
        sum += t.product;
        EXPECT_EQ(t.iy, win.iy0 + t.ky * m.dilation);
        EXPECT_EQ(t.ix, win.ix0 + t.kx * m.dilation);
        EXPECT_FLOAT_EQ(t.w, m.weight[static_cast<size_t>(t.ky * 5 + t.kx)]);
        const bool outside = t.iy < 0 || t.iy >= 10 || t.ix < 0 || t.ix >= 8;
        EXPECT_EQ(t.padding, outside);
        if (outside) {
          ++padded;
          EXPECT_EQ(t.x, 0.0f);
        } else {
          EXPECT_FLOAT_EQ(t.x, pic.at(0, 0, t.iy, t.ix));
          EXPECT_FLOAT_EQ(t.product, t.x * t.w);
        }
      }
      EXPECT_NEAR(sum, m.conv.at(0, 0, oy, ox), 1e-5) << oy << "," << ox;
    }
  }
  EXPECT_GT(padded, 0);
  EXPECT_TRUE(m.products(0, m.out_h(), 0).empty());
  EXPECT_TRUE(m.products(1, 0, 0).empty());
}

TEST(CnnModel, OutputSizeIsTheFormulasForEveryStridePaddingDilation) {
  const Tensor pic = picture(28, 23, [](int y, int x) { return float(y * x % 5); });
  for (int k : {3, 5}) {
    for (int s = 1; s <= 4; ++s) {
      for (int p = 0; p <= 4; ++p) {
        for (int d = 1; d <= 3; ++d) {
          CnnModel m;
          m.source_picture = pic;
          m.set_kernel_size(k);
          m.stride = s;
          m.padding = p;
          m.dilation = d;
          m.recompute();
          ASSERT_TRUE(m.ok) << m.error;
          EXPECT_EQ(m.out_h(), (28 + 2 * p - d * (k - 1) - 1) / s + 1);
          EXPECT_EQ(m.out_w(), (23 + 2 * p - d * (k - 1) - 1) / s + 1);
          EXPECT_NE(m.formula_h.find("= " + std::to_string(m.out_h())), std::string::npos)
              << m.formula_h;
        }
      }
    }
  }
  // A kernel larger than the padded picture is refused with the core's reason, not a crash.
  CnnModel m;
  m.source_picture = picture(3, 3, [](int, int) { return 1.0f; });
  m.set_kernel_size(5);
  m.dilation = 3;
  m.padding = 0;
  m.recompute();
  EXPECT_FALSE(m.ok);
  EXPECT_NE(m.error.find("conv2d"), std::string::npos) << m.error;
  EXPECT_TRUE(m.products(0, 0, 0).empty());
}

TEST(CnnModel, RgbIsConvolvedPerChannelAndGrayIsTheLuminance) {
  Tensor rgb({3, 1, 6, 7});
  for (int64_t i = 0; i < rgb.numel(); ++i) rgb[i] = std::cos(0.37f * static_cast<float>(i));
  CnnModel m = model_on(rgb, "emboss", 1, 1);
  ASSERT_EQ(m.channels(), 3);
  for (int c = 0; c < 3; ++c) {
    Tensor plane({1, 1, 6, 7});
    for (int64_t i = 0; i < 42; ++i) plane[i] = rgb[c * 42 + i];
    const CnnModel one = model_on(plane, "emboss", 1, 1);
    for (int y = 0; y < m.out_h(); ++y)
      for (int x = 0; x < m.out_w(); ++x) EXPECT_EQ(m.conv.at(c, 0, y, x), one.conv.at(0, 0, y, x));
    float sum = 0;
    for (const auto& t : m.products(c, 2, 3)) sum += t.product;
    EXPECT_NEAR(sum, m.conv.at(c, 0, 2, 3), 1e-5);
  }
  m.keep_rgb = false;
  m.recompute();
  ASSERT_EQ(m.channels(), 1);
  EXPECT_NEAR(m.picture[5], (77 * rgb[5] + 150 * rgb[42 + 5] + 29 * rgb[84 + 5]) / 256.0f, 1e-6);
}

TEST(CnnModel, ReluAndMaxPoolStagesFollowTheConv) {
  const Tensor pic = picture(8, 8, [](int y, int x) { return (x % 3 == 0) ? 1.0f : -0.5f * y; });
  CnnModel m = model_on(pic, "sobel_x", 1, 1);
  m.relu = true;
  m.pool = true;
  m.recompute();
  ASSERT_TRUE(m.pool_ok) << m.pool_error;
  ASSERT_EQ(m.pooled.dim(2), 4);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      float want = 0.0f;  // relu >= 0
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx)
          want = std::max(want, std::max(0.0f, m.conv.at(0, 0, 2 * y + dy, 2 * x + dx)));
      EXPECT_EQ(m.pooled.at(0, 0, y, x), want);
      EXPECT_EQ(m.relu_out.at(0, 0, 2 * y, 2 * x), std::max(0.0f, m.conv.at(0, 0, 2 * y, 2 * x)));
    }
  }
  // Without ReLU the pool takes the conv directly (negative maxima survive).
  m.relu = false;
  m.recompute();
  EXPECT_TRUE(m.relu_out.empty());
  bool negative = false;
  for (float v : m.pooled.values()) negative |= v < 0;
  EXPECT_TRUE(negative);
  // A 1x1 map cannot be pooled 2x2: the stage says so, the conv still stands.
  m.source_picture = picture(3, 3, [](int, int) { return 1.0f; });
  m.padding = 0;
  m.recompute();
  EXPECT_TRUE(m.ok);
  EXPECT_FALSE(m.pool_ok);
  EXPECT_NE(m.pool_error.find("max_pool2d"), std::string::npos) << m.pool_error;
}

TEST(CnnModel, PresetNamesAndKernelSize) {
  EXPECT_EQ(convt::lab::find_kernel_preset("blur_everything"), nullptr);
  ASSERT_NE(convt::lab::find_kernel_preset("sobel_x"), nullptr);
  for (const char* n : {"identity", "box_blur", "gaussian_blur", "sharpen", "outline", "sobel_x",
                        "sobel_y", "emboss"}) {
    EXPECT_NE(convt::lab::kernel_preset_names().find(n), std::string::npos) << n;
  }
  CnnModel m;  // starts on Sobel x, its weights and its preset index agreeing
  EXPECT_STREQ(cnn_kernel_presets()[static_cast<size_t>(m.preset)].name, "sobel_x");
  EXPECT_EQ(m.weight, cnn_kernel_presets()[static_cast<size_t>(m.preset)].values);
  m.apply_preset(
      static_cast<int>(convt::lab::find_kernel_preset("sharpen") - cnn_kernel_presets().data()));
  m.set_kernel_size(5);  // the 3x3 kernel sits in the middle of the 5x5
  EXPECT_EQ(m.weight.size(), 25u);
  EXPECT_EQ(m.weight[12], 5.0f);
  EXPECT_EQ(m.weight[7], -1.0f);
  EXPECT_EQ(m.weight[0], 0.0f);
  EXPECT_EQ(m.preset, -1);
  m.set_kernel_size(3);
  EXPECT_EQ(m.weight, (std::vector<float>{0, -1, 0, -1, 5, -1, 0, -1, 0}));
  EXPECT_THROW(m.set_kernel_size(4), std::invalid_argument);
}

class CnnPictureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("convt_cnn_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }
  std::string message_of(const std::string& path) {
    try {
      convt::lab::load_cnn_picture(path);
    } catch (const convt::DataError& e) {
      return e.what();
    }
    return "(no error)";
  }
  std::filesystem::path dir_;
};

TEST_F(CnnPictureTest, BadPicturesAreRefusedWithAClearMessage) {
  EXPECT_NE(message_of((dir_ / "missing.png").string()).find("no such file"), std::string::npos);
  EXPECT_NE(message_of(dir_.string()).find("is a folder"), std::string::npos);
  const std::string junk = write("junk.png", "this is not a PNG at all");
  const std::string m = message_of(junk);
  EXPECT_NE(m.find(junk), std::string::npos) << m;
  EXPECT_NE(m.find("expected PNG or JPG"), std::string::npos) << m;
  // A PNG header that claims 8000 x 8000 pixels: refused before decoding.
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string("\0\0\0\x0dIHDR", 8);
  png += std::string("\0\0\x1f\x40\0\0\x1f\x40\x08\x02\0\0\0", 13);
  png += std::string("\0\0\0\0", 4);  // CRC (stbi_info does not check it)
  const std::string huge = write("huge.png", png);
  EXPECT_NE(message_of(huge).find("megapixels"), std::string::npos) << message_of(huge);
  // The model keeps its previous picture and reports the error.
  CnnModel model;
  model.source = convt::lab::CnnSource::kFile;
  model.file_path = junk;
  model.load_picture();
  EXPECT_FALSE(model.picture_error.empty());
  EXPECT_FALSE(model.ok);
}

TEST_F(CnnPictureTest, AGoodPictureIsShrunkKeepingItsAspect) {
  // A 300 x 150 PNG, written with the core's encoder: shrunk to 128 x 64.
  convt::Image8 img;
  img.width = 300;
  img.height = 150;
  img.channels = 3;
  img.pixels.assign(300 * 150 * 3, 0);
  for (int y = 0; y < 150; ++y)
    for (int x = 150; x < 300; ++x) img.pixels[(y * 300 + x) * 3 + 0] = 255;  // right half red
  const std::string path = write("wide.png", convt::encode_png(img));
  const Tensor t = convt::lab::load_cnn_picture(path);
  ASSERT_EQ(t.shape(), (std::vector<int64_t>{3, 1, 64, 128}));
  EXPECT_FLOAT_EQ(t.at(0, 0, 10, 120), 1.0f);  // red
  EXPECT_FLOAT_EQ(t.at(1, 0, 10, 120), 0.0f);  // no green
  EXPECT_FLOAT_EQ(t.at(0, 0, 10, 5), 0.0f);    // black
}

// The classifier's 16 learned conv1 kernels are presets, with the values of the shipped file.
TEST(CnnModel, TheClassifiersFirstLayerKernelsArePresets) {
  const convt::SafetensorsFile f =
      convt::read_safetensors(convt::asset_path(convt::lab::kDigitClassifierAsset));
  const Tensor& w = f.tensors.at("0.weight");  // (16, 1, 3, 3)
  ASSERT_EQ(w.dim(0), 16);
  for (int k : {0, 7, 15}) {
    const auto* p = convt::lab::find_kernel_preset("classifier_" + std::to_string(k));
    ASSERT_NE(p, nullptr) << k;
    EXPECT_EQ(p->kernel_size, 3);
    EXPECT_EQ(p->values, std::vector<float>(w.data() + k * 9, w.data() + k * 9 + 9)) << k;
  }
  EXPECT_EQ(convt::lab::find_kernel_preset("classifier_16"), nullptr);
  CnnModel m;  // a learned kernel runs like any other
  m.apply_preset(static_cast<int>(convt::lab::find_kernel_preset("classifier_3") -
                                  cnn_kernel_presets().data()));
  m.load_picture();
  EXPECT_TRUE(m.ok) << m.error;
}

// Fashion-MNIST as a picture: item N of the test set when Debian's package is there, else a
// message naming the install command (and the last picture kept).
TEST(CnnModel, AFashionMnistItemOrTheInstallHint) {
  bool installed = true;
  try {
    convt::load_fashion_mnist(false);
  } catch (const std::exception&) {
    installed = false;
  }
  CnnModel m;
  m.load_picture();  // a digit first
  ASSERT_TRUE(m.picture_error.empty()) << m.picture_error;
  m.source = convt::lab::CnnSource::kFashion;
  m.fashion = 1;
  m.load_picture();
  if (installed) {
    ASSERT_TRUE(m.picture_error.empty()) << m.picture_error;
    EXPECT_EQ(m.in_h(), 28);
    EXPECT_NE(m.picture_name.find("Fashion-MNIST test item #1 ("), std::string::npos)
        << m.picture_name;
    float hi = 0;
    for (float v : m.picture.values()) hi = std::max(hi, v);
    EXPECT_GT(hi, 0.5f);
  } else {
    EXPECT_NE(m.picture_error.find("--with-fashion-mnist"), std::string::npos) << m.picture_error;
    EXPECT_NE(m.picture_name.find("digit #"), std::string::npos) << m.picture_name;
  }
}

// The Inside view's canvas as the picture: the drawing, mapped from [-1, 1] to [0, 1].
TEST(CnnModel, TheDrawingOfInsideTheClassifierIsAPicture) {
  CnnModel m;
  m.inside.load();
  m.inside.clear();
  convt::lab::Brush brush;
  ASSERT_TRUE(m.inside.stroke(4.0f, 10.0f, 15.0f, 10.0f, brush));  // a vertical stroke, a 1
  m.source = convt::lab::CnnSource::kDrawing;
  m.load_picture();
  ASSERT_TRUE(m.picture_error.empty()) << m.picture_error;
  EXPECT_TRUE(m.ok) << m.error;
  ASSERT_EQ(m.picture.shape(), (std::vector<int64_t>{1, 1, 20, 20}));
  for (int64_t i = 0; i < 400; ++i) {
    ASSERT_FLOAT_EQ(m.picture[i], (m.inside.canvas[i] + 1.0f) * 0.5f) << i;
  }
  EXPECT_GT(m.picture.at(0, 0, 10, 10), 0.5f);  // ink on the stroke
  EXPECT_EQ(m.picture.at(0, 0, 10, 2), 0.0f);   // paper beside it
  EXPECT_NE(m.picture_name.find("your drawing"), std::string::npos) << m.picture_name;
  EXPECT_EQ(m.drawing_version, m.inside.version);
}

TEST(CnnModel, LoadsABuiltInDigit) {
  CnnModel m;
  m.digit = 3;
  m.load_picture();
  ASSERT_TRUE(m.picture_error.empty()) << m.picture_error;
  EXPECT_TRUE(m.ok) << m.error;
  EXPECT_EQ(m.in_h(), 28);
  EXPECT_EQ(m.out_h(), 28);  // 3x3, padding 1
  EXPECT_NE(m.picture_name.find("digit #3"), std::string::npos);
  // On [0, 1]: paper 0 (as the zero padding), ink up to 1.
  float lo = 1, hi = 0;
  for (float v : m.picture.values()) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_EQ(lo, 0.0f);
  EXPECT_GT(hi, 0.9f);
  EXPECT_LE(hi, 1.0f);
}

}  // namespace

namespace {

TEST(CnnStepThrough, TheStepperReplaysTheHoveredPixelWithTheRealValues) {
  const Tensor pic = picture(9, 9, [](int y, int x) { return 0.1f * float(y) + 0.01f * float(x); });
  CnnModel m = model_on(pic, "emboss", 2, 2, 2);  // 3x3, dilation 2: a 5x5 window
  convt::lab::StepperModel stepper;
  for (auto [oy, ox] : {std::pair{0, 0}, std::pair{2, 3}, std::pair{m.out_h() - 1, 1}}) {
    ASSERT_EQ(convt::lab::load_cnn_window_into_stepper(m, 0, oy, ox, stepper), "");
    EXPECT_EQ(stepper.config().op, convt::lab::StepperOp::kConv2d);
    EXPECT_EQ(stepper.config().H, 5);
    EXPECT_EQ(stepper.position(), 0);
    ASSERT_EQ(stepper.event_count(), 9);
    ASSERT_EQ(stepper.out_h(), 1);
    EXPECT_NEAR(stepper.output()[0], m.conv.at(0, 0, oy, ox), 1e-6) << oy << "," << ox;
    // Event by event, the same products as the panel lists.
    const auto list = m.products(0, oy, ox);
    for (int64_t k = 0; k < 9; ++k) {
      EXPECT_FLOAT_EQ(stepper.event(k).product, list[static_cast<size_t>(k)].product) << k;
    }
  }
  EXPECT_NE(convt::lab::load_cnn_window_into_stepper(m, 0, m.out_h(), 0, stepper), "");
  // A 5x5 kernel with dilation 2 reaches 9x9: more than the stepper's 8x8, refused with why.
  m.set_kernel_size(5);
  m.recompute();
  ASSERT_TRUE(m.ok) << m.error;
  EXPECT_NE(convt::lab::cnn_stepper_fit(m).find("9 x 9"), std::string::npos)
      << convt::lab::cnn_stepper_fit(m);
  EXPECT_NE(convt::lab::load_cnn_window_into_stepper(m, 0, 0, 0, stepper), "");
}

TEST(CnnStepThrough, TheNavigatorOpensTheStepperWithABannerBack) {
  convt::AppState state;
  convt::lab::Navigator nav(state);
  state.model.cnn.load_picture();  // the default built-in digit, Sobel x
  ASSERT_TRUE(state.model.cnn.ok) << state.model.cnn.error;
  EXPECT_EQ(nav.open_stepper_on_cnn_pixel(0, 14, 10), "");
  EXPECT_EQ(state.view.active_panel, convt::lab::PanelId::kStepper);
  EXPECT_TRUE(state.view.came_from.active);
  EXPECT_EQ(state.view.came_from.back_to, convt::lab::PanelId::kCnn);
  EXPECT_NE(state.view.came_from.text.find("(14, 10)"), std::string::npos);
  state.model.stepper.set_position(state.model.stepper.event_count());
  EXPECT_NEAR(state.model.stepper.output()[0], state.model.cnn.conv.at(0, 0, 14, 10), 1e-5);
  nav.go_back();
  EXPECT_EQ(state.view.active_panel, convt::lab::PanelId::kCnn);
}

}  // namespace

namespace {

TEST_F(CnnPictureTest, BrowseListsThePicturesOfAFolderSorted) {
  write("b.PNG", "x");
  write("a.jpg", "x");
  write("c.jpeg", "x");
  write("notes.txt", "x");
  std::filesystem::create_directories(dir_ / "sub.png");  // a folder, not a picture
  EXPECT_EQ(convt::lab::picture_files(dir_.string()),
            (std::vector<std::string>{"a.jpg", "b.PNG", "c.jpeg"}));
  EXPECT_TRUE(convt::lab::picture_files((dir_ / "missing").string()).empty());
}

}  // namespace
