// The heatmap colour maps, on the CPU: the same numbers as shaders/heatmap.frag, for choosing a
// readable text colour on each cell and for testing the shader against.
//
//   Colormap::kDiverging  signed values, centred on zero: blue (negative), white (zero), red
//                         (positive): ColorBrewer's RdBu reversed, matplotlib's "RdBu_r".
//                         Zero is always white; negatives are scaled by |vmin|, positives by vmax
//                         (matplotlib's TwoSlopeNorm), so a symmetric range is plain linear.
//   Colormap::kGray       vmin black, vmax white, linear.
// NaN is magenta in both.
#pragma once

#include <cstddef>

namespace convt::gfx {

enum class Colormap : int { kDiverging = 0, kGray = 1 };  // values of the shader's u_colormap

struct Rgb {
  float r = 0, g = 0, b = 0;  // sRGB, 0..1
};

// The 11 ColorBrewer RdBu classes, reversed (dark blue first), in sRGB / 255.
// Source: Cynthia Brewer, colorbrewer2.org, "RdBu" 11-class diverging scheme.
inline constexpr int kRdbuStopCount = 11;
extern const Rgb kRdbuR[kRdbuStopCount];

// Where v falls on the diverging colour axis, 0..1: vmin -> 0, zero -> 0.5, vmax -> 1, clamped.
float diverging_position(float v, float vmin, float vmax);

// The colour of value v, as the shader computes it.
Rgb colormap_rgb(Colormap colormap, float v, float vmin, float vmax);

// Relative luminance (Rec. 709 weights on the sRGB values; good enough to pick black or white
// text).
float luminance(Rgb c);

// max |v| over the values, or 1 if they are all zero (or count is 0): the symmetric range
// [-limit, +limit] to show signed data with.
float symmetric_limit(const float* values, size_t count);

}  // namespace convt::gfx
