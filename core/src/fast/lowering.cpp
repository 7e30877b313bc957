// im2col / col2im and the layout shuffles around the GEMMs (see fast/lowering.h for the legend).
//
// The naive kernels visit (n, c, y, x, ky, kx) in nested loops and test every tap against the
// image border. Here each kernel tap (c, ky, kx) is one row of `cols`; for a given tap and grid
// row gy, the grid columns gx whose pixel lies inside the image form one contiguous range
// [gx_begin, gx_end), computed once, so the inner loops have no branch.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fast/blas.h"  // chunk_samples
#include "fast/lowering.h"
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
            float* plane =
                image + (static_cast<int64_t>(b) * g.C + c) * image_size;  // (H_img, W_img)
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

// ---- Tap boxes ----------------------------------------------------------------------------------

namespace {

// Along one axis: runs of consecutive grid positions g whose taps k inside the image,
// 0 <= g*S - P + k*D < image, are the same interval [k0, k1). Positions with none are left out.
struct Band {
  int g0, g1, k0, k1;
};
std::vector<Band> bands(int grid, int image, int K, int S, int P, int D) {
  std::vector<Band> out;
  for (int gpos = 0; gpos < grid; ++gpos) {
    int k0 = K, k1 = 0;
    for (int k = 0; k < K; ++k) {
      const int i = gpos * S - P + k * D;
      if (i >= 0 && i < image) {
        k0 = std::min(k0, k);
        k1 = k + 1;
      }
    }
    if (k0 >= k1) continue;
    if (!out.empty() && out.back().g1 == gpos && out.back().k0 == k0 && out.back().k1 == k1) {
      out.back().g1 = gpos + 1;
    } else {
      out.push_back({gpos, gpos + 1, k0, k1});
    }
  }
  return out;
}

}  // namespace

std::vector<TapBox> tap_boxes(const Lowering& g) {
  const char* knob = std::getenv("CONVT_FAST_TAP_BOXES");
  const std::string mode = knob ? knob : "";
  if (mode == "0") return {};
  const bool always = mode == "always";
  // A few rows (one channel: the GAN's D conv1 and G's last ConvT) make each box's GEMM too thin
  // to pay for the extra calls (measured: 3x slower there).
  if (g.rows() < 256 && !always) return {};
  const std::vector<Band> ys =
      bands(g.H_grid, g.H_img, g.kH, g.stride.h, g.padding.h, g.dilation.h);
  const std::vector<Band> xs =
      bands(g.W_grid, g.W_img, g.kW, g.stride.w, g.padding.w, g.dilation.w);
  std::vector<TapBox> boxes;
  int64_t taps_used = 0;
  for (const Band& y : ys) {
    for (const Band& x : xs) {
      TapBox b{y.g0, y.g1, x.g0, x.g1, y.k0, y.k1, x.k0, x.k1};
      taps_used += b.pixels() * b.taps();
      boxes.push_back(b);
    }
  }
  const int64_t taps_all = g.grid_size() * g.kH * g.kW;
  if (taps_all - taps_used < taps_all / 20 && !always) return {};  // saves < 5%: whole grid
  return boxes;
}

// 16 samples at a time: 16 floats (a cache line) of the batch-minor side per pixel, read from 16
// sequential streams (measured: -29% against one sample at a time; the same tiling made
// from_batch_minor below 50% slower, so that one goes sample by sample).
constexpr int kBatchTile = 16;

void to_batch_minor(float* dst, const float* src, int B, int C, int64_t P) {
  parallel_for(C, B * P, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      float* d = dst + c * P * B;  // (P, B)
      for (int b0 = 0; b0 < B; b0 += kBatchTile) {
        const int bn = std::min(kBatchTile, B - b0);
        const float* s[kBatchTile];
        for (int j = 0; j < bn; ++j) s[j] = src + (static_cast<int64_t>(b0 + j) * C + c) * P;
        for (int64_t p = 0; p < P; ++p)
          for (int j = 0; j < bn; ++j) d[p * B + b0 + j] = s[j][p];
      }
    }
  });
}

