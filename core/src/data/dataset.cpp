// Dataset helpers and the shuffled batch sampler.
#include "convt/data/dataset.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "convt/data/resize.h"

namespace convt {

uint8_t unit_to_pixel(float x) {
  const float p = std::round(x * 127.5f + 127.5f);
  if (!(p > 0.0f)) return 0;  // also NaN
  return p >= 255.0f ? 255 : static_cast<uint8_t>(p);
}

Dataset resized(const Dataset& data, int size) {
  Dataset out = data;
  out.images = area_resize(data.images, size, size);
  if (size != data.height() || size != data.width()) {
    out.name += "@" + std::to_string(size);
    out.description += ", area-resized to " + std::to_string(size) + "x" + std::to_string(size);
  }
  return out;
}

Dataset load_dataset(const std::string& spec, int size, int channels) {
  if (spec == "digits") {
    if (size == 28 || size == 20) return load_builtin_digits(size);
    return resized(load_builtin_digits(28), size);
  }
  if (spec == "fashion-mnist") return resized(load_fashion_mnist(true), size);
  if (spec == "emoji") return load_emoji(size, channels);
  if (spec.rfind("emoji:", 0) == 0) {
    const std::string category = spec.substr(6);
    if (emoji_category_slug(category).empty()) {
      throw DataError("dataset '" + spec +
                      "': expected a category after 'emoji:' (for example "
                      "emoji:smileys-emotion), found none");
    }
    return load_emoji(size, channels, category);
  }
  struct stat st {};
  if (::stat(spec.c_str(), &st) != 0) {
    throw DataError("dataset '" + spec +
                    "': expected 'digits', 'fashion-mnist', 'emoji', 'emoji:CATEGORY', a folder of "
                    "PNG/JPG images or an IDX images file, found no such path");
  }
  if (S_ISDIR(st.st_mode)) return load_image_folder(spec, size, channels);
  return resized(load_idx(spec), size);
}

BatchSampler::BatchSampler(const Dataset& data, int64_t batch_size, uint64_t seed)
    : data_(&data), batch_size_(batch_size), seed_(seed) {
  if (batch_size < 1 || batch_size > data.size()) {
    throw std::invalid_argument(
        "BatchSampler: expected 1 <= batch_size <= " + std::to_string(data.size()) +
        " (the number of images in the dataset " + data.name + "), found " +
        std::to_string(batch_size) +
        (batch_size > data.size()
             ? ". Lower the batch size (--batch, or Batch in the dashboard) to at most " +
                   std::to_string(data.size()) + ", or add images to the dataset."
             : ""));
  }
  batches_per_epoch_ = data.size() / batch_size;
  shuffle_for_epoch();
}

void BatchSampler::shuffle_for_epoch() {
  const int64_t n = data_->size();
  order_.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order_[static_cast<size_t>(i)] = i;
  Rng rng(seed_ + static_cast<uint64_t>(epoch_) * 0x9E3779B97F4A7C15ull);
  for (int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates: swap i with a uniform j in [0, i]
    const int64_t j = static_cast<int64_t>(rng.below(static_cast<uint64_t>(i + 1)));
    std::swap(order_[static_cast<size_t>(i)], order_[static_cast<size_t>(j)]);
  }
}

void BatchSampler::set_position(int64_t epoch, int64_t batch_index) {
  if (epoch < 0 || batch_index < 0 || batch_index >= batches_per_epoch_) {
    throw std::invalid_argument(
        "BatchSampler::set_position: expected epoch >= 0 and batch index "
        "in [0, " +
        std::to_string(batches_per_epoch_) + "), found epoch " + std::to_string(epoch) +
        ", index " + std::to_string(batch_index));
  }
  const bool reshuffle = epoch != epoch_;
  epoch_ = epoch;
  index_ = batch_index;
  if (reshuffle) shuffle_for_epoch();
}

std::vector<int64_t> BatchSampler::next_indices() {
  const auto first = order_.begin() + index_ * batch_size_;
  std::vector<int64_t> indices(first, first + batch_size_);
  if (++index_ == batches_per_epoch_) {
    index_ = 0;
    ++epoch_;
    shuffle_for_epoch();
  }
  return indices;
}

BatchSampler::BatchInfo BatchSampler::next_batch(Tensor& out, std::vector<int>* labels) {
  const BatchInfo info{epoch_, index_, index_ + 1 == batches_per_epoch_};
  const std::vector<int64_t> indices = next_indices();
  const Tensor& images = data_->images;  // (N, C, H, W)
  const std::vector<int64_t> shape = {batch_size_, images.dim(1), images.dim(2), images.dim(3)};
  if (out.shape() != shape) out.resize(shape);  // (B, C, H, W)
  const int64_t per_image = images.dim(1) * images.dim(2) * images.dim(3);
  for (int64_t b = 0; b < batch_size_; ++b) {
    std::memcpy(out.data() + b * per_image,
                images.data() + indices[static_cast<size_t>(b)] * per_image,
                sizeof(float) * static_cast<size_t>(per_image));
  }
  if (labels) {
    labels->resize(static_cast<size_t>(batch_size_));
    for (int64_t b = 0; b < batch_size_; ++b) {
      const int64_t i = indices[static_cast<size_t>(b)];
      (*labels)[static_cast<size_t>(b)] = i < static_cast<int64_t>(data_->labels.size())
                                              ? data_->labels[static_cast<size_t>(i)]
                                              : -1;
    }
  }
  return info;
}

}  // namespace convt
