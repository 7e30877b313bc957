// A folder of the user's PNG/JPG images -> (N, C, size, size) in [-1, 1].
// Each file: decode with stb_image to C channels (1: luminance, 3: RGB), crop the central square
// (side = min(H, W)), area-resize to size x size (convt/data/resize.h), scale (p - 127.5) / 127.5.
#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "convt/data/dataset.h"
#include "convt/data/resize.h"

namespace convt {

namespace {

namespace fs = std::filesystem;

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

// Decodes, crops and resizes one file into out (C, size, size); "" on success, else the reason.
std::string load_one(float* out, const std::string& path, int size, int channels) {
  int w = 0, h = 0, channels_in_file = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &channels_in_file, channels);
  if (!pixels) return std::string("cannot decode (stb_image: ") + stbi_failure_reason() + ")";
  const int side = std::min(w, h);
  const int x0 = (w - side) / 2, y0 = (h - side) / 2;
  std::vector<float> plane(static_cast<size_t>(side) * side);  // (side, side), one channel
  for (int c = 0; c < channels; ++c) {
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        const size_t at = (static_cast<size_t>(y0 + y) * w + (x0 + x)) * channels + c;
        plane[static_cast<size_t>(y) * side + x] = static_cast<float>(pixels[at]);
      }
    }
    float* dst = out + static_cast<int64_t>(c) * size * size;
    area_resize_plane(dst, plane.data(), side, side, size, size);
    for (int i = 0; i < size * size; ++i) dst[i] = (dst[i] - 127.5f) / 127.5f;
  }
  stbi_image_free(pixels);
  return "";
}

}  // namespace

Dataset load_image_folder(const std::string& dir, int size, int channels) {
  if (size < 1 || (channels != 1 && channels != 3)) {
    throw std::invalid_argument(
        "load_image_folder: expected size >= 1 and channels 1 or 3, found "
        "size " +
        std::to_string(size) + ", channels " + std::to_string(channels));
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw DataError(
        dir + ": expected a folder of PNG/JPG images, found " +
        (fs::exists(dir, ec) ? "a file that is not a folder" : "nothing (no such path)"));
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) throw DataError(dir + ": cannot list the folder (" + ec.message() + ")");
  std::sort(files.begin(), files.end());

  Dataset data;
  std::vector<float> values;  // (N, C, size, size), grown image by image
  const size_t per_image = static_cast<size_t>(channels) * size * size;
  int64_t n = 0;
  for (const fs::path& file : files) {
    if (!has_image_extension(file)) {
      data.skipped.push_back({file.string(), "not a PNG/JPG file (by its extension)"});
      continue;
    }
    values.resize(per_image * static_cast<size_t>(n + 1));
    const std::string reason =
        load_one(values.data() + per_image * n, file.string(), size, channels);
    if (!reason.empty()) {
      data.skipped.push_back({file.string(), reason});
      continue;
    }
    ++n;
  }
  values.resize(per_image * static_cast<size_t>(n));
  if (n == 0) {
    std::string listing;
    for (const SkippedFile& s : data.skipped) listing += "\n  " + s.path + ": " + s.reason;
    throw DataError(dir + ": expected at least one readable .png/.jpg/.jpeg image, found none (" +
                    std::to_string(files.size()) + " files)" + listing);
  }
  data.images = Tensor({n, channels, size, size}, std::move(values));
  data.labels.assign(static_cast<size_t>(n), -1);
  const std::string folder = fs::path(dir).lexically_normal().filename().string();
  data.name =
      folder.empty() ? fs::path(dir).lexically_normal().parent_path().filename().string() : folder;
  data.description =
      std::to_string(n) + " images from " + dir + ", " + (channels == 1 ? "grayscale" : "RGB") +
      ", " + std::to_string(size) + "x" + std::to_string(size) +
      (data.skipped.empty() ? "" : ", " + std::to_string(data.skipped.size()) + " skipped");
  return data;
}

}  // namespace convt
