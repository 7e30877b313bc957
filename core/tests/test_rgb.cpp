// RGB data and the notes' RGB generators: transparency composited on white,
// the emoji loader's lookup and hint, the rgb32 and dcgan64 specs' shapes, and a few training
// steps of each on a tiny folder of generated RGBA PNGs. Reference values are identities
// (opaque pixels unchanged, transparent ones white, the shape formula's numbers).
#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/nn/model_spec.h"
#include "convt/train/gan_trainer.h"

namespace fs = std::filesystem;
using namespace convt;

namespace {

// A fresh directory per test, removed afterwards.
class RgbFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("convt_test_rgb_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // n RGBA PNGs size x size: a disc of a different colour each on a transparent background.
  void write_discs(int n, int size) const {
    for (int i = 0; i < n; ++i) {
      std::vector<unsigned char> rgba(static_cast<size_t>(size) * size * 4, 0);
      const float cx = size * (0.3f + 0.4f * static_cast<float>(i % 3) / 2.0f);
      const float cy = size * (0.3f + 0.4f * static_cast<float>((i / 3) % 3) / 2.0f);
      for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
          const float d = std::hypot(x - cx, y - cy);
          if (d > size * 0.25f) continue;
          unsigned char* p = &rgba[(static_cast<size_t>(y) * size + x) * 4];
          p[0] = static_cast<unsigned char>((i * 97) % 256);
          p[1] = static_cast<unsigned char>((i * 53 + 80) % 256);
          p[2] = static_cast<unsigned char>((i * 31 + 160) % 256);
          p[3] = 255;
        }
      }
      char name[32];
      std::snprintf(name, sizeof name, "disc_%02d.png", i);
      ASSERT_TRUE(stbi_write_png(path(name).c_str(), size, size, 4, rgba.data(), size * 4));
    }
  }
  fs::path dir_;
};

// Sets an environment variable for the lifetime of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

GanConfig tiny_rgb_config(int64_t batch) {
  GanConfig c;
  c.batch_size = batch;
  c.lr_g = 2e-4f;
  c.lr_d = 2e-4f;
  c.seed = 3;
  c.backend = nn::Backend::fast;
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Transparency

TEST_F(RgbFolder, TransparentPixelsBecomeWhiteOpaqueOnesStay) {
  // 2 x 2 RGBA: opaque red, transparent (black underneath), half-transparent black, opaque blue
  const unsigned char rgba[16] = {255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 255, 255};
  ASSERT_TRUE(stbi_write_png(path("a.png").c_str(), 2, 2, 4, rgba, 2 * 4));
  const Dataset d = load_image_folder(dir_.string(), 2, 3);
  ASSERT_EQ(d.images.shape(), (std::vector<int64_t>{1, 3, 2, 2}));
  // opaque red
  EXPECT_FLOAT_EQ(d.images.at(0, 0, 0, 0), 1.0f);
  EXPECT_FLOAT_EQ(d.images.at(0, 1, 0, 0), -1.0f);
  EXPECT_FLOAT_EQ(d.images.at(0, 2, 0, 0), -1.0f);
  // transparent -> white in every channel
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(d.images.at(0, c, 0, 1), 1.0f) << "channel " << c;
  // alpha 128 over black: (0 * 128 + 255 * 127 + 127) / 255 = 127
  for (int c = 0; c < 3; ++c) {
    EXPECT_FLOAT_EQ(d.images.at(0, c, 1, 0), pixel_to_unit(127)) << "channel " << c;
  }
  // opaque blue
  EXPECT_FLOAT_EQ(d.images.at(0, 2, 1, 1), 1.0f);
  EXPECT_FLOAT_EQ(d.images.at(0, 0, 1, 1), -1.0f);
}

TEST_F(RgbFolder, GrayscaleOfRgbaIsStbLuminanceAfterCompositing) {
  // opaque (200, 100, 50) and fully transparent
  const unsigned char rgba[8] = {200, 100, 50, 255, 10, 20, 30, 0};
  ASSERT_TRUE(stbi_write_png(path("g.png").c_str(), 2, 1, 4, rgba, 2 * 4));
  // a 2 x 1 image is cropped to its central 1 x 1 square: the left pixel
  const Dataset d = load_image_folder(dir_.string(), 1, 1);
  ASSERT_EQ(d.images.shape(), (std::vector<int64_t>{1, 1, 1, 1}));
  const int y = (200 * 77 + 100 * 150 + 50 * 29) >> 8;  // stb_image's luminance
  EXPECT_FLOAT_EQ(d.images[0], pixel_to_unit(static_cast<uint8_t>(y)));
}

// ---------------------------------------------------------------------------------------------
// The emoji set's lookup

TEST_F(RgbFolder, EmojiFromTheEnvironmentFolder) {
  write_discs(3, 16);
  ScopedEnv env("CONVT_EMOJI_DIR", dir_.string());
  const Dataset d = load_dataset("emoji", 8, 3);
  EXPECT_EQ(d.images.shape(), (std::vector<int64_t>{3, 3, 8, 8}));
  EXPECT_EQ(d.name, "emoji");
  EXPECT_NE(d.description.find("CC BY 4.0"), std::string::npos) << d.description;
}

TEST_F(RgbFolder, EmojiMissingGivesTheSetupHint) {
  ScopedEnv env("CONVT_EMOJI_DIR", path("nothing_here"));
  ScopedEnv home("HOME", path("no_home"));
  ScopedEnv cache("XDG_CACHE_HOME", path("no_cache"));
  try {
    load_dataset("emoji", 32, 3);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path("nothing_here")), std::string::npos) << what;
    EXPECT_NE(what.find("scripts/setup.sh --with-emoji"), std::string::npos) << what;
  }
}

