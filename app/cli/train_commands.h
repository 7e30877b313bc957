// The training subcommands of convt-lab (dispatched from cli.cpp):
//   convt-lab train  --model dcgan20 --data digits|fashion-mnist|PATH ... --out RUN_DIR [--resume]
//   convt-lab sample --checkpoint FILE [--n 1000] [--seed S] [--z z.npy] --out samples.npy|.png
//   convt-lab export-generator --checkpoint RUN/checkpoint.safetensors --out G.safetensors
//   convt-lab bench train --model dcgan20 [--batch 256] [--steps 20] [--threads N] [--backend B]
// Each returns the exit status; bad input throws (run_cli prints one line, exit status 2).
#pragma once

#include <string>

#include "args.h"
#include "convt/nn/layer.h"
#include "convt/nn/model_spec.h"
#include "convt/shape.h"

namespace convt::cli {

int run_train(int argc, char** argv);
int run_sample(int argc, char** argv);
int run_export_generator(int argc, char** argv);
int run_bench(int argc, char** argv);

std::string train_usage();
std::string sample_usage();
std::string export_generator_usage();
std::string bench_usage();

// ---- helpers shared by the three (cmd_common.cpp) ----
// `v` in as few digits as it needs, up to 10: "1e-09", "10", "0.9999999".
std::string format_number(double v);
// A finite number in [min_value, max_value] ("1e-4", "0.5"); CliError naming the flag otherwise.
double parse_number(const std::string& flag, const std::string& text, double min_value,
                    double max_value);
// --backend naive|fast; CliError otherwise.
nn::Backend parse_backend_flag(const std::string& text);
// Applies --threads N (1..64) to the fast backend; returns N.
int apply_threads(const Args& a);
// Removes a value-less flag (e.g. "--resume") from argv, returning whether it was there.
// `argv` is rewritten in place; argc is updated.
bool take_switch(int& argc, char** argv, const std::string& flag);
// For its lifetime, Ctrl-C (SIGINT) and SIGTERM (kill, timeout) set a flag a training loop checks,
// so both stop after the current step and the run saves; then the previous handlers come back.
// Create it before the data loads, so that a signal that comes early is not lost. One at a time.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  bool raised() const;
  const char* name() const;  // "Ctrl-C" or "SIGTERM"

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

// Returns build(), which builds a model from the spec --model `model` names; a SpecError or
// ShapeError it throws (a bad layer field, sizes that do not fit) is re-thrown naming the flag
// and the file: "--model 'wild.json': G layer 2 '2' LeakyReLU: \"negative_slope\": ...".
template <class Build>
auto build_from_model_flag(const std::string& model, Build&& build) -> decltype(build()) {
  try {
    return build();
  } catch (const nn::SpecError& e) {
    throw CliError("--model '" + model + "': " + e.what());
  } catch (const ShapeError& e) {
    throw CliError("--model '" + model + "': " + e.what());
  }
}

}  // namespace convt::cli
