// The CNN panel headless: --panel cnn --kernel NAME renders the kernel's feature map (Sobel x on
// a digit has negative pixels, drawn blue; the identity has none), an emoji and a picture of the
// user's render, and bad --kernel / --picture values are refused with exit status 2 and the
// valid choices. --cnn-view classifier renders the digit classifier's feature maps, and D's
// beside them when --cnn-d names a GAN checkpoint. Needs a display for the renders (./test.sh runs
// ctest under xvfb-run).
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "convt/io/assets.h"
#include "convt/io/png.h"
#include "convt/io/safetensors.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/state_dict.h"
#include "gfx/colormap.h"
#include "lab_process.h"
#include "logic/cnn_model.h"

namespace {

namespace fs = std::filesystem;

using convt::test::has_display;
using convt::test::read_text;
using convt::test::run_lab;

class CnnScreenshotTest : public convt::test::LabRunDir {};

// Pixels of the PNG coloured as a clearly negative value of the diverging map (the blue half,
// from -1 to -0.25 of the range), within 2 per channel. -1 if the PNG cannot be read.
long negative_pixels(const fs::path& png, int* width = nullptr) {
  std::set<unsigned> blues;
  for (int i = 0; i <= 300; ++i) {
    const float v = -1.0f + 0.75f * static_cast<float>(i) / 300.0f;
    const convt::gfx::Rgb c = convt::gfx::colormap_rgb(convt::gfx::Colormap::kDiverging, v, -1, 1);
    const int r = static_cast<int>(c.r * 255.f + 0.5f), g = static_cast<int>(c.g * 255.f + 0.5f),
              b = static_cast<int>(c.b * 255.f + 0.5f);
    for (int dr = -2; dr <= 2; ++dr)
      for (int dg = -2; dg <= 2; ++dg)
        for (int db = -2; db <= 2; ++db)
          blues.insert(static_cast<unsigned>(((r + dr) << 16) | ((g + dg) << 8) | (b + db)));
  }
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(png.c_str(), &w, &h, &channels, 3);
  if (data == nullptr) return -1;
  long count = 0;
  for (size_t i = 0; i + 2 < static_cast<size_t>(w) * h * 3; i += 3) {
    count += blues.count((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  stbi_image_free(data);
  if (width) *width = w;
  return count;
}

TEST_F(CnnScreenshotTest, SobelXOnADigitHasNegativePixelsAndTheIdentityNone) {
  if (!has_display()) GTEST_SKIP() << "no DISPLAY (run under xvfb-run)";
  const fs::path log = dir_ / "log.txt";
  for (const char* size : {"1280x800", "1024x700"}) {
    const fs::path sobel = dir_ / "sobel.png", identity = dir_ / "identity.png";
    ASSERT_EQ(run_lab("--panel cnn --kernel sobel_x --check-layout --size " + std::string(size) +
                          " --screenshot '" + sobel.string() + "'",
                      log),
              0)
        << read_text(log);
    EXPECT_NE(read_text(log).find("panel cnn"), std::string::npos) << read_text(log);
    int width = 0;
    const long sobel_blue = negative_pixels(sobel, &width);
    EXPECT_EQ(width, std::stoi(size));
    // The strokes' right edges (bright, then dark going right): dozens of pixels, 3 to 11 px
    // square.
    EXPECT_GT(sobel_blue, 200) << size;
    // --kernel alone opens the CNN panel.
    ASSERT_EQ(run_lab("--kernel identity --size " + std::string(size) + " --screenshot '" +
                          identity.string() + "'",
                      log),
              0)
        << read_text(log);
    EXPECT_NE(read_text(log).find("panel cnn"), std::string::npos) << read_text(log);
    EXPECT_LT(negative_pixels(identity), 50) << size << ": the identity of a picture in [0, 1] "
                                             << "has no negative pixel";
  }
}

TEST_F(CnnScreenshotTest, AnEmojiAndAPictureOfTheUsersRender) {
  if (!has_display()) GTEST_SKIP() << "no DISPLAY (run under xvfb-run)";
  const fs::path log = dir_ / "log.txt";
  // A picture of the user's: a white square on black, 40 x 60.
  convt::Image8 img;
  img.width = 60;
  img.height = 40;
  img.channels = 3;
  img.pixels.assign(60 * 40 * 3, 0);
  for (int y = 10; y < 30; ++y)
    for (int x = 20; x < 40; ++x)
      for (int c = 0; c < 3; ++c) img.pixels[(y * 60 + x) * 3 + c] = 255;
  const fs::path square = dir_ / "square.png";
  std::ofstream(square, std::ios::binary) << convt::encode_png(img);
  const fs::path shot = dir_ / "shot.png";
  ASSERT_EQ(run_lab("--picture '" + square.string() +
                        "' --gray --kernel outline --check-layout "
                        "--screenshot '" +
                        shot.string() + "'",
                    log),
            0)
      << read_text(log);
  EXPECT_EQ(read_text(log).find("--picture:"), std::string::npos) << read_text(log);
  // The outline of a white square: negative just outside its edges.
  EXPECT_GT(negative_pixels(shot), 200) << read_text(log);

  // An emoji, when the package is installed (scripts/setup.sh --with-emoji).
  ASSERT_EQ(run_lab("--picture emoji:3 --check-layout --screenshot '" + shot.string() + "'", log),
            0)
      << read_text(log);
  if (read_text(log).find("--picture:") != std::string::npos) {
    EXPECT_NE(read_text(log).find("setup.sh --with-emoji"), std::string::npos) << read_text(log);
    GTEST_SKIP() << "emoji not installed: " << read_text(log);
  }
}

TEST_F(CnnScreenshotTest, AMissingPictureIsReportedAndThePanelStillRenders) {
  if (!has_display()) GTEST_SKIP() << "no DISPLAY (run under xvfb-run)";
  const fs::path log = dir_ / "log.txt", shot = dir_ / "shot.png";
  EXPECT_EQ(run_lab("--picture '" + (dir_ / "nope.png").string() + "' --screenshot '" +
                        shot.string() + "'",
                    log),
            0);
  const std::string text = read_text(log);
  EXPECT_NE(text.find("--picture: "), std::string::npos) << text;
  EXPECT_NE(text.find("nope.png: no such file"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(shot));
}

TEST_F(CnnScreenshotTest, BadKernelAndPictureValuesExit2WithTheValidChoices) {
  const fs::path log = dir_ / "log.txt";
  EXPECT_EQ(run_lab("--panel cnn --kernel blurry --screenshot x.png", log), 2);
  std::string text = read_text(log);
  EXPECT_EQ(text.rfind("convt-lab: --kernel expects a kernel preset", 0), 0u) << text;
  EXPECT_NE(text.find("found 'blurry'"), std::string::npos) << text;
  for (const auto& p : convt::lab::cnn_kernel_presets()) {
    EXPECT_NE(text.find(p.name), std::string::npos) << p.name << "\n" << text;
  }
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(run_lab("--kernel", log), 2);
  EXPECT_NE(read_text(log).find("found 'nothing'"), std::string::npos) << read_text(log);
  for (const char* bad : {"digit:10000", "digit:x", "emoji:-1", "''"}) {
    EXPECT_EQ(run_lab(std::string("--picture ") + bad, log), 2) << bad;
    text = read_text(log);
    EXPECT_EQ(text.rfind("convt-lab: --picture expects digit:N", 0), 0u) << text;
  }
}

// A dcgan20 GAN with random weights (seed 4) as a full checkpoint: its spec, G and D.
fs::path write_gan_checkpoint(const fs::path& dir) {
  const nlohmann::json spec = convt::nn::load_model_spec("dcgan20");
  convt::nn::GanModel gan = convt::nn::build_gan(spec, 4);
  std::map<std::string, convt::Tensor> tensors = convt::nn::state_dict(*gan.D, "D.");
  for (auto& [name, t] : convt::nn::state_dict(*gan.G, "G.")) tensors[name] = t;
  const fs::path path = dir / "gan.safetensors";
  convt::write_safetensors(path.string(), tensors, {{"spec", spec.dump()}, {"model", "dcgan20"}});
  return path;
}

TEST_F(CnnScreenshotTest, InsideTheClassifierRendersItsLayersAndDsBesideThem) {
  if (!has_display()) GTEST_SKIP() << "no DISPLAY (run under xvfb-run)";
  const fs::path log = dir_ / "log.txt", gan = write_gan_checkpoint(dir_);
  for (const char* size : {"1280x800", "1024x640"}) {
    const fs::path alone = dir_ / "alone.png", with_d = dir_ / "with_d.png",
                   shipped_d = dir_ / "shipped_d.png";
    // A generator file holds no D: the classifier alone.
    const std::string g_only = convt::asset_path("checkpoints/dcgan20_digits.safetensors");
    ASSERT_EQ(run_lab("--panel cnn --cnn-view classifier --picture digit:3119 --check-layout "
                      "--cnn-d '" + g_only + "' --size " +
                          std::string(size) + " --screenshot '" + alone.string() + "'",
                      log, dir_),
              0)
        << read_text(log);
    EXPECT_NE(read_text(log).find("panel cnn"), std::string::npos) << read_text(log);
    int width = 0;
    const long blue_alone = negative_pixels(alone, &width);
    EXPECT_EQ(width, std::stoi(size));
    // conv1's and conv2's signed maps: blue where a kernel answers the stroke negatively.
    EXPECT_GT(blue_alone, 300) << size;
    // --cnn-view alone opens the CNN panel; D's maps and its first channel's 5x5 kernel add more.
    ASSERT_EQ(run_lab("--cnn-view classifier --cnn-d '" + gan.string() +
                          "' --cnn-select D:0 --picture digit:3119 --check-layout --size " + size +
                          " --screenshot '" + with_d.string() + "'",
                      log, dir_),
              0)
        << read_text(log);
    EXPECT_NE(read_text(log).find("panel cnn"), std::string::npos) << read_text(log);
    EXPECT_EQ(read_text(log).find("--cnn-"), std::string::npos) << read_text(log);
    EXPECT_GT(negative_pixels(with_d), blue_alone + 300) << size;
    // Run in dir_, without --cnn-d: no runs/dashboard/checkpoint.safetensors there, so the
    // shipped D, its maps beside the classifier's.
    ASSERT_EQ(run_lab("--cnn-view classifier --picture digit:3119 --check-layout --size " +
                          std::string(size) + " --screenshot '" + shipped_d.string() + "'",
                      log, dir_),
              0)
        << read_text(log);
    EXPECT_GT(negative_pixels(shipped_d), blue_alone + 300) << size;
  }
}

TEST_F(CnnScreenshotTest, AClassifierViewWithoutDSaysWhyAndStillRenders) {
  if (!has_display()) GTEST_SKIP() << "no DISPLAY (run under xvfb-run)";
  const fs::path log = dir_ / "log.txt", shot = dir_ / "shot.png";
  const std::string shipped = convt::asset_path("checkpoints/dcgan20_digits.safetensors");
  EXPECT_EQ(run_lab("--cnn-view classifier --cnn-d '" + shipped +
                        "' --cnn-select classifier:9 "
                        "--screenshot '" +
                        shot.string() + "'",
                    log, dir_),
            0);
  const std::string text = read_text(log);
  EXPECT_NE(text.find("convt-lab: --cnn-d: "), std::string::npos) << text;
  EXPECT_NE(text.find("G only"), std::string::npos) << text;
  EXPECT_NE(text.find("--cnn-select: the network shows 6 map rows"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(shot));
}

TEST_F(CnnScreenshotTest, BadClassifierFlagsExit2WithWhatIsExpected) {
  const fs::path log = dir_ / "log.txt";
  EXPECT_EQ(run_lab("--cnn-view inside", log), 2);
  EXPECT_EQ(read_text(log).rfind("convt-lab: --cnn-view expects kernels or classifier", 0), 0u)
      << read_text(log);
  for (const char* bad : {"G:0", "classifier", "D:-1", "D:1:x", "classifier:1:-1"}) {
    EXPECT_EQ(run_lab(std::string("--cnn-view classifier --cnn-select ") + bad, log), 2) << bad;
    EXPECT_EQ(read_text(log).rfind("convt-lab: --cnn-select expects NETWORK:LAYER[:CHANNEL]", 0),
              0u)
        << read_text(log);
  }
  EXPECT_EQ(run_lab("--cnn-d", log), 2);
  EXPECT_NE(read_text(log).find("--cnn-d expects the path of a GAN checkpoint"), std::string::npos)
      << read_text(log);
}

// Pixels of the PNG's lower right part (right of its first fifth, below 68% of its height:
// the CNN classifier view's lower tabs at 1280x800) within `tolerance` per channel of `rgb`
// (0xRRGGBB); a line's anti-aliased edge blends it with the background. -1 if the PNG cannot be
// read.
long pixels_near_lower_right(const fs::path& png, unsigned rgb, int tolerance) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(png.c_str(), &w, &h, &channels, 3);
  if (data == nullptr) return -1;
  const int want[3] = {static_cast<int>(rgb >> 16), static_cast<int>((rgb >> 8) & 0xff),
                       static_cast<int>(rgb & 0xff)};
  long count = 0;
  for (int y = h * 68 / 100; y < h; ++y) {
    for (int x = w / 5; x < w; ++x) {
      const unsigned char* p = data + (static_cast<size_t>(y) * w + x) * 3;
      bool near = true;
      for (int c = 0; c < 3; ++c) near = near && std::abs(p[c] - want[c]) <= tolerance;
      count += near;
    }
  }
  stbi_image_free(data);
  return count;
}

TEST_F(CnnScreenshotTest, TrainItLiveDrawsItsAccuracyCurveAndKernels) {
  if (!has_display()) GTEST_SKIP() << "no DISPLAY (run under xvfb-run)";
  const fs::path log = dir_ / "log.txt", before = dir_ / "before.png", live = dir_ / "live.png";
  ASSERT_EQ(run_lab("--cnn-view classifier --check-layout --screenshot '" + before.string() + "'",
                    log, dir_),
            0)
      << read_text(log);
  ASSERT_EQ(run_lab("--cnn-view classifier --cnn-train-live 2 --check-layout --screenshot '" +
                        live.string() + "'",
                    log, dir_),
            0)
      << read_text(log);
  EXPECT_EQ(read_text(log).find("--cnn-train-live:"), std::string::npos) << read_text(log);
  // The held-out accuracy curve and its legend, under the layers, are drawn in the dark theme's
  // accent colour (255, 209, 89): over 100 pixels near it even with only the first points; none
  // there before training.
  EXPECT_GT(pixels_near_lower_right(live, 0xffd159, 30),
            pixels_near_lower_right(before, 0xffd159, 30) + 80);
  EXPECT_EQ(run_lab("--cnn-view classifier --cnn-train-live soon", log), 2);
  EXPECT_EQ(read_text(log).rfind("convt-lab: --cnn-train-live expects seconds", 0), 0u)
      << read_text(log);
}

}  // namespace
