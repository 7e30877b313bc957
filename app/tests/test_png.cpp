// The screenshot's pixel path without a display: rows flipped, PNG encoded, decoded back equal.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb

#include <cstdint>
#include <vector>

#include "gfx/screenshot.h"

namespace {

TEST(Screenshot, FlipRowsReversesRows) {
  std::vector<uint8_t> p = {1, 2, 3, 4, 5, 6, 7, 8, 9};  // 3 rows of 3 bytes
  convt::gfx::flip_rows(p, 3, 3);
  EXPECT_EQ(p, (std::vector<uint8_t>{7, 8, 9, 4, 5, 6, 1, 2, 3}));
  convt::gfx::flip_rows(p, 3, 3);
  EXPECT_EQ(p, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  std::vector<uint8_t> even = {1, 2, 3, 4};  // 2 rows of 2
  convt::gfx::flip_rows(even, 2, 2);
  EXPECT_EQ(even, (std::vector<uint8_t>{3, 4, 1, 2}));
}

TEST(Screenshot, PngRoundTrip) {
  const int w = 5, h = 3;
  std::vector<uint8_t> rgb(static_cast<size_t>(w * h * 3));
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 7);
  const std::string png = convt::gfx::encode_png_rgb(rgb, w, h);
  int dw = 0, dh = 0, channels = 0;
  unsigned char* decoded =
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()),
                            static_cast<int>(png.size()), &dw, &dh, &channels, 3);
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(dw, w);
  EXPECT_EQ(dh, h);
  EXPECT_EQ(std::vector<uint8_t>(decoded, decoded + rgb.size()), rgb);
  stbi_image_free(decoded);
}

TEST(Screenshot, EncodeRefusesWrongSizes) {
  std::vector<uint8_t> rgb(10);
  EXPECT_THROW(convt::gfx::encode_png_rgb(rgb, 2, 2), std::runtime_error);
  EXPECT_THROW(convt::gfx::encode_png_rgb(rgb, 0, 0), std::runtime_error);
}

}  // namespace
