// Helpers shared by the train / sample / bench subcommands.
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "convt/fast/fast_ops.h"
#include "train_commands.h"

namespace convt::cli {

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

double parse_number(const std::string& flag, const std::string& text, double min_value,
                    double max_value) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < min_value ||
      v > max_value) {
    throw CliError(flag + ": expected a number in [" + format_number(min_value) + ", " +
                   format_number(max_value) + "], found '" + text + "'");
  }
  return v;
}

nn::Backend parse_backend_flag(const std::string& text) {
  if (text == "naive") return nn::Backend::naive;
  if (text == "fast") return nn::Backend::fast;
  throw CliError("--backend: expected 'fast' or 'naive', found '" + text + "'");
}

int apply_threads(const Args& a) {
  const int n = static_cast<int>(a.count("--threads", 1, 64));
  fast::set_num_threads(n);
  return n;
}

namespace {
volatile std::sig_atomic_t g_interrupted = 0;  // the signal's number, 0 while none came
extern "C" void on_stop_signal(int signal_number) { g_interrupted = signal_number; }
}  // namespace

StopSignals::StopSignals() {
  g_interrupted = 0;
  previous_int_ = std::signal(SIGINT, on_stop_signal);
  previous_term_ = std::signal(SIGTERM, on_stop_signal);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
}

bool StopSignals::raised() const { return g_interrupted != 0; }

const char* StopSignals::name() const { return g_interrupted == SIGTERM ? "SIGTERM" : "Ctrl-C"; }

bool take_switch(int& argc, char** argv, const std::string& flag) {
  bool found = false;
  int out = 0;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && flag == argv[i]) {
      found = true;
      continue;
    }
    argv[out++] = argv[i];
  }
  argc = out;
  return found;
}

}  // namespace convt::cli
