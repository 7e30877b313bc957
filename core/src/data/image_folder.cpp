// A folder of the user's PNG/JPG images -> (N, C, size, size) in [-1, 1].
// Each file: decode with stb_image to C channels (1: luminance, 3: RGB), crop the central square
// (side = min(H, W)), area-resize to size x size (convt/data/resize.h), scale (p - 127.5) / 127.5.
// Transparent pixels (PNGs with alpha, e.g. the emoji) are composited on white first.
#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

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

// stb_image's luminance of an RGB pixel (stbi__compute_y), so a composited RGBA file reads as
// stb would read the same pixels without alpha.
uint8_t luminance(int r, int g, int b) {
  return static_cast<uint8_t>((r * 77 + g * 150 + b * 29) >> 8);
}

// Decodes `path` to 8-bit pixels (h, w, channels). A file with an alpha channel (gray + alpha or
// RGBA) is composited on white: c' = (c a + 255 (255 - a) + 127) / 255, so fully transparent
// pixels become white and opaque ones keep their colour exactly; then reduced to luminance for
// channels 1. Without alpha, stb_image converts directly. Empty on failure (stbi_failure_reason).
std::vector<uint8_t> decode(const std::string& path, int channels, int& w, int& h) {
  int in_file = 0;
  if (!stbi_info(path.c_str(), &w, &h, &in_file)) return {};
  const bool alpha = in_file == 2 || in_file == 4;
  int got = 0;
  unsigned char* raw = stbi_load(path.c_str(), &w, &h, &got, alpha ? 4 : channels);
  if (!raw) return {};
  const size_t count = static_cast<size_t>(w) * h;
  std::vector<uint8_t> out(count * channels);
  if (!alpha) {
    std::copy(raw, raw + count * channels, out.begin());
  } else {
    for (size_t i = 0; i < count; ++i) {
      const int a = raw[i * 4 + 3];
      int rgb[3];
      for (int c = 0; c < 3; ++c) rgb[c] = (raw[i * 4 + c] * a + 255 * (255 - a) + 127) / 255;
      if (channels == 3) {
        for (int c = 0; c < 3; ++c) out[i * 3 + c] = static_cast<uint8_t>(rgb[c]);
      } else {
        out[i] = luminance(rgb[0], rgb[1], rgb[2]);
      }
    }
  }
  stbi_image_free(raw);
  return out;
}

// Decodes, crops and resizes one file into out (C, size, size); "" on success, else the reason.
std::string load_one(float* out, const std::string& path, int size, int channels) {
  int w = 0, h = 0;
  const std::vector<uint8_t> pixels = decode(path, channels, w, h);  // (h, w, channels)
  if (pixels.empty())
    return std::string("cannot decode (stb_image: ") + stbi_failure_reason() + ")";
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
  return "";
}

// Decodes `files` in order into data.images (N, C, size, size); unreadable files go to
// data.skipped. `where` names the source in the error when no file is usable.
Dataset load_image_files(const std::vector<fs::path>& files, int size, int channels,
                         const std::string& where) {
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
    throw DataError(where + ": expected at least one readable .png/.jpg/.jpeg image, found none (" +
                    std::to_string(files.size()) + " files)" + listing);
  }
  data.images = Tensor({n, channels, size, size}, std::move(values));
  data.labels.assign(static_cast<size_t>(n), -1);
  return data;
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

  Dataset data = load_image_files(files, size, channels, dir);
  const std::string folder = fs::path(dir).lexically_normal().filename().string();
  data.name =
      folder.empty() ? fs::path(dir).lexically_normal().parent_path().filename().string() : folder;
  data.description =
      std::to_string(data.size()) + " images from " + dir + ", " + (channels == 1 ? "grayscale" : "RGB") +
      ", " + std::to_string(size) + "x" + std::to_string(size) +
      (data.skipped.empty() ? "" : ", " + std::to_string(data.skipped.size()) + " skipped");
  return data;
}

