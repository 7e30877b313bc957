// PNG grids (decoded back with stb_image) and the CSV log writer.
#include <gtest/gtest.h>
#include <stb_image.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "convt/data/dataset.h"
#include "convt/io/csv.h"
#include "convt/io/png.h"

namespace fs = std::filesystem;
using namespace convt;

namespace {

class Files : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("convt_test_png_csv_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

}  // namespace

TEST_F(Files, PngGridLayoutAndValues) {
  // 3 gray images 2x2: image k filled with -1 + k (-1, 0, 1) -> bytes 0, 128, 255.
  Tensor images({3, 1, 2, 2});
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 4; ++i) images[k * 4 + i] = -1.0f + k;
  write_png_grid(path("grid.png"), images, 2, 3, 1);  // 2 cols, 2 rows, tiles 6x6, 1px padding
  EXPECT_EQ(std::vector<fs::path>(fs::directory_iterator(dir_), {}).size(), 1u);  // no temp left

  int w = 0, h = 0, c = 0;
  unsigned char* px = stbi_load(path("grid.png").c_str(), &w, &h, &c, 0);
  ASSERT_NE(px, nullptr) << stbi_failure_reason();
  EXPECT_EQ(w, 2 * 6 + 3);
  EXPECT_EQ(h, 2 * 6 + 3);
  EXPECT_EQ(c, 1);
  auto at = [&](int x, int y) { return static_cast<int>(px[y * w + x]); };
  EXPECT_EQ(at(0, 0), 0);          // padding
  EXPECT_EQ(at(1 + 7, 1), 128);    // image 1: row 0, col 1
  EXPECT_EQ(at(1 + 5, 1 + 5), 0);  // image 0's last pixel (value -1)
  EXPECT_EQ(at(1, 1 + 7), 255);    // image 2: row 1, col 0
  EXPECT_EQ(at(1 + 7, 1 + 7), 0);  // empty cell stays black
  stbi_image_free(px);
}

TEST_F(Files, PngGridRgbAndBadArguments) {
  Tensor rgb({1, 3, 1, 1}, std::vector<float>{1.0f, -1.0f, 0.0f});
  const Image8 img = make_image_grid(rgb, 4, 1, 0);
  EXPECT_EQ(img.width, 1);
  EXPECT_EQ(img.channels, 3);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{255, 0, 128}));
  EXPECT_THROW(make_image_grid(Tensor({1, 2, 4, 4}), 1), std::invalid_argument);
  EXPECT_THROW(make_image_grid(Tensor({0, 1, 4, 4}), 1), std::invalid_argument);
  EXPECT_THROW(make_image_grid(Tensor({1, 1, 4, 4}), 0), std::invalid_argument);
  EXPECT_THROW(write_png_grid(path("missing_dir/x.png"), Tensor({1, 1, 2, 2}), 1),
               std::runtime_error);
}

TEST_F(Files, CsvWritesHeaderRowsAndQuotes) {
  {
    CsvWriter csv(path("log.csv"), {"step", "loss_G", "note"});
    csv.write_row(std::vector<std::string>{"1", "0.5", "a, \"b\""});
    csv.write_row(std::vector<double>{2, 0.1f, 3});
    EXPECT_THROW(csv.write_row(std::vector<double>{1, 2}), std::invalid_argument);
  }
  EXPECT_EQ(read(path("log.csv")), "step,loss_G,note\n1,0.5,\"a, \"\"b\"\"\"\n2,0.100000001,3\n");
}

TEST_F(Files, CsvAppendKeepsRowsAndChecksTheHeader) {
  { CsvWriter(path("log.csv"), {"step", "loss"}).write_row(std::vector<double>{1, 2}); }
  { CsvWriter(path("log.csv"), {"step", "loss"}, true).write_row(std::vector<double>{3, 4}); }
  EXPECT_EQ(read(path("log.csv")), "step,loss\n1,2\n3,4\n");
  EXPECT_THROW(CsvWriter(path("log.csv"), {"step", "other"}, true), std::runtime_error);
  { CsvWriter(path("new.csv"), {"a"}, true).write_row(std::vector<double>{1}); }
  EXPECT_EQ(read(path("new.csv")), "a\n1\n");
  EXPECT_THROW(CsvWriter(path("no_dir/x.csv"), {"a"}), std::runtime_error);
}
