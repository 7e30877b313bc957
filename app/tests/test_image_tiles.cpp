// tile_images (app/logic/image_tiles.h): a batch of images laid out as one grid.
#include <gtest/gtest.h>

#include "logic/image_tiles.h"

namespace {

TEST(ImageTiles, LaysOutRowMajorWithPadding) {
  // 3 images of 2x2, each filled with its index: 2 columns -> 2 rows of tiles.
  convt::Tensor images({3, 1, 2, 2});
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) images.data()[i * 4 + j] = static_cast<float>(i);
  }
  const convt::lab::TiledImage t = convt::lab::tile_images(images, 2, 1, -1.0f);
  ASSERT_EQ(t.rows, 2 * 2 + 3);
  ASSERT_EQ(t.cols, 2 * 2 + 3);
  auto at = [&](int r, int c) { return t.values[static_cast<size_t>(r) * t.cols + c]; };
  EXPECT_EQ(at(0, 0), -1.0f);  // padding
  EXPECT_EQ(at(1, 1), 0.0f);   // image 0
  EXPECT_EQ(at(2, 2), 0.0f);
  EXPECT_EQ(at(1, 4), 1.0f);   // image 1, right of image 0
  EXPECT_EQ(at(4, 1), 2.0f);   // image 2, second row
  EXPECT_EQ(at(4, 4), -1.0f);  // the empty fourth tile stays padding
}

TEST(ImageTiles, EmptyForNoImages) {
  EXPECT_TRUE(convt::lab::tile_images(convt::Tensor(), 8).values.empty());
}

}  // namespace
