// LatentModel: what the latent explorer shows, without any GL or ImGui.
//
// It holds a trained generator G (from any GAN checkpoint our trainer writes), the current latent
// vector z (latent_dim components, 100 for dcgan20) and answers the panel's questions:
//   - G(z) in evaluation mode, and every layer's output for that z ("Inside G"), channels ranked
//     by activity (mean |value|, largest first);
//   - interpolation between two z (lerp, slerp) and a 2D plane of z around the current one;
//   - the nearest real image (pixel L2 over a dataset, e.g. the built-in digits);
//   - class directions: the mean z of samples a classifier labels as each class;
//   - the slice of a ConvTranspose2d layer that the stepper can replay: one input channel, one
//     output channel, the layer's real weights and real input plane, and the event that writes a
//     chosen output pixel.
// Latent vectors are std::vector<float> of length latent_dim; images are Tensors (N, C, H, W) in
// [-1, 1] (tanh's range).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/shape.h"
#include "convt/tensor.h"
#include "convt/train/gan_trainer.h"
#include "convt/train/generator.h"
#include "logic/generator_weights.h"
#include "logic/quality_score.h"
#include "logic/stepper_model.h"

namespace convt::lab {

using Latent = std::vector<float>;

// ---- Interpolation -----------------------------------------------------------------------------
enum class Interpolation { kLinear, kSpherical };
const char* interpolation_name(Interpolation mode);  // "lerp", "slerp"

// (1 - t) a + t b. Throws std::invalid_argument when the sizes differ.
Latent lerp(const Latent& a, const Latent& b, float t);
// Spherical interpolation (Shoemake 1985; White 2016 for GAN latents):
//   omega = angle(a, b), slerp = sin((1 - t) omega) / sin(omega) a + sin(t omega) / sin(omega) b.
// Endpoints are exact (t = 0 gives a, t = 1 gives b). Falls back to lerp when a and b are nearly
// parallel (sin(omega) < kSlerpMinSin) or one of them is zero, where the formula divides by ~0.
// For unit a, b the result has unit norm; equal t steps are equal angle steps.
inline constexpr double kSlerpMinSin = 1e-4;
Latent slerp(const Latent& a, const Latent& b, float t);
// `steps` (>= 2) latents from a to b, endpoints included, at t = i / (steps - 1).
std::vector<Latent> interpolate(const Latent& a, const Latent& b, int steps, Interpolation mode);

// ---- 2D plane around z -------------------------------------------------------------------------
// Two directions spanning the plane.
struct PlaneAxes {
  Latent u, v;
};
// Unit vectors along components i and j (i != j, both in [0, dim)).
PlaneAxes component_axes(int dim, int i, int j);
// Two random orthonormal directions from Rng(seed) (normal samples, Gram-Schmidt).
PlaneAxes random_orthonormal_axes(int dim, uint64_t seed);
// n x n latents (n odd >= 1, row-major, row 0 at the top): z + (col - c) * spacing * u
// - (row - c) * spacing * v, c = (n - 1) / 2, so the centre is z itself and v points up.
std::vector<Latent> plane_grid(const Latent& z, const PlaneAxes& axes, int n, float spacing);

// ---- Nearest real neighbour --------------------------------------------------------------------
struct Neighbour {
  int64_t index = -1;     // into the dataset's images
  float distance = 0.0f;  // Euclidean pixel distance sqrt(sum (a - b)^2), pixels in [-1, 1]
};
// The image of `images` (N, C, H, W) closest to `image` (C*H*W values, same layout). Ties go to
// the lower index. Throws std::invalid_argument when the sizes differ or images is empty.
Neighbour nearest_neighbour(const Tensor& images, const float* image, int64_t image_numel);

// The real images (a convt::load_dataset spec, read at the generator's size) that the nearest
// real image searches for a generator of images (C, H, W) trained on `data` (Generator::data):
// "digits" for a generator of the built-in digits (draws_digits); its own data for one trained
// on the emoji ("emoji", "emoji:CATEGORY": the emoji package, scripts/setup.sh --with-emoji); ""
// for any other (Fashion-MNIST's 60,000 images would take 190 MB for it, and a folder of one's
// own may have moved since).
std::string nearest_real_spec(const std::vector<int64_t>& image_shape, const std::string& data);

// ---- Class directions --------------------------------------------------------------------------
// Classifies images (N, C, H, W) -> N labels in [0, num_classes) (or -1: unsure).
using Classifier = std::function<std::vector<int>(const Tensor& images)>;

struct ClassDirections {
  std::vector<Latent> mean;    // (num_classes) mean z of the samples labelled as each class
  std::vector<int64_t> count;  // samples per class; mean[c] is empty when count[c] == 0
  int num_classes() const { return static_cast<int>(mean.size()); }
};
// Labels from a classifier network (x (N, C, H, W) -> logits (N, num_classes), e.g. the
// dashboard's digit CNN, quality_score.h), in evaluation mode: argmax of softmax(logits), or -1
// when its probability is below min_confidence.
std::vector<int> classify(nn::Sequential& net, const Tensor& images, float min_confidence);
// Mean z per label. zs (N, latent_dim), labels (N) in [0, num_classes) or -1 (ignored).
ClassDirections class_directions(const Tensor& zs, const std::vector<int>& labels, int num_classes);
// z + amount * (mean[cls] - z): amount 0 keeps z, 1 lands on the class mean. Throws
// std::invalid_argument when the class has no samples.
Latent toward_class(const Latent& z, const ClassDirections& dirs, int cls, float amount);

// ---- Layer outputs -----------------------------------------------------------------------------
struct ChannelActivity {
  int channel = 0;
  float mean_abs = 0.0f;  // mean |value| over the channel's plane
  float min = 0.0f, max = 0.0f;
};
// Channels of one sample's layer output `act` (1, C, H, W) or (1, F) (then F channels of 1x1),
// most active first (mean |value| descending; ties: lower channel first).
std::vector<ChannelActivity> rank_channels(const Tensor& act);

struct LayerOutput {
  int index = 0;            // position in G
  std::string label;        // "up1", or empty for a layer G gave no name (Reshape)
  std::string type;         // "ConvTranspose2d"
  std::string description;  // layer->describe()
  Tensor output;            // (1, C, H, W) or (1, F)
  int channels = 0, height = 1, width = 1;
  std::vector<ChannelActivity> ranked;
  float abs_max = 0.0f;  // max |value| (the symmetric colour scale)

