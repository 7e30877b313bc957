// CompletionModel: what the completion panel shows, without any GL or ImGui.
//
// The notes' learn-to-complete CNN (convt/train/completion.h), trained twice by
// `convt-lab complete-train`: with weight tying (each decoder ConvTranspose2d uses the kernel of
// its mirror encoder Conv2d) and without. This class holds both models and answers the panel's
// questions for one input image:
//
//   canvas (H, W)  the whole image, the target; a held-out digit or the student's drawing
//   mask   (H, W)  1 kept, 0 hidden (convt/train/masks.h): bottom half, left half, a random
//                  square (seeded) or everything
//   masked (1, 1, H, W) = canvas where kept, 0 where hidden (0 is mid-grey in [-1, 1])
//   completion of each model (1, 1, H, W), with code zero (the trainer's evaluation setting),
//   its MSE to the canvas over every pixel and over the hidden ones;
//   iterative refinement (the notes: feed the output back in; visible pixels put back each pass);
//   drawings from a blank canvas with random latent codes (the same codes for both models);
//   the held-out loss curves read from each run's log.csv.
//
// Images are float in [-1, 1] (tanh's range): -1 paper (black), +1 ink (white), as the digits.
// Results are recomputed lazily when the canvas, the mask or a model changes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convt/tensor.h"
#include "convt/train/completion.h"
#include "convt/train/masks.h"
#include "logic/drawing.h"  // Brush

namespace convt::lab {

// ---- The two models ----------------------------------------------------------------------------
enum class Tying { kTied = 0, kUntied = 1 };
inline constexpr std::array<Tying, 2> kBothTyings{Tying::kTied, Tying::kUntied};
const char* tying_name(Tying t);  // "tied", "untied"

// ---- Training logs (convt-lab complete-train's DIR/<tied|untied>/log.csv) ----------------------
// Columns: step, epoch, loss, samples_per_second, heldout_mse (-1 on rows without an
// evaluation).
struct CompletionLog {
  std::vector<float> step, loss;                 // every row: the batch's training MSE
  std::vector<float> heldout_step, heldout_mse;  // rows with heldout_mse >= 0
  double mean_samples_per_second = 0.0;          // over every row
  int64_t last_step() const { return step.empty() ? 0 : static_cast<int64_t>(step.back()); }
  // The last held-out MSE (NaN when there is none).
  double final_heldout_mse() const;
};
// Parses the text of a log.csv. `where` (the file name) starts every error message. Throws
// std::runtime_error naming `where`, the line and what was expected: a header without the five
// columns, a row with another number of fields or a field that is not a number, no rows.
CompletionLog parse_completion_log(const std::string& text, const std::string& where);
// Reads and parses `path`; std::runtime_error naming the path when it cannot be read.
CompletionLog load_completion_log(const std::string& path);

// ---- Region MSE --------------------------------------------------------------------------------
struct RegionError {
  double mse = 0.0;         // mean (out - target)^2 over every pixel
  double hidden_mse = 0.0;  // over the hidden pixels only (0 when none is hidden)
  int64_t hidden = 0;       // hidden pixels
};
// out, target (1, 1, H, W) or (H, W) with H * W == mask.numel(); mask (H, W). Throws
// std::invalid_argument when the sizes differ.
RegionError region_error(const Tensor& out, const Tensor& target, const Tensor& mask);

// How much n drawings differ: the mean over pixels of their standard deviation across the
// drawings (population form, sqrt(mean (x - mean x)^2)). 0 when all are the same, e.g. when a
// model ignores its latent code. images (n, C, H, W), n >= 1; throws std::invalid_argument for
// another rank or n = 0.
double spread_across_images(const Tensor& images);

// ---- The model ---------------------------------------------------------------------------------
class CompletionModel {
 public:
  // The canvas side the panel draws on: the 28x28 built-in digits.
  static constexpr int kSize = 28;

  CompletionModel();

