// im2col / col2im and the layout shuffles around the GEMMs (see fast/parallel.h for the legend).
//
// The naive kernels visit (n, c, y, x, ky, kx) in nested loops and test every tap against the
// image border. Here each kernel tap (c, ky, kx) is one row of `cols`; for a given tap and grid
// row gy, the grid columns gx whose pixel lies inside the image form one contiguous range
// [gx_begin, gx_end), computed once, so the inner loops have no branch.
#include <algorithm>
#include <cstring>

#include "fast/parallel.h"

namespace convt::fast::detail {

namespace {

// The grid positions g in [0, grid) with 0 <= g*S + offset < image, as [begin, end).
struct Span {
  int begin = 0;
  int end = 0;
};
Span inside_span(int grid, int image, int S, int offset) {
  // g*S + offset >= 0            <=> g >= ceil(-offset / S)
  // g*S + offset <= image - 1    <=> g <= floor((image - 1 - offset) / S)
  int begin = offset >= 0 ? 0 : (-offset + S - 1) / S;
  int last = image - 1 - offset;
  int end = last < 0 ? 0 : last / S + 1;
  begin = std::min(begin, grid);
  end = std::clamp(end, begin, grid);
  return {begin, end};
}

}  // namespace

void im2col(float* cols, const float* image, int B, const Lowering& g) {
  const int64_t grid = g.grid_size(), ncols = B * grid, image_size = g.image_size();
  const int kk = g.kH * g.kW;
  if (g.stride.w == 1 && g.W_grid >= 16) {
    // Rows of the grid read contiguous runs of the image: copy run by run.
    parallel_for(g.rows(), ncols, [&](int64_t r_begin, int64_t r_end) {
      for (int64_t r = r_begin; r < r_end; ++r) {
        const int c = static_cast<int>(r / kk), ky = static_cast<int>(r % kk) / g.kW,
                  kx = static_cast<int>(r % g.kW);
        const int y_offset = ky * g.dilation.h - g.padding.h;
        const int x_offset = kx * g.dilation.w - g.padding.w;
        const Span ys = inside_span(g.H_grid, g.H_img, g.stride.h, y_offset);
        const Span xs = inside_span(g.W_grid, g.W_img, 1, x_offset);
        const int W_grid = g.W_grid;
        float* row = cols + r * ncols;  // (B, H_grid, W_grid)
        for (int b = 0; b < B; ++b) {
          const float* plane = image + (static_cast<int64_t>(b) * g.C + c) * image_size;
          float* dst = row + static_cast<int64_t>(b) * grid;  // (H_grid, W_grid)
          std::fill(dst, dst + static_cast<int64_t>(ys.begin) * W_grid, 0.0f);
          for (int gy = ys.begin; gy < ys.end; ++gy) {
            float* d = dst + static_cast<int64_t>(gy) * W_grid;
            const float* src = plane + static_cast<int64_t>(gy * g.stride.h + y_offset) * g.W_img;
            for (int gx = 0; gx < xs.begin; ++gx) d[gx] = 0.0f;
            for (int gx = xs.begin; gx < xs.end; ++gx) d[gx] = src[gx + x_offset];
            for (int gx = xs.end; gx < W_grid; ++gx) d[gx] = 0.0f;
          }
          std::fill(dst + static_cast<int64_t>(ys.end) * W_grid, dst + grid, 0.0f);
        }
      }
    });
    return;
  }
  // Strided or narrow grids: the runs are a few pixels long, so look each grid position up in a
  // table, per kernel tap, of the pixel it reads (-1 in the padding). About 1.5x faster here.
  thread_local std::vector<int> table;  // (kH*kW, H_grid*W_grid)
  table.resize(static_cast<size_t>(kk * grid));
  for (int tap = 0; tap < kk; ++tap) {
    const int y_offset = (tap / g.kW) * g.dilation.h - g.padding.h;
    const int x_offset = (tap % g.kW) * g.dilation.w - g.padding.w;
    int* t = table.data() + tap * grid;
    for (int gy = 0; gy < g.H_grid; ++gy) {
      const int iy = gy * g.stride.h + y_offset;
      for (int gx = 0; gx < g.W_grid; ++gx) {
        const int ix = gx * g.stride.w + x_offset;
        const bool inside = iy >= 0 && iy < g.H_img && ix >= 0 && ix < g.W_img;
        t[gy * g.W_grid + gx] = inside ? iy * g.W_img + ix : -1;
      }
    }
  }
  const int* tables = table.data();
  parallel_for(g.rows(), ncols, [&](int64_t r_begin, int64_t r_end) {
    for (int64_t r = r_begin; r < r_end; ++r) {
      const int c = static_cast<int>(r / kk);
      const int* t = tables + (r % kk) * grid;
      float* row = cols + r * ncols;  // (B, H_grid*W_grid)
      for (int b = 0; b < B; ++b) {
        const float* plane = image + (static_cast<int64_t>(b) * g.C + c) * image_size;
        float* dst = row + static_cast<int64_t>(b) * grid;
        for (int64_t i = 0; i < grid; ++i) dst[i] = t[i] >= 0 ? plane[t[i]] : 0.0f;
      }
    }
  });
}

void col2im_add(float* image, const float* cols, int B, const Lowering& g) {
  const int64_t grid = g.grid_size(), ncols = B * grid, image_size = g.image_size();
  const int kk = g.kH * g.kW;
  parallel_for(g.C, kk * ncols, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      for (int ky = 0; ky < g.kH; ++ky) {
        const int y_offset = ky * g.dilation.h - g.padding.h;
        const Span ys = inside_span(g.H_grid, g.H_img, g.stride.h, y_offset);
        for (int kx = 0; kx < g.kW; ++kx) {
          const int x_offset = kx * g.dilation.w - g.padding.w;
          const Span xs = inside_span(g.W_grid, g.W_img, g.stride.w, x_offset);
          if (xs.begin == xs.end) continue;
          const int S = g.stride.w;
          const float* row = cols + ((c * g.kH + ky) * g.kW + kx) * ncols;  // (B, H_grid, W_grid)
          for (int b = 0; b < B; ++b) {
            float* plane = image + (static_cast<int64_t>(b) * g.C + c) * image_size;  // (H_img, W_img)
            for (int gy = ys.begin; gy < ys.end; ++gy) {
              const float* src = row + (static_cast<int64_t>(b) * g.H_grid + gy) * g.W_grid;
              float* dst = plane + static_cast<int64_t>(gy * g.stride.h + y_offset) * g.W_img;
              if (S == 1) {
                for (int gx = xs.begin; gx < xs.end; ++gx) dst[gx + x_offset] += src[gx];
              } else {
                for (int gx = xs.begin; gx < xs.end; ++gx) dst[gx * S + x_offset] += src[gx];
              }
            }
          }
        }
      }
    }
  });
}

