// Batch normalisation forward and backward, as plain loops over (n, c, l).
// Training mode splits the channels over the fast backend's threads (fast/parallel.h); each
// channel's numbers are the same whatever the split.
//
// Legend: N batch, C channels, L positions per (n, c) (1, L or H*W), M = N*L values per channel.
//   x (N, C, L) viewed flat: x[(n*C + c)*L + l]
#include "convt/ops/batch_norm.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "fast/parallel.h"

namespace convt {

namespace {

struct Dims {
  int64_t N, C, L;
};

Dims bn_dims(const Tensor& x, const Tensor& weight, const char* op) {
  if (x.ndim() < 2 || x.ndim() > 4) {
    throw std::invalid_argument(std::string(op) +
                                ": input: expected (N, C), (N, C, L) or (N, C, H, W), found " +
                                x.shape_str());
  }
  Dims d{x.dim(0), x.dim(1), 1};
  for (int i = 2; i < x.ndim(); ++i) d.L *= x.dim(i);
  check_shape(weight, {d.C}, std::string(op) + ": weight", "[C]");
  return d;
}

// sum over l of f(p[l]), l in [0, L): eight float running sums (vectorizable), added pairwise at
// the end. The callers add these per-(n, c) sums in double, in order n = 0, 1, ...
template <class F>
inline float plane_sum(const float* p, int64_t L, F f) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t l = 0;
  for (; l + 8 <= L; l += 8)
    for (int k = 0; k < 8; ++k) lanes[k] += f(p[l + k]);
  float total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  for (; l < L; ++l) total += f(p[l]);
  return total;
}

// The same over two planes: sum over l of f(a[l], b[l]).
template <class F>
inline float plane_sum2(const float* a, const float* b, int64_t L, F f) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t l = 0;
  for (; l + 8 <= L; l += 8)
    for (int k = 0; k < 8; ++k) lanes[k] += f(a[l + k], b[l + k]);
  float total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  for (; l < L; ++l) total += f(a[l], b[l]);
  return total;
}

// Per channel c in [c_begin, c_end): the sum over n and l of f(x[n, c, l]), in double, n = 0, 1,
// ... in order, where f = channel_f(j) is channel j = c - c_begin's function (its mean captured
// by value, so the inner loop reads x only). For L = 1 ((N, C), after a Linear layer) a row at a
// time.
template <class ChannelF>
std::vector<double> channel_sums(const float* xp, const Dims& d, int64_t c_begin, int64_t c_end,
                                 ChannelF channel_f) {
  const int64_t count = c_end - c_begin;
  std::vector<double> sum(static_cast<size_t>(count), 0.0);  // double: M can be 256*400
  if (d.L == 1) {
    for (int64_t n = 0; n < d.N; ++n) {
      const float* row = xp + n * d.C + c_begin;
      for (int64_t j = 0; j < count; ++j) sum[j] += channel_f(j)(row[j]);
    }
    return sum;
  }
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t c = c_begin; c < c_end; ++c) {
      const int64_t j = c - c_begin;
      sum[j] += plane_sum(xp + (n * d.C + c) * d.L, d.L, channel_f(j));
    }
  return sum;
}

// out[n, c, l] = x[n, c, l] * scale[j] + shift[j] for c in [c_begin, c_end), j = c - c_begin.
void scale_and_shift(const float* xp, float* op, const Dims& d, int64_t c_begin, int64_t c_end,
                     const std::vector<float>& scale, const std::vector<float>& shift) {
  const int64_t count = c_end - c_begin;
  if (d.L == 1) {  // (N, C): a row at a time
    for (int64_t n = 0; n < d.N; ++n) {
      const float* xr = xp + n * d.C + c_begin;
      float* orow = op + n * d.C + c_begin;
      for (int64_t j = 0; j < count; ++j) orow[j] = xr[j] * scale[j] + shift[j];
    }
    return;
  }
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t c = c_begin; c < c_end; ++c) {
      const float a = scale[c - c_begin], b = shift[c - c_begin];
      const float* xc = xp + (n * d.C + c) * d.L;
      float* oc = op + (n * d.C + c) * d.L;
      for (int64_t l = 0; l < d.L; ++l) oc[l] = xc[l] * a + b;
    }
}

// The backward pass's per-channel sums over n and l, for c in [c_begin, c_end):
//   dout = sum(dout), dout_xhat = sum(dout * xhat), xhat = (x - mean) * invstd.
struct BackwardSums {
  std::vector<double> dout, dout_xhat;
};
BackwardSums backward_sums(const float* xp, const float* gp, const Dims& d, int64_t c_begin,
                           int64_t c_end, const Tensor& save_mean, const Tensor& save_invstd) {
  const int64_t count = c_end - c_begin;
  BackwardSums s{std::vector<double>(static_cast<size_t>(count), 0.0),
                 std::vector<double>(static_cast<size_t>(count), 0.0)};
  if (d.L == 1) {  // (N, C): the same sums, a row at a time
    for (int64_t n = 0; n < d.N; ++n) {
      const float* xr = xp + n * d.C + c_begin;
      const float* gr = gp + n * d.C + c_begin;
      for (int64_t j = 0; j < count; ++j) {
        const float mean = save_mean[c_begin + j], invstd = save_invstd[c_begin + j];
        s.dout[j] += gr[j];
        s.dout_xhat[j] += gr[j] * ((xr[j] - mean) * invstd);
      }
    }
    return s;
  }
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t c = c_begin; c < c_end; ++c) {
      const float mean = save_mean[c], invstd = save_invstd[c];
      const float* xc = xp + (n * d.C + c) * d.L;
      const float* gc = gp + (n * d.C + c) * d.L;
      s.dout[c - c_begin] += plane_sum(gc, d.L, [](float g) { return g; });
      s.dout_xhat[c - c_begin] += plane_sum2(
          gc, xc, d.L, [mean, invstd](float g, float v) { return g * ((v - mean) * invstd); });
    }
  return s;
}

}  // namespace