  // The layer as the panel names it: "4 up1", or "3" for an unnamed layer (never "3 3").
  std::string name() const;
};

// ---- The stepper slice -------------------------------------------------------------------------
// One (input channel, output channel) slice of a ConvTranspose2d layer of G, as the stepper
// replays it: out_slice = conv_transpose2d(input (1, 1, h, w), weight (1, 1, kH, kW), params).
// The layer's real output at (oc, oy, ox) is the sum of these slices over every input channel.
//
// The stepper shows inputs up to StepperLimits::kMaxSize (8x8). A larger input plane (up2's
// 10x10, the output layer's 20x20) is cut to a window of at most 8x8 that holds every input
// pixel whose stamp reaches (oy, ox); the window, replayed with the layer's own stride, padding
// and output_padding, writes window pixel (window_oy, window_ox) = (oy - y0*stride,
// ox - x0*stride) with exactly the layer's value at (oy, ox), because the scatter
// out[iy*stride + ky*dilation - padding] += x[iy] * w[ky] maps input row iy - y0 to output row
// oy - y0*stride. Pixels near the window's edges miss the stamps of input pixels outside it.
struct StepperSlice {
  int layer = -1;  // index in G
  int in_channel = 0, out_channel = 0;
  int oy = 0, ox = 0;  // the chosen output pixel, in the layer's output
  Tensor input;        // (1, 1, h, w): the window of channel in_channel of the layer's real input
  Tensor weight;       // (1, 1, kH, kW): weight[in_channel, out_channel] of the layer
  Pair kernel_size{1, 1};
  ConvTranspose2dParams params;
  // The window: its top-left input pixel (y0, x0) and the layer's whole input plane (H, W).
  // (0, 0) and h == H, w == W when the whole plane fits the stepper.
  int window_y0 = 0, window_x0 = 0;
  int input_height = 0, input_width = 0;
  int window_oy = 0, window_ox = 0;  // (oy, ox) in the window's output (the stepper's)
  bool windowed() const;
  // (1, 1, H_out, W_out) of the window: its contribution, by the core kernel. At
  // (window_oy, window_ox) it equals the whole slice's contribution to (oy, ox).
  Tensor slice_output;
  // Events of the window's trace (scatter order: iy, ix, ky, kx) that write (window_oy,
  // window_ox), in order.
  std::vector<int64_t> events;
  int64_t event_index = -1;  // the first of them (-1: no input pixel reaches (oy, ox))
  int64_t event_count = 0;   // h * w * kH * kW
};

// The first input row (or column) y0 of a window of `window` rows out of `size` that holds every
// input row whose stamp reaches output row `o` of a transposed convolution (kernel k, stride,
// padding, dilation; the window's output has `window_out` rows), with o - y0*stride inside
// [0, window_out), as near its middle as possible. -1 when no window of that size does.
int stepper_window_start(int size, int window, int o, int k, int stride, int padding, int dilation,
                         int window_out);

// The stepper configuration that replays the slice (conv_transpose2d, C_in = C_out = 1).
StepperConfig stepper_config(const StepperSlice& slice);
// "" when the stepper can show the slice, else why not (its size limits, e.g. inputs up to 8x8).
std::string stepper_fit(const StepperSlice& slice);
// Loads the slice into the stepper: configuration, the real input and weight values, and the
// position just after the slice's event_index (the chosen write applied). Returns stepper_fit();
// the stepper is left unchanged when that is not "".
std::string load_into_stepper(const StepperSlice& slice, StepperModel& stepper);

// ---- The model ---------------------------------------------------------------------------------
class LatentModel {
 public:
  LatentModel() = default;

