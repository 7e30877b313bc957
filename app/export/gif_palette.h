// The GIF palette of exported animations: one fixed set of 255 colours for every frame, so a
// cell keeps its colour from frame to frame and unchanged pixels can be left transparent.
//
//   index   0 ..  80  the diverging colour map (gfx/colormap.h, matplotlib's RdBu_r): its 11
//                     ColorBrewer stops exact, 7 evenly spaced colours between each pair; entry
//                     40 is the centre, zero's (247, 247, 247), exact
//          81 .. 144  64 greys 0 .. 255 (the grey colour map, text on any background)
//         145 .. 152  the stepper's highlights (current, footprint, selected, output padding,
//                     argmax), NaN magenta, the dark theme's window background
//         153 .. 252  a 5 x 5 x 4 RGB cube, for everything else (buttons, sample images)
//         253 .. 254  unused (black)
//         255         transparent: "same as the previous frame"
// A colour in the palette maps to itself; any other to the nearest entry (squared distance
// weighted 2, 4, 3 for R, G, B), without dithering, so flat cells stay flat.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace convt::exporting {

struct Rgb8 {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb8& o) const { return r == o.r && g == o.g && b == o.b; }
};

class GifPalette {
 public:
  static constexpr int kSize = 256;
  static constexpr uint8_t kTransparent = 255;
  static constexpr int kDivergingFirst = 0, kDivergingCount = 81, kDivergingCentre = 40;
  static constexpr int kGreyFirst = 81, kGreyCount = 64;

  GifPalette();

  const std::array<Rgb8, kSize>& colours() const { return colours_; }
  // The palette index of an RGB colour (never kTransparent). O(1) after its first lookup.
  uint8_t index_of(Rgb8 c);
  // Maps `count` RGB8 pixels (3 bytes each) to indices.
  void map(const uint8_t* rgb, size_t count, uint8_t* indices);

 private:
  uint8_t nearest(Rgb8 c) const;
  std::array<Rgb8, kSize> colours_{};
  std::vector<uint8_t> cache_;  // 2^24 entries: the index of colour (r << 16 | g << 8 | b)
  std::vector<uint8_t> known_;  // 2^24 bits: whether cache_ holds that colour's index yet
};

}  // namespace convt::exporting