void batch_to_channels(float* dst, const float* src, int B, int C, int64_t P) {
  parallel_for(C, B * P, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c)
      for (int b = 0; b < B; ++b)
        std::memcpy(dst + (c * B + b) * P, src + (b * C + c) * P, sizeof(float) * P);
  });
}

void channels_to_batch(float* dst, const float* src, int B, int C, int64_t P, const float* bias,
                       bool add) {
  parallel_for(C, B * P, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      const float bias_c = bias ? bias[c] : 0.0f;
      for (int b = 0; b < B; ++b) {
        const float* s = src + (c * B + b) * P;
        float* d = dst + (b * C + c) * P;
        if (add) {
          for (int64_t p = 0; p < P; ++p) d[p] += s[p];
        } else if (bias) {
          for (int64_t p = 0; p < P; ++p) d[p] = s[p] + bias_c;
        } else {
          std::memcpy(d, s, sizeof(float) * P);
        }
      }
    }
  });
}

void add_bias_grad(float* dbias, const float* dout, int N, int C, int64_t P) {
  parallel_for(C, N * P, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      float sum = dbias[c];
      for (int n = 0; n < N; ++n) {
        const float* plane = dout + (static_cast<int64_t>(n) * C + c) * P;
        // Eight running sums (vectorizable) per plane, then added to the total in plane order.
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t p = 0;
        for (; p + 8 <= P; p += 8)
          for (int l = 0; l < 8; ++l) lanes[l] += plane[p + l];
        float plane_sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                          ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        for (; p < P; ++p) plane_sum += plane[p];
        sum += plane_sum;
      }
      dbias[c] = sum;
    }
  });
}

}  // namespace convt::fast::detail
