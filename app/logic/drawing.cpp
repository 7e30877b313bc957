#include "logic/drawing.h"

#include <algorithm>
#include <cmath>

namespace convt::lab {

bool paint_stroke(float* canvas, int rows, int cols, float y0, float x0, float y1, float x1,
                  const Brush& brush) {
  const float outer = std::max(brush.outer, 1e-3f);
  const float inner = std::clamp(brush.inner, 0.0f, outer);
  const float dy = y1 - y0, dx = x1 - x0;
  const float len2 = dy * dy + dx * dx;
  const int r0 = std::max(0, static_cast<int>(std::floor(std::min(y0, y1) - outer)));
  const int r1 = std::min(rows - 1, static_cast<int>(std::ceil(std::max(y0, y1) + outer)));
  const int c0 = std::max(0, static_cast<int>(std::floor(std::min(x0, x1) - outer)));
  const int c1 = std::min(cols - 1, static_cast<int>(std::ceil(std::max(x0, x1) + outer)));
  bool any = false;
  for (int r = r0; r <= r1; ++r) {
    for (int c = c0; c <= c1; ++c) {
      // Distance from the pixel centre to the segment (y0, x0) - (y1, x1).
      const float py = static_cast<float>(r) + 0.5f, px = static_cast<float>(c) + 0.5f;
      float t = len2 > 0.0f ? ((py - y0) * dy + (px - x0) * dx) / len2 : 0.0f;
      t = std::clamp(t, 0.0f, 1.0f);
      const float ey = py - (y0 + t * dy), ex = px - (x0 + t * dx);
      const float d = std::sqrt(ey * ey + ex * ex);
      const float s =
          outer > inner ? std::clamp((outer - d) / (outer - inner), 0.0f, 1.0f) : (d <= outer);
      if (s <= 0.0f) continue;
      float& v = canvas[r * cols + c];
      const float nv = brush.erase ? std::min(v, 1.0f - 2.0f * s) : std::max(v, -1.0f + 2.0f * s);
      if (nv != v) {
        v = nv;
        any = true;
      }
    }
  }
  return any;
}

}  // namespace convt::lab
