// `convt-lab complete-train`: trains the learn-to-complete CNN (convt/train/completion.h), tied,
// untied or both with the same data, seed and number of steps, and reports held-out MSE and
// parameter counts side by side. Dispatched from cli.cpp.
#pragma once

#include <string>

namespace convt::cli {

int run_complete_train(int argc, char** argv);
std::string complete_train_usage();

}  // namespace convt::cli
