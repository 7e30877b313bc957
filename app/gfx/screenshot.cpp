#include "gfx/screenshot.h"

#include <glad/gl.h>
#include <stb_image_write.h>  // implementation in libstb: do not define STB_IMAGE_WRITE_IMPLEMENTATION

#include <algorithm>
#include <stdexcept>

#include "convt/io/atomic_file.h"

namespace convt::gfx {

void flip_rows(std::vector<uint8_t>& pixels, int row_bytes, int height) {
  for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom) {
    std::swap_ranges(pixels.begin() + static_cast<ptrdiff_t>(top) * row_bytes,
                     pixels.begin() + static_cast<ptrdiff_t>(top + 1) * row_bytes,
                     pixels.begin() + static_cast<ptrdiff_t>(bottom) * row_bytes);
  }
}

std::string encode_png_rgb(const std::vector<uint8_t>& rgb, int width, int height) {
  if (width < 1 || height < 1 || rgb.size() != static_cast<size_t>(width) * height * 3) {
    throw std::runtime_error("encode_png_rgb: expected " + std::to_string(width) + "x" +
                             std::to_string(height) + " RGB pixels, found " +
                             std::to_string(rgb.size()) + " bytes");
  }
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<size_t>(size));
  };
  if (stbi_write_png_to_func(append, &png, width, height, 3, rgb.data(), width * 3) == 0) {
    throw std::runtime_error("encode_png_rgb: stb_image_write failed");
  }
  return png;
}

void save_back_buffer_png(const std::string& path, int width, int height) {
  std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
  GLint last_pack_alignment = 0;
  glGetIntegerv(GL_PACK_ALIGNMENT, &last_pack_alignment);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, rgb.data());
  glPixelStorei(GL_PACK_ALIGNMENT, last_pack_alignment);
  if (GLenum error = glGetError(); error != GL_NO_ERROR) {
    throw std::runtime_error("screenshot " + path + ": glReadPixels failed (GL error " +
                             std::to_string(error) + ")");
  }
  flip_rows(rgb, width * 3, height);
  write_file_atomic(path, encode_png_rgb(rgb, width, height));
}

}  // namespace convt::gfx