void batch_norm_forward_train(Tensor& out, Tensor& save_mean, Tensor& save_invstd,
                              Tensor& running_mean, Tensor& running_var, const Tensor& x,
                              const Tensor& weight, const Tensor& bias, float momentum, float eps) {
  const Dims d = bn_dims(x, weight, "batch_norm_forward_train");
  check_shape(bias, {d.C}, "batch_norm_forward_train: bias", "[C]");
  check_shape(running_mean, {d.C}, "batch_norm_forward_train: running_mean", "[C]");
  check_shape(running_var, {d.C}, "batch_norm_forward_train: running_var", "[C]");
  const int64_t M = d.N * d.L;
  if (M < 2) {
    throw std::invalid_argument(
        "batch_norm_forward_train: expected more than 1 value per channel "
        "when training, found input " +
        x.shape_str() + " (hint: use a batch of 2 or more, or evaluation mode)");
  }
  if (out.shape() != x.shape()) out.resize(x.shape());  // every value is written below
  save_mean.resize({d.C});
  save_invstd.resize({d.C});
  const float* xp = x.data();
  float* op = out.data();
  // Channels are independent: split them over the threads. Inside a range the loops run
  // n, c, l (rows of x in memory order, also for L = 1); each channel's sums are the same
  // whatever the split.
  fast::detail::parallel_for(d.C, 3 * d.N * d.L, [&](int64_t c_begin, int64_t c_end) {
    const int64_t count = c_end - c_begin;
    const auto identity = [](int64_t) { return [](float v) { return v; }; };
    const std::vector<double> sum = channel_sums(xp, d, c_begin, c_end, identity);
    std::vector<float> mean(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j)
      mean[j] = static_cast<float>(sum[j] / static_cast<double>(M));
    const auto squared_deviation = [&mean](int64_t j) {
      const float m = mean[j];
      return [m](float v) { return (v - m) * (v - m); };
    };
    const std::vector<double> sq = channel_sums(xp, d, c_begin, c_end, squared_deviation);
    std::vector<float> scale(static_cast<size_t>(count)), shift(static_cast<size_t>(count));
    for (int64_t c = c_begin; c < c_end; ++c) {
      const int64_t j = c - c_begin;
      const double var = sq[j] / static_cast<double>(M);  // biased: normalises this batch
      const float invstd = static_cast<float>(1.0 / std::sqrt(var + eps));
      scale[j] = weight[c] * invstd;
      shift[j] = bias[c] - mean[j] * scale[j];
      save_mean[c] = mean[j];
      save_invstd[c] = invstd;
      const double unbiased = sq[j] / static_cast<double>(M - 1);
      running_mean[c] = static_cast<float>((1.0 - momentum) * running_mean[c] + momentum * mean[j]);
      running_var[c] = static_cast<float>((1.0 - momentum) * running_var[c] + momentum * unbiased);
    }
    scale_and_shift(xp, op, d, c_begin, c_end, scale, shift);
  });
}

