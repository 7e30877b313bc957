// An RGB image (convt::Image8, e.g. make_image_grid of a batch of RGB samples) as a GL texture
// for ImGui::Image: the heatmap renderer colours one float per cell, so colour images need their
// own texture. Nearest filtering, so pixels stay square when scaled up.
//
// Needs a current OpenGL 3.3 core context with glad loaded, on the thread that owns it; destroy
// the texture before the context.
#pragma once

#include <glad/gl.h>

#include "convt/io/png.h"

namespace convt::gfx {

class RgbTexture {
 public:
  RgbTexture() = default;
  ~RgbTexture();
  RgbTexture(const RgbTexture&) = delete;
  RgbTexture& operator=(const RgbTexture&) = delete;

  // Uploads `image` (1 or 3 channels; gray is shown as gray). Throws std::invalid_argument for
  // an empty image or another channel count.
  void upload(const Image8& image);
  GLuint id() const { return texture_; }
  int width() const { return width_; }
  int height() const { return height_; }
  bool empty() const { return texture_ == 0; }

 private:
  GLuint texture_ = 0;
  int width_ = 0, height_ = 0;
};

}  // namespace convt::gfx
