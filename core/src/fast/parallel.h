// Internals of the fast backend shared by its op files: the BLAS set-up, a fork-join loop over
// our own threads, scratch buffers, and the im2col / col2im lowering. Not a public header.
//
// Legend: B samples in a chunk of the batch, C channels, kH/kW kernel, S stride, P padding,
//         D dilation. An "image" (C, H_img, W_img) and a "grid" (H_grid, W_grid) of kernel
//         positions are tied by   image_y = grid_y*S - P + ky*D   (and the same along x):
//   conv2d:            image = the input x,          grid = the output
//   conv_transpose2d:  image = the output,           grid = the input x
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "convt/shape.h"

namespace convt::fast::detail {

// Called at the top of every fast op: once per process, sets OpenBLAS to num_threads() and
// picks its fastest kernel for this CPU (see blas.cpp). Cheap afterwards.
void ensure_blas_ready();

// Runs fn(begin, end) over [0, count) cut into num_threads() contiguous ranges, the first on the
// calling thread; returns when all are done. Runs fn(0, count) inline when one thread is set or
// when count * cost_per_item is below a threshold where starting a thread costs more than it
// saves. Each index is handled by exactly one call, so results never depend on the split.
void parallel_for(int64_t count, int64_t cost_per_item,
                  const std::function<void(int64_t, int64_t)>& fn);

// Row-major C (M, N) = alpha * op(A) @ op(B) + beta * C with cblas_sgemm, where op(A) is (M, K)
// and op(B) is (K, N); a_trans / b_trans say whether A / B are stored transposed. Handles the
// empty cases (M, N or K = 0) that BLAS refuses.
void gemm(bool a_trans, bool b_trans, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);

// A scratch buffer of at least `count` floats, one per (calling thread, slot); grows, never
// shrinks, so a training loop allocates (and page-faults) only on its first step. Contents are
// unspecified.
float* scratch(int slot, int64_t count);

// How many samples of the batch one GEMM covers: enough columns (samples * per_sample_columns)
// for BLAS to run near peak, few enough that the scratch matrix (rows x columns) stays a few MB.
int chunk_samples(int64_t rows, int64_t per_sample_columns, int64_t batch);

// The geometry of one lowering (see the legend above).
struct Lowering {
  int C = 0, H_img = 0, W_img = 0;  // image
  int H_grid = 0, W_grid = 0;       // kernel positions
  int kH = 0, kW = 0;
  Pair stride, padding, dilation;
  int64_t rows() const { return static_cast<int64_t>(C) * kH * kW; }
  int64_t grid_size() const { return static_cast<int64_t>(H_grid) * W_grid; }
  int64_t image_size() const { return static_cast<int64_t>(H_img) * W_img; }
};

// cols (C*kH*kW, B*H_grid*W_grid) = im2col(image (B, C, H_img, W_img)):
//   cols[(c*kH + ky)*kW + kx, (b*H_grid + gy)*W_grid + gx] = image[b, c, gy*S - P + ky*D, gx*S - P + kx*D]
// and 0 where that pixel falls outside the image (the zero padding). Threaded over rows.
void im2col(float* cols, const float* image, int B, const Lowering& g);

// The adjoint, a scatter-add: image (B, C, H_img, W_img) += col2im(cols), i.e. for every entry
// of cols whose pixel falls inside the image,
//   image[b, c, gy*S - P + ky*D, gx*S - P + kx*D] += cols[(c*kH + ky)*kW + kx, (b*H_grid + gy)*W_grid + gx]
// Entries that fall outside (cropped by padding) are dropped. Threaded over channels c, each
// pixel summed in a fixed order.
void col2im_add(float* image, const float* cols, int B, const Lowering& g);

// dst (C, B*P) = src (B, C, P) seen channel-major: dst[c, b*P + p] = src[b, c, p].
void batch_to_channels(float* dst, const float* src, int B, int C, int64_t P);
// dst (B, C, P) = src (C, B*P) (+ bias[c], when bias is not null), or dst += src with `add`.
void channels_to_batch(float* dst, const float* src, int B, int C, int64_t P, const float* bias,
                       bool add);

// dbias[c] += sum over b, p of dout (N, C, P)[b, c, p]: each plane summed in eight lanes, the
// planes added in order n = 0, 1, ... (a fixed order, whatever the thread count).
void add_bias_grad(float* dbias, const float* dout, int N, int C, int64_t P);

}  // namespace convt::fast::detail
