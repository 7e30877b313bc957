// Data loaders: built-in digits, area resize, IDX (raw and gzip), Fashion-MNIST lookup, image
// folders, the batch sampler. Reference values are identities (constant images, integer-factor
// resizes, the 5x5-repeat / 7x7-mean form of 28 -> 20) or the committed assets themselves
// (digits20.png was written by scripts/build_digits_assets.py from the same 28x28 pixels).
#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "convt/data/dataset.h"
#include "convt/data/resize.h"

namespace fs = std::filesystem;
using namespace convt;

namespace {

// A fresh directory per test, removed afterwards.
class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("convt_test_data_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(f);
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// An IDX images file of n images h x w, pixel (i, y, x) = (i * 7 + y * w + x) % 256.
std::string idx_images(uint32_t n, uint32_t h, uint32_t w) {
  std::string b = be32(0x00000803) + be32(n) + be32(h) + be32(w);
  for (uint32_t i = 0; i < n * h * w; ++i)
    b += static_cast<char>(((i / (h * w)) * 7 + i % (h * w)) % 256);
  return b;
}

std::string idx_labels(uint32_t n) {
  std::string b = be32(0x00000801) + be32(n);
  for (uint32_t i = 0; i < n; ++i) b += static_cast<char>(i % 10);
  return b;
}

// Runs f and returns the DataError's message ("" if none was thrown).
template <typename F>
std::string data_error(F f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Built-in digits

TEST(BuiltinDigits, Size28ShapesRangeLabels) {
  const Dataset d = load_builtin_digits(28);
  EXPECT_EQ(d.images.shape(), (std::vector<int64_t>{10000, 1, 28, 28}));
  ASSERT_EQ(d.labels.size(), 10000u);
  const auto [lo, hi] = std::minmax_element(d.images.values().begin(), d.images.values().end());
  EXPECT_FLOAT_EQ(*lo, -1.0f);
  EXPECT_FLOAT_EQ(*hi, 1.0f);
  // Mostly black paper: MNIST's mean pixel is about 0.13 of white, i.e. about -0.74 here.
  double mean = 0;
  for (float v : d.images.values()) mean += v;
  mean /= static_cast<double>(d.images.numel());
  EXPECT_GT(mean, -0.85);
  EXPECT_LT(mean, -0.6);
  std::vector<int> counts(10, 0);
  for (int label : d.labels) {
    ASSERT_GE(label, 0);
    ASSERT_LE(label, 9);
    ++counts[static_cast<size_t>(label)];
  }
  for (int c = 0; c < 10; ++c) {
    EXPECT_GT(counts[static_cast<size_t>(c)], 800) << "class " << c;
    EXPECT_LT(counts[static_cast<size_t>(c)], 1200) << "class " << c;
  }
  // The package's order: classes in bands, label sequence never decreases.
  EXPECT_TRUE(std::is_sorted(d.labels.begin(), d.labels.end()));
  // Every digit has ink, and its border row is paper (MNIST centres digits in a 20x20 box).
  for (int64_t k = 0; k < d.size(); k += 97) {
    float peak = -1.0f;
    for (int i = 0; i < 28 * 28; ++i) peak = std::max(peak, d.images.data()[k * 784 + i]);
    EXPECT_GT(peak, 0.5f) << "digit " << k;
    for (int x = 0; x < 28; ++x) EXPECT_FLOAT_EQ(d.images.at(k, 0, 0, x), -1.0f) << "digit " << k;
  }
}

TEST(BuiltinDigits, Size20IsTheAreaResizeOf28) {
  const Dataset d28 = load_builtin_digits(28);
  const Dataset d20 = load_builtin_digits(20);
  EXPECT_EQ(d20.images.shape(), (std::vector<int64_t>{10000, 1, 20, 20}));
  EXPECT_EQ(d20.labels, d28.labels);
  // digits20.png holds the resize rounded to 8 bits: within half a step of ours.
  const Tensor ours = area_resize(d28.images, 20, 20);
  float worst = 0;
  for (int64_t i = 0; i < ours.numel(); ++i)
    worst = std::max(worst, std::abs(ours[i] - d20.images[i]));
  EXPECT_LE(worst, 0.5f / 127.5f + 1e-5f);
}

TEST(BuiltinDigits, OtherSizeIsAnError) {
  EXPECT_TRUE(contains(data_error([] { load_builtin_digits(32); }), "expected size 28 or 20"));
}

TEST(BuiltinDigits, LoadDatasetByName) {
  const Dataset d = load_dataset("digits", 20);
  EXPECT_EQ(d.name, "digits20");
  const Dataset d14 = load_dataset("digits", 14);
  EXPECT_EQ(d14.images.shape(), (std::vector<int64_t>{10000, 1, 14, 14}));
  EXPECT_TRUE(contains(data_error([] { load_dataset("/no/such/place", 20); }), "no such path"));
}

// ---------------------------------------------------------------------------------------------
// Area resize

TEST(AreaResize, WeightsRowsSumToOne) {
  for (auto [in, out] :
       std::vector<std::pair<int, int>>{{28, 20}, {20, 28}, {7, 3}, {5, 5}, {1, 4}}) {
    const std::vector<float> w = area_resize_weights(in, out);
    for (int i = 0; i < out; ++i) {
      float sum = 0;
      for (int j = 0; j < in; ++j) sum += w[static_cast<size_t>(i * in + j)];
      EXPECT_NEAR(sum, 1.0f, 1e-6f) << in << " -> " << out << " row " << i;
    }
  }
  EXPECT_THROW(area_resize_weights(0, 3), std::invalid_argument);
}

TEST(AreaResize, IntegerFactorIsBlockMean) {
  Tensor x({1, 1, 4, 4});
  for (int i = 0; i < 16; ++i) x[i] = static_cast<float>(i);
  const Tensor y = area_resize(x, 2, 2);
  EXPECT_FLOAT_EQ(y.at(0, 0, 0, 0), (0 + 1 + 4 + 5) / 4.0f);
  EXPECT_FLOAT_EQ(y.at(0, 0, 1, 1), (10 + 11 + 14 + 15) / 4.0f);
}

TEST(AreaResize, TwentyEightToTwentyIsRepeatFiveMeanSeven) {
  Tensor x({1, 1, 28, 28});
  for (int i = 0; i < 28 * 28; ++i) x[i] = static_cast<float>((i * 37) % 255);
  const Tensor y = area_resize(x, 20, 20);
  for (int oy = 0; oy < 20; ++oy) {
    for (int ox = 0; ox < 20; ++ox) {
      double sum = 0;  // repeat each pixel 5x5 (28 -> 140), average the 7x7 block (140 -> 20)
      for (int sy = oy * 7; sy < oy * 7 + 7; ++sy) {
        for (int sx = ox * 7; sx < ox * 7 + 7; ++sx) sum += x.at(0, 0, sy / 5, sx / 5);
      }
      EXPECT_NEAR(y.at(0, 0, oy, ox), sum / 49.0, 1e-3) << oy << "," << ox;
    }
  }
}

TEST(AreaResize, ConstantStaysConstantAndEnlargingIsNearest) {
  const Tensor c = area_resize(Tensor({2, 3, 9, 13}, 0.25f), 5, 7);
  for (float v : c.values()) EXPECT_NEAR(v, 0.25f, 1e-6f);
  const Tensor x({1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4});
  const Tensor y = area_resize(x, 4, 4);
  EXPECT_FLOAT_EQ(y.at(0, 0, 0, 1), 1.0f);
  EXPECT_FLOAT_EQ(y.at(0, 0, 3, 2), 4.0f);
}

// ---------------------------------------------------------------------------------------------
// IDX

using Idx = TempDir;

TEST_F(Idx, RawAndGzipGiveTheSameImages) {
  write_bytes(path("img"), idx_images(3, 4, 5));
  write_bytes(path("lab"), idx_labels(3));
  write_gz(path("img.gz"), idx_images(3, 4, 5));
  write_gz(path("lab.gz"), idx_labels(3));
  const Dataset raw = load_idx(path("img"), path("lab"));
  const Dataset gz = load_idx(path("img.gz"), path("lab.gz"));
  EXPECT_EQ(raw.images.shape(), (std::vector<int64_t>{3, 1, 4, 5}));
  EXPECT_EQ(raw.images.values(), gz.images.values());
  EXPECT_EQ(raw.labels, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(gz.labels, raw.labels);
  EXPECT_FLOAT_EQ(raw.images.at(2, 0, 1, 3), pixel_to_unit(2 * 7 + 1 * 5 + 3));
  EXPECT_FLOAT_EQ(pixel_to_unit(0), -1.0f);
  EXPECT_FLOAT_EQ(pixel_to_unit(255), 1.0f);
}

TEST_F(Idx, NoLabelsMeansMinusOne) {
  write_bytes(path("img"), idx_images(2, 3, 3));
  EXPECT_EQ(load_idx(path("img")).labels, (std::vector<int>{-1, -1}));
}

TEST_F(Idx, TruncatedRawFileNamesTheByteCounts) {
  std::string b = idx_images(3, 4, 5);
  write_bytes(path("img"), b.substr(0, b.size() - 7));
  const std::string e = data_error([&] { load_idx(path("img")); });
  EXPECT_TRUE(contains(e, path("img"))) << e;
  EXPECT_TRUE(contains(e, "truncated")) << e;
  EXPECT_TRUE(contains(e, "60 data bytes")) << e;
  write_bytes(path("short"), b.substr(0, 9));
  EXPECT_TRUE(contains(data_error([&] { load_idx(path("short")); }), "truncated IDX header"));
  write_bytes(path("long"), b + "xyz");
  EXPECT_TRUE(contains(data_error([&] { load_idx(path("long")); }), "trailing data"));
}

TEST_F(Idx, TruncatedGzipIsRefused) {
  write_gz(path("img.gz"), idx_images(50, 28, 28));
  const std::string gz = read_bytes(path("img.gz"));
  write_bytes(path("cut.gz"), gz.substr(0, gz.size() / 2));
  const std::string e = data_error([&] { load_idx(path("cut.gz")); });
  EXPECT_TRUE(contains(e, path("cut.gz"))) << e;
  EXPECT_TRUE(contains(e, "truncated")) << e;
}

TEST_F(Idx, BadMagicNumbers) {
  write_bytes(path("lab"), idx_labels(3));
  std::string e = data_error([&] { load_idx(path("lab")); });
  EXPECT_TRUE(contains(e, "expected an IDX images file (magic 0x00000803")) << e;
  EXPECT_TRUE(contains(e, "found magic 0x00000801 (a labels file?)")) << e;

  write_bytes(path("png"), "\x89PNG\r\n\x1a\n and more bytes");
  e = data_error([&] { load_idx(path("png")); });
  EXPECT_TRUE(contains(e, "not an IDX file")) << e;

  std::string floats = idx_images(1, 2, 2);
  floats[2] = 0x0D;  // IDX float type
  write_bytes(path("floats"), floats);
  e = data_error([&] { load_idx(path("floats")); });
  EXPECT_TRUE(contains(e, "only unsigned bytes")) << e;
}

TEST_F(Idx, BadDimsAndCounts) {
  write_bytes(path("zero"), be32(0x00000803) + be32(0) + be32(28) + be32(28));
  EXPECT_TRUE(contains(data_error([&] { load_idx(path("zero")); }), "implausible IDX dim 0 = 0"));
  write_bytes(path("huge"), be32(0x00000803) + be32(1) + be32(100000) + be32(28));
  EXPECT_TRUE(contains(data_error([&] { load_idx(path("huge")); }), "implausible IDX dim 1"));

  write_bytes(path("img"), idx_images(3, 2, 2));
  write_bytes(path("lab"), idx_labels(4));
  const std::string e = data_error([&] { load_idx(path("img"), path("lab")); });
  EXPECT_TRUE(contains(e, "expected 3 labels")) << e;
  EXPECT_TRUE(contains(e, "found 4")) << e;

  EXPECT_TRUE(contains(data_error([&] { load_idx(path("missing")); }), "cannot open IDX file"));
  EXPECT_TRUE(contains(data_error([&] { load_idx(dir_.string()); }), "found a directory"));
}

TEST_F(Idx, FashionMnistFromTheSearchDirectory) {
  write_gz(path("t10k-images-idx3-ubyte.gz"), idx_images(4, 28, 28));
  write_gz(path("t10k-labels-idx1-ubyte.gz"), idx_labels(4));
  ::setenv("CONVT_FASHION_MNIST_DIR", dir_.c_str(), 1);
  const Dataset d = load_fashion_mnist(false);
  ::unsetenv("CONVT_FASHION_MNIST_DIR");
  EXPECT_EQ(d.name, "fashion-mnist-test");
  EXPECT_EQ(d.images.shape(), (std::vector<int64_t>{4, 1, 28, 28}));
  EXPECT_EQ(d.labels, (std::vector<int>{0, 1, 2, 3}));
}

TEST_F(Idx, FashionMnistMissingGivesTheSetupHint) {
  if (fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is installed";
  }
  ::setenv("CONVT_FASHION_MNIST_DIR", dir_.c_str(), 1);
  const std::string e = data_error([] { load_fashion_mnist(true); });
  ::unsetenv("CONVT_FASHION_MNIST_DIR");
  EXPECT_TRUE(contains(e, "train-images-idx3-ubyte.gz")) << e;
  EXPECT_TRUE(contains(e, "scripts/setup.sh --with-fashion-mnist")) << e;
}

// ---------------------------------------------------------------------------------------------
// Image folders

using ImageFolder = TempDir;

TEST_F(ImageFolder, GoodImagesLoadedBadOnesListed) {
  // b.png: 30 x 20 RGB, a gray (200) central 20 x 20 square between white side bands that the
  // central-square crop removes; stb's luminance of (200, 200, 200) is 200.
  std::vector<unsigned char> rgb(30 * 20 * 3, 200);
  for (int y = 0; y < 20; ++y) {
    for (int x = 0; x < 30; ++x) {
      if (x < 5 || x >= 25)
        for (int c = 0; c < 3; ++c) rgb[(y * 30 + x) * 3 + c] = 255;
    }
  }
  ASSERT_TRUE(stbi_write_png(path("b.png").c_str(), 30, 20, 3, rgb.data(), 30 * 3));
  std::vector<unsigned char> gray(8 * 8, 0);
  ASSERT_TRUE(stbi_write_jpg(path("a.JPG").c_str(), 8, 8, 1, gray.data(), 95));
  write_bytes(path("c.png"), "\x89PNG\r\n\x1a\nthis is not really a png");
  write_bytes(path("notes.txt"), "hello");
  fs::create_directory(dir_ / "subfolder");

  const Dataset d = load_image_folder(dir_.string(), 10, 1);
  ASSERT_EQ(d.images.shape(), (std::vector<int64_t>{2, 1, 10, 10}));
  EXPECT_EQ(d.labels, (std::vector<int>{-1, -1}));
  for (int i = 0; i < 100; ++i) {
    EXPECT_NEAR(d.images[i], -1.0f, 2.0f / 127.5f) << "a.JPG (black), pixel " << i;
    EXPECT_FLOAT_EQ(d.images[100 + i], pixel_to_unit(200)) << "b.png (gray), pixel " << i;
  }
  ASSERT_EQ(d.skipped.size(), 2u);
  EXPECT_EQ(d.skipped[0].path, path("c.png"));
  EXPECT_TRUE(contains(d.skipped[0].reason, "cannot decode")) << d.skipped[0].reason;
  EXPECT_EQ(d.skipped[1].path, path("notes.txt"));
  EXPECT_TRUE(contains(d.skipped[1].reason, "not a PNG/JPG")) << d.skipped[1].reason;
}

TEST_F(ImageFolder, RgbKeepsChannels) {
  std::vector<unsigned char> red(4 * 4 * 3, 0);
  for (int i = 0; i < 16; ++i) red[i * 3] = 255;
  ASSERT_TRUE(stbi_write_png(path("red.png").c_str(), 4, 4, 3, red.data(), 4 * 3));
  const Dataset d = load_image_folder(dir_.string(), 2, 3);
  ASSERT_EQ(d.images.shape(), (std::vector<int64_t>{1, 3, 2, 2}));
  EXPECT_FLOAT_EQ(d.images.at(0, 0, 1, 1), 1.0f);
  EXPECT_FLOAT_EQ(d.images.at(0, 1, 1, 1), -1.0f);
  EXPECT_FLOAT_EQ(d.images.at(0, 2, 0, 0), -1.0f);
}

TEST_F(ImageFolder, EmptyOrUnusableFolderIsAnError) {
  std::string e = data_error([&] { load_image_folder(dir_.string(), 20, 1); });
  EXPECT_TRUE(contains(e, dir_.string())) << e;
  EXPECT_TRUE(contains(e, "found none")) << e;
  write_bytes(path("broken.jpg"), "not a jpeg");
  e = data_error([&] { load_image_folder(dir_.string(), 20, 1); });
  EXPECT_TRUE(contains(e, path("broken.jpg"))) << e;
  e = data_error([&] { load_image_folder(path("broken.jpg"), 20, 1); });
  EXPECT_TRUE(contains(e, "not a folder")) << e;
  EXPECT_THROW(load_image_folder(dir_.string(), 20, 2), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Batch sampler

namespace {
Dataset numbered_dataset(int64_t n) {
  Dataset d;
  d.images = Tensor({n, 1, 2, 2});
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < 4; ++j) d.images[i * 4 + j] = static_cast<float>(i);
    d.labels.push_back(static_cast<int>(i % 10));
  }
  d.name = "numbered";
  return d;
}
}  // namespace

TEST(BatchSampler, EachEpochIsAPermutationAndCountsEpochs) {
  const Dataset d = numbered_dataset(103);
  BatchSampler s(d, 10, 42);
  EXPECT_EQ(s.batches_per_epoch(), 10);  // 3 left over each epoch
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    std::set<int64_t> seen;
    for (int64_t b = 0; b < 10; ++b) {
      EXPECT_EQ(s.epoch(), epoch);
      EXPECT_EQ(s.batch_index(), b);
      for (int64_t i : s.next_indices()) {
        EXPECT_TRUE(seen.insert(i).second) << "index " << i << " twice in epoch " << epoch;
      }
    }
    EXPECT_EQ(seen.size(), 100u);
  }
  EXPECT_EQ(s.epoch(), 3);
}

TEST(BatchSampler, DeterministicPerSeedAndResumable) {
  const Dataset d = numbered_dataset(50);
  BatchSampler a(d, 8, 7), b(d, 8, 7), c(d, 8, 8);
  std::vector<std::vector<int64_t>> run;
  for (int i = 0; i < 20; ++i) run.push_back(a.next_indices());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(b.next_indices(), run[static_cast<size_t>(i)]);
  EXPECT_NE(c.next_indices(), run[0]);
  BatchSampler resumed(d, 8, 7);  // 6 batches per epoch: batch 13 is epoch 2, index 1
  resumed.set_position(2, 1);
  for (int i = 13; i < 20; ++i) EXPECT_EQ(resumed.next_indices(), run[static_cast<size_t>(i)]);
  EXPECT_THROW(resumed.set_position(0, 6), std::invalid_argument);
}

TEST(BatchSampler, NextBatchCopiesImagesAndLabels) {
  const Dataset d = numbered_dataset(20);
  BatchSampler by_index(d, 6, 3), by_batch(d, 6, 3);
  Tensor batch;
  std::vector<int> labels;
  for (int step = 0; step < 4; ++step) {
    const std::vector<int64_t> indices = by_index.next_indices();
    const BatchSampler::BatchInfo info = by_batch.next_batch(batch, &labels);
    EXPECT_EQ(info.epoch, step / 3);
    EXPECT_EQ(info.index, step % 3);
    EXPECT_EQ(info.last_in_epoch, step % 3 == 2);
    ASSERT_EQ(batch.shape(), (std::vector<int64_t>{6, 1, 2, 2}));
    for (int b = 0; b < 6; ++b) {
      EXPECT_FLOAT_EQ(batch.at(b, 0, 1, 1), static_cast<float>(indices[static_cast<size_t>(b)]));
      EXPECT_EQ(labels[static_cast<size_t>(b)], indices[static_cast<size_t>(b)] % 10);
    }
  }
  EXPECT_THROW(BatchSampler(d, 21, 0), std::invalid_argument);
  EXPECT_THROW(BatchSampler(d, 0, 0), std::invalid_argument);
}

TEST(BatchSampler, BatchLargerThanTheDatasetSaysHowToFixIt) {
  const Dataset d = numbered_dataset(20);
  try {
    BatchSampler s(d, 21, 0);
    FAIL() << "a batch of 21 from 20 images was accepted";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("found 21"), std::string::npos) << what;
    EXPECT_NE(what.find("Lower the batch size"), std::string::npos) << what;
    EXPECT_NE(what.find("at most 20"), std::string::npos) << what;
  }
}

TEST(UnitToPixel, RoundTripsEveryByte) {
  for (int p = 0; p < 256; ++p) EXPECT_EQ(unit_to_pixel(pixel_to_unit(static_cast<uint8_t>(p))), p);
  EXPECT_EQ(unit_to_pixel(-3.0f), 0);
  EXPECT_EQ(unit_to_pixel(3.0f), 255);
}