std::vector<std::string> emoji_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("CONVT_EMOJI_DIR"); env && *env) dirs.emplace_back(env);
  std::string cache;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    cache = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    cache = std::string(home) + "/.cache";
  }
  if (!cache.empty()) {
    dirs.push_back(cache + "/convt-lab/emoji-datasource-twitter-" + kEmojiPackageVersion +
                   "/package/img/twitter/64");
  }
  return dirs;
}

std::string emoji_category_slug(const std::string& category) {
  std::string slug;
  for (const unsigned char c : category) {
    if (std::isalnum(c)) {
      slug += static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

namespace {

// The files of one category, from the package's emoji.json (three folders above the 64x64 PNGs):
// entries with has_img_twitter whose category's slug is `slug`, base images only (no skin-tone
// variants), in the file's order (sort_order). Throws DataError naming emoji.json when it is
// missing or unreadable, and listing the categories when none matches.
std::vector<fs::path> emoji_category_files(const std::string& png_dir, const std::string& slug) {
  const fs::path meta = (fs::path(png_dir) / ".." / ".." / ".." / "emoji.json").lexically_normal();
  std::ifstream in(meta);
  if (!in) {
    throw DataError(meta.string() +
                    ": expected the package's emoji.json (to pick the category '" + slug +
                    "'), found no readable file. Use --data emoji for every image, or fetch the "
                    "whole package with `scripts/setup.sh --with-emoji`");
  }
  nlohmann::json entries;
  try {
    entries = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(meta.string() + ": expected JSON, found a parse error: " + e.what());
  }
  if (!entries.is_array()) {
    throw DataError(meta.string() + ": expected a JSON array of emoji, found " +
                    std::string(entries.type_name()));
  }
  std::vector<fs::path> files;
  std::map<std::string, int> counts;  // slug -> number of images, for the error message
  for (const nlohmann::json& e : entries) {
    if (!e.is_object() || !e.value("has_img_twitter", false)) continue;
    const std::string image = e.value("image", "");
    const std::string category = emoji_category_slug(e.value("category", ""));
    if (image.empty() || category.empty()) continue;
    ++counts[category];
    if (category == slug) files.push_back(fs::path(png_dir) / image);
  }
  if (files.empty()) {
    std::string known;
    for (const auto& [name, count] : counts)
      known += (known.empty() ? "emoji:" : ", emoji:") + name + " (" + std::to_string(count) +
               (count == 1 ? " image)" : " images)");
    throw DataError("emoji category '" + slug + "' has no image in " + meta.string() +
                    "; expected one of: " + known);
  }
  return files;
}

}  // namespace

Dataset load_emoji(int size, int channels, const std::string& category) {
  std::string tried;
  for (const std::string& dir : emoji_search_dirs()) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
      const std::string slug = emoji_category_slug(category);
      Dataset data = slug.empty() ? load_image_folder(dir, size, channels)
                                  : load_image_files(emoji_category_files(dir, slug), size,
                                                     channels, dir);
      data.name = slug.empty() ? "emoji" : "emoji:" + slug;
      data.description = std::to_string(data.size()) +
                         (slug.empty() ? "" : " '" + slug + "'") +
                         " Twemoji images (npm emoji-datasource-twitter " + kEmojiPackageVersion +
                         ", CC BY 4.0), transparency on white, " +
                         (channels == 1 ? "grayscale " : "RGB ") + std::to_string(size) + "x" +
                         std::to_string(size) + ", from " + dir;
      return data;
    }
    tried += "\n  " + dir;
  }
  throw DataError(
      "emoji images not found: expected a folder of the 64x64 PNGs of the npm "
      "package emoji-datasource-twitter; tried:" +
      (tried.empty() ? std::string("\n  (no $HOME or $XDG_CACHE_HOME)") : tried) +
      "\n---> HINT: fetch them with `scripts/setup.sh --with-emoji`, or set "
      "CONVT_EMOJI_DIR");
}

}  // namespace convt