TEST(EmojiCategory, SlugIsLowerCaseWithOneDashPerRun) {
  EXPECT_EQ(emoji_category_slug("Smileys & Emotion"), "smileys-emotion");
  EXPECT_EQ(emoji_category_slug("  Food & Drink!"), "food-drink");
  EXPECT_EQ(emoji_category_slug("flags"), "flags");
  EXPECT_EQ(emoji_category_slug(" & "), "");
}

// The package's layout: package/emoji.json beside package/img/twitter/64/*.png.
TEST_F(RgbFolder, EmojiCategoryKeepsItsOwnBaseImagesInTheFilesOrder) {
  const fs::path png_dir = dir_ / "package" / "img" / "twitter" / "64";
  fs::create_directories(png_dir);
  write_discs(4, 16);  // disc_00.png .. disc_03.png in dir_
  for (int i = 0; i < 4; ++i) {
    const std::string name = "disc_0" + std::to_string(i) + ".png";
    fs::rename(dir_ / name, png_dir / name);
  }
  {
    std::FILE* f = std::fopen((dir_ / "package" / "emoji.json").string().c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "[{\"image\": \"disc_03.png\", \"category\": \"Smileys & Emotion\", "
        "\"has_img_twitter\": true},"
        " {\"image\": \"disc_00.png\", \"category\": \"Flags\", \"has_img_twitter\": true},"
        " {\"image\": \"disc_01.png\", \"category\": \"Smileys & Emotion\", "
        "\"has_img_twitter\": true},"
        " {\"image\": \"disc_02.png\", \"category\": \"Smileys & Emotion\", "
        "\"has_img_twitter\": false}]",
        f);
    std::fclose(f);
  }
  ScopedEnv env("CONVT_EMOJI_DIR", png_dir.string());
  const Dataset all = load_dataset("emoji", 16, 3);
  EXPECT_EQ(all.size(), 4);
  const Dataset faces = load_dataset("emoji:smileys-emotion", 16, 3);
  ASSERT_EQ(faces.images.shape(), (std::vector<int64_t>{2, 3, 16, 16}));
  EXPECT_EQ(faces.name, "emoji:smileys-emotion");
  // disc_03 first (the file's order), then disc_01: the same pixels as in the whole folder
  const int64_t per_image = 3 * 16 * 16;
  for (int64_t i = 0; i < per_image; ++i) {
    ASSERT_EQ(faces.images[i], all.images[3 * per_image + i]) << i;
    ASSERT_EQ(faces.images[per_image + i], all.images[1 * per_image + i]) << i;
  }
  // the category's display name works too
  EXPECT_EQ(load_dataset("emoji:Smileys & Emotion", 16, 3).size(), 2);
  try {
    load_dataset("emoji:fruit", 16, 3);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'fruit'"), std::string::npos) << what;
    EXPECT_NE(what.find("emoji:smileys-emotion (2 images)"), std::string::npos) << what;
    EXPECT_NE(what.find("emoji:flags (1 image)"), std::string::npos) << what;
  }
  EXPECT_THROW(load_dataset("emoji:", 16, 3), DataError);
}