void from_batch_minor(float* dst, const float* src, int B, int C, int64_t P, const float* bias,
                      bool add) {
  parallel_for(C, B * P, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      const float* s = src + c * P * B;  // (P, B)
      const float bias_c = bias ? bias[c] : 0.0f;
      for (int b = 0; b < B; ++b) {
        float* d = dst + (static_cast<int64_t>(b) * C + c) * P;
        if (add) {
          for (int64_t p = 0; p < P; ++p) d[p] += s[p * B + b];
        } else {
          for (int64_t p = 0; p < P; ++p) d[p] = s[p * B + b] + bias_c;
        }
      }
    }
  });
}

void gather_box(float* dst, const float* src, int B, int C, int W_grid, int64_t grid,
                const TapBox& box) {
  const int64_t run = static_cast<int64_t>(box.gx1 - box.gx0) * B;  // one row of the box
  parallel_for(C, box.pixels() * B, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      float* d = dst + c * box.pixels() * B;
      for (int gy = box.gy0; gy < box.gy1; ++gy, d += run)
        std::memcpy(d, src + (c * grid + static_cast<int64_t>(gy) * W_grid + box.gx0) * B,
                    sizeof(float) * static_cast<size_t>(run));
    }
  });
}

void scatter_box(float* dst, const float* src, int B, int C, int W_grid, int64_t grid,
                 const TapBox& box) {
  const int64_t run = static_cast<int64_t>(box.gx1 - box.gx0) * B;
  parallel_for(C, box.pixels() * B, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      const float* s = src + c * box.pixels() * B;
      for (int gy = box.gy0; gy < box.gy1; ++gy, s += run)
        std::memcpy(dst + (c * grid + static_cast<int64_t>(gy) * W_grid + box.gx0) * B, s,
                    sizeof(float) * static_cast<size_t>(run));
    }
  });
}

void im2col_box(float* cols, const float* image_t, int B, const Lowering& g, const TapBox& box) {
  const int nky = box.ky1 - box.ky0, nkx = box.kx1 - box.kx0, taps = nky * nkx;
  const int64_t ncols = box.pixels() * B, image_size = g.image_size();
  parallel_for(g.C * taps, ncols, [&](int64_t r_begin, int64_t r_end) {
    for (int64_t r = r_begin; r < r_end; ++r) {
      const int c = static_cast<int>(r / taps), t = static_cast<int>(r % taps);
      const int ky = box.ky0 + t / nkx, kx = box.kx0 + t % nkx;
      const float* plane = image_t + c * image_size * B;  // (H_img*W_img, B)
      float* d = cols + r * ncols;                        // (box_h*box_w, B)
      for (int gy = box.gy0; gy < box.gy1; ++gy) {
        const int iy = gy * g.stride.h - g.padding.h + ky * g.dilation.h;
        for (int gx = box.gx0; gx < box.gx1; ++gx, d += B) {
          const int ix = gx * g.stride.w - g.padding.w + kx * g.dilation.w;
          const float* s = plane + (static_cast<int64_t>(iy) * g.W_img + ix) * B;
          for (int b = 0; b < B; ++b) d[b] = s[b];
        }
      }
    }
  });
}

void col2im_box_add(float* image_t, const float* cols, int B, const Lowering& g,
                    const TapBox& box) {
  const int nky = box.ky1 - box.ky0, nkx = box.kx1 - box.kx0, taps = nky * nkx;
  const int64_t ncols = box.pixels() * B, image_size = g.image_size();
  parallel_for(g.C, taps * ncols, [&](int64_t c_begin, int64_t c_end) {
    for (int64_t c = c_begin; c < c_end; ++c) {
      float* plane = image_t + c * image_size * B;  // (H_img*W_img, B)
      const float* s = cols + c * taps * ncols;     // rows (ky, kx) of channel c
      for (int ky = box.ky0; ky < box.ky1; ++ky) {
        for (int kx = box.kx0; kx < box.kx1; ++kx) {
          for (int gy = box.gy0; gy < box.gy1; ++gy) {
            const int iy = gy * g.stride.h - g.padding.h + ky * g.dilation.h;
            for (int gx = box.gx0; gx < box.gx1; ++gx, s += B) {
              const int ix = gx * g.stride.w - g.padding.w + kx * g.dilation.w;
              float* d = plane + (static_cast<int64_t>(iy) * g.W_img + ix) * B;
              for (int b = 0; b < B; ++b) d[b] += s[b];
            }
          }
        }
      }
    }
  });
}