  // Loads a generator (convt-lab train's checkpoint or a generator file, convt/train/generator.h);
  // `which` picks G or the averaged G_ema. On any failure (missing, corrupt, truncated file, not
  // a GAN checkpoint, tensors missing or mis-shaped) keeps the previous model, sets error() to a
  // one-paragraph message naming the file and returns false. z is kept when the latent size
  // stays the same, else reset to Rng(seed()) samples. load() = read() then adopt(), or failed().
  bool load(const std::string& path, GeneratorChoice which = GeneratorChoice::prefer_ema);
  // The slow part of load (reading the file, building G, re-estimating G_ema's statistics): it
  // touches no member, so it may run on another thread. Throws CheckpointError.
  static Generator read(const std::string& path,
                        GeneratorChoice which = GeneratorChoice::prefer_ema);
  // The quick part: takes a generator that read(path) returned.
  void adopt(Generator g, const std::string& path);
  // Records that loading `path` failed with `what`; the previous model stays.
  void failed(const std::string& path, const std::string& what);
  // Takes G from a training run's published copy ("follow training", generator_weights.h). When
  // the spec is the loaded model's, the tensors are copied into its G (no rebuild: cheap enough
  // to do every second on the UI thread); otherwise a new G is built from w.spec. Every tensor is
  // checked (name, shape; all of G's present) before anything changes: on a mismatch returns
  // false, error() names the tensor and the previous model stays. z is kept when the latent size
  // stays the same.
  bool load_generator(const GeneratorWeights& w);
  bool loaded() const { return gen_.G != nullptr; }
  // G is the file's averaged generator G_ema (train --ema-decay), not the last trained G.
  bool averaged() const { return loaded() && gen_.averaged; }
  const std::string& error() const { return error_; }
  // The loaded model's file, or "the dashboard's run (step N)" after load_generator().
  const std::string& path() const { return path_; }
  std::string model_name() const;  // "dcgan20"
  int64_t trained_steps() const;
  // The training data's name as the file records it ("digits20", "emoji:smileys-emotion");
  // "" when it does not say (Generator::data).
  std::string trained_on() const { return loaded() ? gen_.data : std::string(); }
  // lab::draws_digits of this model (false when none is loaded).
  bool draws_digits() const { return loaded() && lab::draws_digits(image_shape(), trained_on()); }
  int latent_dim() const;
  std::vector<int64_t> image_shape() const;  // (C, H, W)

  // ---- z ----
  const Latent& z() const { return z_; }
  void set_z(const Latent& z);             // throws std::invalid_argument on a size mismatch
  void set_component(int i, float value);  // marks the image stale
  void reset_component(int i);             // back to the value of the last randomise/zero
  void randomise(uint64_t seed);           // z = latent_batch(1, seed), as the trainer's
  void zero();
  uint64_t seed() const { return seed_; }
  const Latent& base_z() const { return base_z_; }  // what reset_component returns to

  // ---- G ----
  // Images for latents (N, latent_dim) -> (N, C, H, W), evaluation mode.
  Tensor generate(const std::vector<Latent>& zs);
  Tensor generate(const Tensor& zs);
  // G(z) for the current z (recomputed when z changed), and every layer's output for it.
  const Tensor& image();                                       // (1, C, H, W)
  const std::vector<LayerOutput>& layers();                    // one per layer of G
  double last_forward_ms() const { return last_forward_ms_; }  // wall time of the last G(z)
  // N random latents from seed (the trainer's latent_batch): (N, latent_dim).
  Tensor latent_batch(int64_t n, uint64_t seed) const;
  static Latent row(const Tensor& zs, int64_t i);

  // Indices of G's ConvTranspose2d layers.
  std::vector<int> conv_transpose_layers();
  // The stepper slice of layer `layer` (a ConvTranspose2d) for the current z, windowed to the
  // stepper's 8x8 when the input plane is larger (StepperSlice). Throws std::invalid_argument
  // naming the bad argument (not a ConvTranspose2d, channel or pixel out of range).
  StepperSlice stepper_slice(int layer, int in_channel, int out_channel, int oy, int ox);

  nn::Sequential& G();
  // A copy of G with the same weights and statistics, in evaluation mode, for work on another
  // thread while this one keeps using G.
  std::unique_ptr<nn::Sequential> copy_of_G();

 private:
  void refresh();
  Generator gen_;  // gen_.G is null until a model is loaded
  std::string path_, error_;
  Latent z_, base_z_;
  uint64_t seed_ = 1;
  bool stale_ = true;
  Tensor image_;
  std::vector<LayerOutput> layers_;
  double last_forward_ms_ = 0.0;
};

// The ConvTranspose2d parameters of G's layer `index` from the model spec (Keras "same"/"valid"
// padding resolved as the builder does). Throws std::invalid_argument if it is not one.
ConvTranspose2dParams conv_transpose_params(const nlohmann::json& spec, int index,
                                            Pair* kernel_size);

}  // namespace convt::lab
