// Benchmark: record every scatter-add of one sample through the 20x20 GAN's first ConvT layer
// (256 -> 128 channels, 5x5 -> 10x10, k5 s2 p2 op1: 20,480,000 events) and report seconds,
// trace bytes and the process's peak resident memory; then the same layer without a recorder.
//   ./build/core/bench_trace
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "convt/ops/conv_transpose2d.h"

using namespace convt;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main() {
  std::mt19937 rng(0);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Tensor x({1, 256, 5, 5});    // (N, C_in, H, W)
  Tensor w({256, 128, 5, 5});  // (C_in, C_out, kH, kW)
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = normal(rng);
  for (int64_t i = 0; i < w.numel(); ++i) w[i] = 0.02f * normal(rng);
  const ConvTranspose2dParams p{{2, 2}, {2, 2}, {1, 1}, {1, 1}};
  std::printf("layer: ConvTranspose2d(256, 128, k5, s2, p2, op1), x (1, 256, 5, 5) -> (1, 128, 10, 10)\n");
  std::printf("peak RSS before tracing: %.1f MB\n", peak_rss_mb());

  Tensor y;
  TraceRecorder rec(25'000'000);
  auto t0 = std::chrono::steady_clock::now();
  conv_transpose2d_forward(y, x, w, nullptr, p, rec);
  const double record_seconds = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  double checksum = 0;
  for (int64_t k = 0; k < rec.size(); k += 997) checksum += rec.event(k).out_after;
  const double lookup_seconds = seconds_since(t0);
  std::printf("trace: %lld events, %.1f MB held, recorded in %.3f s\n",
              static_cast<long long>(rec.size()), static_cast<double>(rec.bytes()) / 1e6,
              record_seconds);
  std::printf("random access: %lld events decoded in %.4f s (checksum %.3f)\n",
              static_cast<long long>(rec.size() / 997 + 1), lookup_seconds, checksum);
  std::printf("peak RSS after tracing: %.1f MB\n", peak_rss_mb());

  const int reps = 20;
  t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) conv_transpose2d_forward(y, x, w, nullptr, p);
  const double naive_seconds = seconds_since(t0) / reps;
  std::printf("naive kernel, no recorder: %.2f ms per sample, %.2f GFLOP/s "
              "(notes' numpy loop: 1900 ms, %.0fx faster)\n",
              naive_seconds * 1e3, 2.0 * 20'480'000 / naive_seconds / 1e9, 1.9 / naive_seconds);
  return 0;
}