int box_chunk_samples(const std::vector<TapBox>& boxes, int64_t C, int64_t other, int64_t N) {
  int B = static_cast<int>(std::max<int64_t>(N, 1));
  for (const TapBox& box : boxes)
    B = std::min(B, chunk_samples(C * box.taps() + other, box.pixels(), N));
  return B;
}

BackwardChunk::BackwardChunk(const float* dout, const float* x, bool need_x, int n0_, int b_,
                             int C_out, int64_t P_out, int C_in_, int64_t P_in_)
    : dout_t(scratch(5, C_out * P_out * b_)),
      x_t(scratch(0, C_in_ * P_in_ * b_)),
      dx_t(scratch(6, C_in_ * P_in_ * b_)),
      n0(n0_),
      b(b_),
      C_in(C_in_),
      P_in(P_in_) {
  to_batch_minor(dout_t, dout + static_cast<int64_t>(n0) * C_out * P_out, b, C_out, P_out);
  if (need_x) to_batch_minor(x_t, x + static_cast<int64_t>(n0) * C_in * P_in, b, C_in, P_in);
}

void BackwardChunk::add_dx(float* dx) const {
  from_batch_minor(dx + static_cast<int64_t>(n0) * C_in * P_in, dx_t, b, C_in, P_in, nullptr,
                   /*add=*/true);
}

std::vector<int64_t> box_weight_offsets(const std::vector<TapBox>& boxes, int64_t R, int64_t C) {
  std::vector<int64_t> at(boxes.size() + 1, 0);
  for (size_t i = 0; i < boxes.size(); ++i) at[i + 1] = at[i] + R * C * boxes[i].taps();
  return at;
}

namespace {

// One box of weight_boxes.
void weight_box(float* w_box, const float* weight, int R, const Lowering& g, const TapBox& box) {
  const int nkx = box.kx1 - box.kx0;
  const int64_t rows = g.rows(), box_rows = static_cast<int64_t>(g.C) * box.taps();
  parallel_for(R, box_rows, [&](int64_t o_begin, int64_t o_end) {
    for (int64_t o = o_begin; o < o_end; ++o) {
      float* d = w_box + o * box_rows;
      for (int c = 0; c < g.C; ++c)
        for (int ky = box.ky0; ky < box.ky1; ++ky, d += nkx) {
          const float* w = weight + o * rows + (c * g.kH + ky) * g.kW + box.kx0;
          for (int j = 0; j < nkx; ++j) d[j] = w[j];  // a few floats: no memcpy call
        }
    }
  });
}

// One box of one part of add_weight_boxes.
void weight_box_add(float* dweight, const float* dw_box, int R, const Lowering& g,
                    const TapBox& box) {
  const int nkx = box.kx1 - box.kx0;
  const int64_t rows = g.rows(), box_rows = static_cast<int64_t>(g.C) * box.taps();
  parallel_for(R, box_rows, [&](int64_t o_begin, int64_t o_end) {
    for (int64_t o = o_begin; o < o_end; ++o) {
      const float* s = dw_box + o * box_rows;
      for (int c = 0; c < g.C; ++c)
        for (int ky = box.ky0; ky < box.ky1; ++ky, s += nkx) {
          float* d = dweight + o * rows + (c * g.kH + ky) * g.kW + box.kx0;
          for (int j = 0; j < nkx; ++j) d[j] += s[j];
        }
    }
  });
}

}  // namespace

void weight_boxes(float* w_boxes, const float* weight, int R, const Lowering& g,
                  const std::vector<TapBox>& boxes, const std::vector<int64_t>& w_at) {
  for (size_t i = 0; i < boxes.size(); ++i) weight_box(w_boxes + w_at[i], weight, R, g, boxes[i]);
}

void add_weight_boxes(float* dweight, const std::vector<float*>& parts, int R, const Lowering& g,
                      const std::vector<TapBox>& boxes, const std::vector<int64_t>& w_at) {
  for (const float* dw_boxes : parts) {
    if (dw_boxes == nullptr) continue;
    for (size_t i = 0; i < boxes.size(); ++i)
      weight_box_add(dweight, dw_boxes + w_at[i], R, g, boxes[i]);
  }
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
