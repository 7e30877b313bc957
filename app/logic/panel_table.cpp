#include "logic/panel_table.h"

#include <stdexcept>

namespace convt::lab {

const std::vector<PanelInfo>& all_panels() {
  static const std::vector<PanelInfo> panels = {
      {PanelId::kLessons, "lessons", "Lessons",
       "Start here: ten short lessons, from convolution to GANs, each with a Show me button that "
       "opens the panel that shows the answer, set up (preset, step, selected cell, a real run).",
       true},
      {PanelId::kPlayground, "playground", "Playground",
       "A 3x3 input and a 3x3 kernel through conv_transpose2d, with stride / padding / "
       "output_padding sliders.",
       true},
      {PanelId::kStepper, "stepper", "Stepper",
       "A transposed convolution one scatter-add at a time, replaying the core's trace; "
       "conv2d and max_pool2d steppers beside it.",
       true},
      {PanelId::kFormula, "formula", "Formula",
       "The output-size formula term by term, with plots, the round trip through conv2d and "
       "the GAN's layer tables.",
       true},
      {PanelId::kTraining, "training", "Training",
       "Trains the 20x20 DCGAN live on a worker thread: Step A / Step B one at a time, loss "
       "curves, fixed-z samples beside real digits, diagnoses.",
       true},
      {PanelId::kLatent, "latent", "Latent",
       "Turn the 100 knobs of a trained generator's latent vector z and see the image, its "
       "nearest real digit, interpolations, a 2D plane of z and what every layer of G makes of it.",
       true},
      {PanelId::kCompletion, "completion", "Completion",
       "The learn-to-complete CNN, tied vs untied: hide part of a held-out digit (or draw one) "
       "and see both models fill it in live, pass by pass, and what they draw from a blank "
       "canvas; parameter counts and held-out loss curves side by side.",
       true},
      {PanelId::kExperiments, "experiments", "Other generators",
       "The notes' experiments beside the GAN: FFNN + transposed conv trained with MSE (blurry "
       "averages), the blank canvas (the decoder's dream, each ConvT layer's kernel from an "
       "impulse) before and after training, and the 32x32 RGB generator.",
       true},
      {PanelId::kCnn, "cnn", "CNN",
       "Image kernels on real pictures: a digit, an emoji or your own picture through conv2d "
       "with a preset or typed 3x3 / 5x5 kernel, then ReLU and max_pool2d; hover an output "
       "pixel for its window and products.",
       true},
  };
  return panels;
}

const PanelInfo& panel_info(PanelId id) {
  for (const PanelInfo& p : all_panels()) {
    if (p.id == id) return p;
  }
  throw std::logic_error("panel_info: unknown PanelId");
}

std::optional<PanelId> find_panel(const std::string& name) {
  for (const PanelInfo& p : all_panels()) {
    if (name == p.name) return p.id;
  }
  return std::nullopt;
}

std::string panel_names() {
  std::string names;
  for (const PanelInfo& p : all_panels()) {
    if (!names.empty()) names += ", ";
    names += p.name;
  }
  return names;
}

}  // namespace convt::lab