  // Loads a completion checkpoint (convt-lab complete-train's checkpoint.safetensors) as model
  // `t`. The checkpoint's own config decides tied or not; a checkpoint of the other kind, of
  // images other than 1 x 28 x 28, missing, truncated or not a completion checkpoint is refused:
  // returns false, error(t) names the file and what was wrong, and the previous model of slot
  // `t` (if any) is kept.
  bool load(Tying t, const std::string& path);
  bool loaded(Tying t) const { return slot(t).trainer != nullptr; }
  const std::string& error(Tying t) const { return slot(t).error; }
  const std::string& path(Tying t) const { return slot(t).path; }
  int64_t trained_steps(Tying t) const;
  int64_t parameter_count(Tying t) const;       // every trained number, a tied kernel once
  int64_t conv_parameter_count(Tying t) const;  // in conv and transposed-conv layers
  int latent_dim(Tying t) const;
  MaskKind trained_mask(Tying t) const;  // the region hidden in training

  // The training log of model `t`; false + log_error(t) when it cannot be read (the model itself
  // still works).
  bool load_log(Tying t, const std::string& path);
  bool has_log(Tying t) const { return slot(t).has_log; }
  const CompletionLog& log(Tying t) const { return slot(t).log; }
  const std::string& log_error(Tying t) const { return slot(t).log_error; }

  // ---- The input ----
  // The canvas (1, 1, 28, 28): the target and what is drawn on.
  const Tensor& canvas() const { return canvas_; }
  // Copies image n of `images` (N, 1, 28, 28) into the canvas. Throws std::invalid_argument for
  // another shape or n out of range.
  void set_canvas(const Tensor& images, int64_t n);
  void clear_canvas();  // all paper (-1)
  // One brush stroke from (y0, x0) to (y1, x1), in pixel units (pixel (r, c) is centred at
  // (r + 0.5, c + 0.5)); a dab when both points are the same. Returns whether a pixel changed.
  bool stroke(float y0, float x0, float y1, float x1, const Brush& brush);

  // ---- The hidden region ----
  void set_region(MaskKind kind);
  MaskKind region() const { return spec_.kind; }
  // Random square: its position comes from Rng(square_seed), side 14 (half the canvas).
  void set_square_seed(uint64_t seed);
  uint64_t square_seed() const { return square_seed_; }
  const Tensor& mask() const { return mask_; }      // (28, 28), 1 kept, 0 hidden
  const Tensor& masked() const { return masked_; }  // (1, 1, 28, 28)

  // ---- What the models make of it (empty Tensor when model `t` is not loaded) ----
  // Completion with code zero (1, 1, 28, 28).
  const Tensor& completion(Tying t);
  RegionError completion_error(Tying t);  // completion vs canvas over the current mask
  // `passes` (1..kMaxPasses) outputs of iterative refinement, pass 1 first; visible pixels are
  // put back from the masked input before each next pass. Throws std::invalid_argument for
  // passes out of range.
  static constexpr int kMaxPasses = 12;
  std::vector<Tensor> refinement(Tying t, int passes);
  // n (1..64) drawings from a blank (all-zero) canvas with codes ~ N(0, 1) from Rng(seed):
  // (n, 1, 28, 28). The same seed gives both models the same codes.
  Tensor blank_canvas(Tying t, int n, uint64_t seed);
  // Held-out MSE of model `t` on `images` (N, 1, 28, 28) with the current region hidden (a new
  // random square per image from Rng(mask_seed) for random_square), code zero.
  CompletionEval evaluate(Tying t, const Tensor& images, uint64_t mask_seed = 1);

  // Increments whenever the canvas, mask or a model changes (for the panel's caches).
  uint64_t version() const { return version_; }

 private:
  struct Slot {
    std::unique_ptr<CompletionTrainer> trainer;
    std::string path, error;
    bool has_log = false;
    CompletionLog log;
    std::string log_error;
    Tensor completion;  // cached for version
    uint64_t completion_version = UINT64_MAX;
  };
  Slot& slot(Tying t) { return slots_[static_cast<size_t>(t)]; }
  const Slot& slot(Tying t) const { return slots_[static_cast<size_t>(t)]; }
  void remask();
  void changed() { ++version_; }

  std::array<Slot, 2> slots_;
  Tensor canvas_;  // (1, 1, 28, 28)
  MaskSpec spec_;
  uint64_t square_seed_ = 1;
  Tensor mask_;    // (28, 28)
  Tensor masked_;  // (1, 1, 28, 28)
  uint64_t version_ = 0;
};

}  // namespace convt::lab
