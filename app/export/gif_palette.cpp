#include "export/gif_palette.h"

#include <algorithm>
#include <limits>

namespace convt::exporting {

namespace {

// gfx/colormap.cpp's kRdbuR in 0..255 (the shader's stops, ColorBrewer RdBu reversed).
constexpr uint8_t kStops[11][3] = {{5, 48, 97},     {33, 102, 172},  {67, 147, 195},
                                   {146, 197, 222}, {209, 229, 240}, {247, 247, 247},
                                   {253, 219, 199}, {244, 165, 130}, {214, 96, 77},
                                   {178, 24, 43},   {103, 0, 31}};
constexpr int kStepsPerSegment = 8;

uint8_t lerp(uint8_t a, uint8_t b, int i, int n) {
  return static_cast<uint8_t>((a * (n - i) + b * i + n / 2) / n);
}

}  // namespace

GifPalette::GifPalette() : cache_(size_t{1} << 24), known_((size_t{1} << 24) / 8) {
  int n = 0;
  for (int j = 0; j < kDivergingCount; ++j) {
    const int s = std::min(j / kStepsPerSegment, 9), i = j - s * kStepsPerSegment;
    const uint8_t* a = kStops[s];
    const uint8_t* b = kStops[s + 1];
    colours_[n++] = {lerp(a[0], b[0], i, kStepsPerSegment), lerp(a[1], b[1], i, kStepsPerSegment),
                     lerp(a[2], b[2], i, kStepsPerSegment)};
  }
  for (int j = 0; j < kGreyCount; ++j) {
    const auto v = static_cast<uint8_t>((j * 255 + (kGreyCount - 1) / 2) / (kGreyCount - 1));
    colours_[n++] = {v, v, v};
  }
  // app/panels/stepper.cpp's highlight colours, NaN, the dark theme's window and menu bar.
  for (Rgb8 c : {Rgb8{255, 214, 0}, Rgb8{255, 150, 40}, Rgb8{60, 230, 120}, Rgb8{90, 200, 255},
                 Rgb8{255, 80, 200}, Rgb8{255, 0, 255}, Rgb8{28, 31, 36}, Rgb8{38, 41, 48}}) {
    colours_[n++] = c;
  }
  for (int r = 0; r < 5; ++r)
    for (int g = 0; g < 5; ++g)
      for (int b = 0; b < 4; ++b) {
        colours_[n++] = {static_cast<uint8_t>(r * 255 / 4), static_cast<uint8_t>(g * 255 / 4),
                         static_cast<uint8_t>(b * 255 / 3)};
      }
  // 253, 254 stay black; 255 is the transparent key (its colour is never chosen: nearest()
  // skips it).
}

uint8_t GifPalette::nearest(Rgb8 c) const {
  int best = 0;
  int best_distance = std::numeric_limits<int>::max();
  for (int i = 0; i < kSize; ++i) {
    if (i == kTransparent) continue;
    const int dr = c.r - colours_[i].r, dg = c.g - colours_[i].g, db = c.b - colours_[i].b;
    const int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
    if (d < best_distance) {  // the first of equals: a colour listed twice keeps its first index
      best_distance = d;
      best = i;
      if (d == 0) break;
    }
  }
  return static_cast<uint8_t>(best);
}

uint8_t GifPalette::index_of(Rgb8 c) {
  const uint32_t key = static_cast<uint32_t>(c.r) << 16 | static_cast<uint32_t>(c.g) << 8 | c.b;
  const uint8_t bit = static_cast<uint8_t>(1u << (key & 7));
  if (!(known_[key >> 3] & bit)) {
    cache_[key] = nearest(c);
    known_[key >> 3] |= bit;
  }
  return cache_[key];
}

void GifPalette::map(const uint8_t* rgb, size_t count, uint8_t* indices) {
  for (size_t i = 0; i < count; ++i, rgb += 3) indices[i] = index_of({rgb[0], rgb[1], rgb[2]});
}

}  // namespace convt::exporting
