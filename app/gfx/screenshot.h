// Saving what the window shows as a PNG: glReadPixels of the back buffer, rows flipped (GL's
// row 0 is the bottom, PNG's the top), encoded by stb_image_write, written to a temp name and
// renamed (convt::write_file_atomic), so a failed run never leaves half a PNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convt::gfx {

// Reverses the order of `height` rows of `row_bytes` bytes each, in place.
void flip_rows(std::vector<uint8_t>& pixels, int row_bytes, int height);

// Encodes RGB8 pixels (row 0 at the top) as PNG bytes. Throws std::runtime_error on failure.
std::string encode_png_rgb(const std::vector<uint8_t>& rgb, int width, int height);

// Reads the current context's back buffer (width x height, RGB) and writes it to `path` as PNG.
// Call after rendering the frame and before swapping buffers. Throws std::runtime_error naming
// the path on failure.
void save_back_buffer_png(const std::string& path, int width, int height);

}  // namespace convt::gfx
