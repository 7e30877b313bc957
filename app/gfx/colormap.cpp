#include "gfx/colormap.h"

#include <algorithm>
#include <cmath>

namespace convt::gfx {

const Rgb kRdbuR[kRdbuStopCount] = {
    {5 / 255.f, 48 / 255.f, 97 / 255.f},     {33 / 255.f, 102 / 255.f, 172 / 255.f},
    {67 / 255.f, 147 / 255.f, 195 / 255.f},  {146 / 255.f, 197 / 255.f, 222 / 255.f},
    {209 / 255.f, 229 / 255.f, 240 / 255.f}, {247 / 255.f, 247 / 255.f, 247 / 255.f},
    {253 / 255.f, 219 / 255.f, 199 / 255.f}, {244 / 255.f, 165 / 255.f, 130 / 255.f},
    {214 / 255.f, 96 / 255.f, 77 / 255.f},   {178 / 255.f, 24 / 255.f, 43 / 255.f},
    {103 / 255.f, 0 / 255.f, 31 / 255.f},
};

float diverging_position(float v, float vmin, float vmax) {
  if (v < 0.0f) {
    float neg = std::max(-vmin, 1e-30f);
    return 0.5f - 0.5f * std::clamp(-v / neg, 0.0f, 1.0f);
  }
  float pos = std::max(vmax, 1e-30f);
  return 0.5f + 0.5f * std::clamp(v / pos, 0.0f, 1.0f);
}

Rgb colormap_rgb(Colormap colormap, float v, float vmin, float vmax) {
  if (std::isnan(v)) return {1.0f, 0.0f, 1.0f};
  if (colormap == Colormap::kGray) {
    float span = std::max(vmax - vmin, 1e-30f);
    float g = std::clamp((v - vmin) / span, 0.0f, 1.0f);
    return {g, g, g};
  }
  float x = diverging_position(v, vmin, vmax) * 10.0f;
  int i = std::min(static_cast<int>(std::floor(x)), 9);
  float f = x - static_cast<float>(i);
  const Rgb& a = kRdbuR[i];
  const Rgb& b = kRdbuR[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

float luminance(Rgb c) { return 0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b; }

float symmetric_limit(const float* values, size_t count) {
  float limit = 0.0f;
  for (size_t i = 0; i < count; ++i) {
    if (std::isfinite(values[i])) limit = std::max(limit, std::fabs(values[i]));
  }
  return limit > 0.0f ? limit : 1.0f;
}

}  // namespace convt::gfx
