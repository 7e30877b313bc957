// `convt-lab ffnn-train`: the notes' FFNN + transposed-convolution generator trained with MSE to
// random real images (convt/train/ffnn.h), with its samples beside a GAN's from the same z.
// Dispatched from cli.cpp.
#pragma once

#include <string>

namespace convt::cli {

int run_ffnn_train(int argc, char** argv);
std::string ffnn_train_usage();

}  // namespace convt::cli