void batch_norm_backward_train(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                               const Tensor& save_invstd) {
  const Dims d = bn_dims(x, weight, "batch_norm_backward_train");
  check_shape(dout, x.shape(), "batch_norm_backward_train: dout");
  prepare_grad(dx, x.shape(), "batch_norm_backward_train: dx");
  prepare_grad(dweight, {d.C}, "batch_norm_backward_train: dweight");
  prepare_grad(dbias, {d.C}, "batch_norm_backward_train: dbias");
  const double M = static_cast<double>(d.N * d.L);
  const float* xp = x.data();
  const float* gp = dout.data();
  // Channels split over the threads as in the forward pass.
  fast::detail::parallel_for(d.C, 3 * d.N * d.L, [&](int64_t c_begin, int64_t c_end) {
    const int64_t count = c_end - c_begin;
    // forward was: xhat = (x - mean) * invstd; out = xhat * weight + bias
    // so dbias = sum(dout), dweight = sum(dout * xhat)
    const BackwardSums sums = backward_sums(xp, gp, d, c_begin, c_end, save_mean, save_invstd);
    const std::vector<double>& sum_dout = sums.dout;
    const std::vector<double>& sum_dout_xhat = sums.dout_xhat;
    for (int64_t c = c_begin; c < c_end; ++c) {
      if (dbias) (*dbias)[c] += static_cast<float>(sum_dout[c - c_begin]);
      if (dweight) (*dweight)[c] += static_cast<float>(sum_dout_xhat[c - c_begin]);
    }
    if (!dx) return;
    // mean and invstd depend on x too; with dxhat = dout * weight:
    //   dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
    float* dxp = dx->data();
    // per channel: mean(dxhat), mean(dxhat * xhat)
    std::vector<float> mean_dxhat_c(static_cast<size_t>(count)), mean_dxhat_xhat_c(mean_dxhat_c);
    for (int64_t c = c_begin; c < c_end; ++c) {
      mean_dxhat_c[c - c_begin] = static_cast<float>(weight[c] * sum_dout[c - c_begin] / M);
      mean_dxhat_xhat_c[c - c_begin] =
          static_cast<float>(weight[c] * sum_dout_xhat[c - c_begin] / M);
    }
    if (d.L == 1) {  // (N, C): a row at a time
      for (int64_t n = 0; n < d.N; ++n) {
        const float* xr = xp + n * d.C + c_begin;
        const float* gr = gp + n * d.C + c_begin;
        float* dr = dxp + n * d.C + c_begin;
        for (int64_t j = 0; j < count; ++j) {
          const float mean = save_mean[c_begin + j], invstd = save_invstd[c_begin + j];
          const float xhat = (xr[j] - mean) * invstd;
          dr[j] += invstd *
                   (gr[j] * weight[c_begin + j] - mean_dxhat_c[j] - xhat * mean_dxhat_xhat_c[j]);
        }
      }
      return;
    }
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t c = c_begin; c < c_end; ++c) {
        const float mean = save_mean[c], invstd = save_invstd[c], w = weight[c];
        const float mean_dxhat = mean_dxhat_c[c - c_begin];
        const float mean_dxhat_xhat = mean_dxhat_xhat_c[c - c_begin];
        const float* xc = xp + (n * d.C + c) * d.L;
        const float* gc = gp + (n * d.C + c) * d.L;
        float* dc = dxp + (n * d.C + c) * d.L;
        for (int64_t l = 0; l < d.L; ++l) {
          const float xhat = (xc[l] - mean) * invstd;
          dc[l] += invstd * (gc[l] * w - mean_dxhat - xhat * mean_dxhat_xhat);
        }
      }
  });
}

void batch_norm_forward_eval(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor& bias,
                             const Tensor& running_mean, const Tensor& running_var, float eps) {
  const Dims d = bn_dims(x, weight, "batch_norm_forward_eval");
  check_shape(bias, {d.C}, "batch_norm_forward_eval: bias", "[C]");
  check_shape(running_mean, {d.C}, "batch_norm_forward_eval: running_mean", "[C]");
  check_shape(running_var, {d.C}, "batch_norm_forward_eval: running_var", "[C]");
  if (out.shape() != x.shape()) out.resize(x.shape());  // every value is written below
  for (int64_t c = 0; c < d.C; ++c) {
    const float invstd = 1.0f / std::sqrt(running_var[c] + eps);
    const float scale = weight[c] * invstd, shift = bias[c] - running_mean[c] * scale;
    for (int64_t n = 0; n < d.N; ++n) {
      const float* xp = x.data() + (n * d.C + c) * d.L;
      float* op = out.data() + (n * d.C + c) * d.L;
      for (int64_t l = 0; l < d.L; ++l) op[l] = xp[l] * scale + shift;
    }
  }
}

void batch_norm_backward_eval(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                              const Tensor& x, const Tensor& weight, const Tensor& running_mean,
                              const Tensor& running_var, float eps) {
  const Dims d = bn_dims(x, weight, "batch_norm_backward_eval");
  check_shape(dout, x.shape(), "batch_norm_backward_eval: dout");
  prepare_grad(dx, x.shape(), "batch_norm_backward_eval: dx");
  prepare_grad(dweight, {d.C}, "batch_norm_backward_eval: dweight");
  prepare_grad(dbias, {d.C}, "batch_norm_backward_eval: dbias");
  for (int64_t c = 0; c < d.C; ++c) {
    // forward was: out = (x - running_mean) * invstd * weight + bias, statistics constant
    const float invstd = 1.0f / std::sqrt(running_var[c] + eps);
    double sum_dout = 0.0, sum_dout_xhat = 0.0;
    for (int64_t n = 0; n < d.N; ++n) {
      const float* xp = x.data() + (n * d.C + c) * d.L;
      const float* gp = dout.data() + (n * d.C + c) * d.L;
      float* dp = dx ? dx->data() + (n * d.C + c) * d.L : nullptr;
      for (int64_t l = 0; l < d.L; ++l) {
        sum_dout += gp[l];
        sum_dout_xhat += gp[l] * (xp[l] - running_mean[c]) * invstd;
        if (dp) dp[l] += gp[l] * weight[c] * invstd;
      }
    }
    if (dbias) (*dbias)[c] += static_cast<float>(sum_dout);
    if (dweight) (*dweight)[c] += static_cast<float>(sum_dout_xhat);
  }
}

}  // namespace convt
