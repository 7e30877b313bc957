#include "gfx/rgb_texture.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace convt::gfx {

RgbTexture::~RgbTexture() {
  if (texture_ != 0) glDeleteTextures(1, &texture_);
}

void RgbTexture::upload(const Image8& image) {
  if (image.width < 1 || image.height < 1 || (image.channels != 1 && image.channels != 3)) {
    throw std::invalid_argument(
        "RgbTexture::upload: expected a non-empty image with 1 or 3 "
        "channels, found " +
        std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
        std::to_string(image.channels));
  }
  std::vector<uint8_t> rgba(static_cast<size_t>(image.width) * image.height * 4, 255);
  for (size_t i = 0; i < static_cast<size_t>(image.width) * image.height; ++i) {
    for (int c = 0; c < 3; ++c) {
      rgba[i * 4 + c] = image.pixels[i * image.channels + (image.channels == 3 ? c : 0)];
    }
  }
  if (texture_ == 0) glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, image.width, image.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
               rgba.data());
  glBindTexture(GL_TEXTURE_2D, 0);
  width_ = image.width;
  height_ = image.height;
}

}  // namespace convt::gfx