TEST_F(RgbFolder, EmojiCategoryWithoutEmojiJsonNamesTheFile) {
  write_discs(1, 16);
  ScopedEnv env("CONVT_EMOJI_DIR", dir_.string());
  try {
    load_dataset("emoji:flags", 16, 3);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("emoji.json"), std::string::npos) << what;
    EXPECT_NE(what.find("--data emoji"), std::string::npos) << what;
  }
}

// ---------------------------------------------------------------------------------------------
// The specs

TEST(RgbSpecs, Rgb32ShapesAsTheNotes) {
  nn::GanModel m = nn::build_gan(nn::load_model_spec("rgb32"), 0);
  EXPECT_EQ(m.G->shape_after(3), (std::vector<int64_t>{256, 4, 4}));   // FC -> 4x4x256
  EXPECT_EQ(m.G->shape_after(4), (std::vector<int64_t>{128, 8, 8}));   // ConvT 128
  EXPECT_EQ(m.G->shape_after(7), (std::vector<int64_t>{64, 16, 16}));  // ConvT 64
  EXPECT_EQ(m.G->output_shape(), (std::vector<int64_t>{3, 32, 32}));   // ConvT 3, tanh
  EXPECT_STREQ(m.G->layer(m.G->size() - 1).type(), "Tanh");
  EXPECT_EQ(m.D->shape_after(0), (std::vector<int64_t>{64, 16, 16}));
  EXPECT_EQ(m.D->shape_after(5), (std::vector<int64_t>{256, 4, 4}));
  EXPECT_EQ(m.D->output_shape(), (std::vector<int64_t>{1}));
}

TEST(RgbSpecs, Dcgan64ShapesAsTheNotes) {
  nn::GanModel m = nn::build_gan(nn::load_model_spec("dcgan64"), 0);
  EXPECT_EQ(m.G->shape_after(1), (std::vector<int64_t>{512, 4, 4}));
  EXPECT_EQ(m.G->shape_after(4), (std::vector<int64_t>{256, 8, 8}));
  EXPECT_EQ(m.G->shape_after(7), (std::vector<int64_t>{128, 16, 16}));
  EXPECT_EQ(m.G->shape_after(10), (std::vector<int64_t>{64, 32, 32}));
  EXPECT_EQ(m.G->output_shape(), (std::vector<int64_t>{3, 64, 64}));
  EXPECT_EQ(m.D->shape_after(8), (std::vector<int64_t>{512, 4, 4}));
  EXPECT_EQ(m.D->shape_after(11), (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(m.D->output_shape(), (std::vector<int64_t>{1}));
}

TEST(RgbSpecs, GrayscaleDataIsRefusedWithBothShapes) {
  const Dataset digits = load_builtin_digits(20);
  try {
    GanTrainer t(nn::load_model_spec("rgb32"), tiny_rgb_config(4), &digits);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("3, 32, 32"), std::string::npos) << what;
  }
}

// ---------------------------------------------------------------------------------------------
// Training on a tiny RGB folder

TEST_F(RgbFolder, Rgb32TrainsWithFiniteLosses) {
  write_discs(8, 40);
  const Dataset d = load_image_folder(dir_.string(), 32, 3);
  ASSERT_EQ(d.images.shape(), (std::vector<int64_t>{8, 3, 32, 32}));
  GanTrainer t(nn::load_model_spec("rgb32"), tiny_rgb_config(4), &d);
  for (int i = 0; i < 3; ++i) {
    const StepMetrics m = t.step();
    EXPECT_TRUE(std::isfinite(m.loss_g) && std::isfinite(m.loss_d)) << "step " << m.step;
  }
  const Tensor x = t.generate(t.latent_batch(2, 1));
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{2, 3, 32, 32}));
}

TEST_F(RgbFolder, Dcgan64TrainsWithFiniteLosses) {
  write_discs(4, 64);
  const Dataset d = load_image_folder(dir_.string(), 64, 3);
  GanTrainer t(nn::load_model_spec("dcgan64"), tiny_rgb_config(2), &d);
  for (int i = 0; i < 2; ++i) {
    const StepMetrics m = t.step();
    EXPECT_TRUE(std::isfinite(m.loss_g) && std::isfinite(m.loss_d)) << "step " << m.step;
  }
  EXPECT_EQ(t.generate(t.latent_batch(1, 1)).shape(), (std::vector<int64_t>{1, 3, 64, 64}));
}
