// Training-step throughput of a GAN spec (default dcgan20) with GanTrainer, without the app:
//   build/core/bench/bench_gan_step [model] [batch] [steps] [threads] [naive|fast]
// Prints ms/step (wall clock, and the process's CPU time: what the shared machine's other jobs do
// not inflate at 1 thread) and, last, `samples/s: <x>`; `convt-lab bench train` is the
// user-facing form.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "convt/fast/fast_ops.h"
#include "convt/train/gan_trainer.h"

int main(int argc, char** argv) {
  using namespace convt;
  const std::string model = argc > 1 ? argv[1] : "dcgan20";
  GanConfig cfg;
  cfg.batch_size = argc > 2 ? std::atoi(argv[2]) : 256;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 5;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 1;
  cfg.backend = nn::parse_backend(argc > 5 ? argv[5] : "fast");
  fast::set_num_threads(threads);
  GanTrainer t(nn::load_model_spec(model), cfg, nullptr);
  const auto& s = t.model().image_shape;
  Tensor real({cfg.batch_size, s[0], s[1], s[2]});
  Rng rng(1);
  for (int64_t i = 0; i < real.numel(); ++i) real[i] = rng.uniform(-1.0f, 1.0f);
  auto step = [&]() {
    t.step_generator();
    t.step_discriminator(real);
  };
  const auto cpu_seconds = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  };
  step();
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  for (int i = 0; i < steps; ++i) step();
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  std::printf("%s batch %lld threads %d %s: %.1f ms/step (CPU time %.1f ms/step)\n",
              model.c_str(), static_cast<long long>(cfg.batch_size), threads,
              nn::backend_name(cfg.backend), sec / steps * 1e3, cpu / steps * 1e3);
  std::printf("samples/s: %.1f\n", cfg.batch_size * steps / sec);
  return 0;
}
