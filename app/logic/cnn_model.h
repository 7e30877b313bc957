// The CNN panel's image kernels, without GL: a real picture (a built-in digit, an emoji, or a
// PNG/JPG of the student's) through the core's recorded conv2d with a 3x3 or 5x5 kernel, then
// optional ReLU and max_pool2d stages, plus what the panel lists when the mouse is over an
// output pixel (the kernel_size^2 products of its window and their sum, read from the trace).
//
//   picture  (C, 1, H, W)    float in [0, 1], 0 black, 1 white (the explorable's 0..255 / 255;
//                            the datasets' [-1, 1] is mapped by (x + 1) / 2, so that the zero
//                            padding is black, as the digits' paper); C = 1 (grayscale) or 3. Each
//                            channel is its own batch item, so one conv2d call applies the same
//                            kernel to every channel separately (as the "Image Kernels" explorable
//                            does on a colour photo).
//   weight   (1, 1, k, k)    PyTorch's Conv2d layout (C_out, C_in, kH, kW), k = kernel_size 3 or 5
//   conv     (C, 1, H1, W1)  H1 = floor((H + 2P - D(k-1) - 1)/S) + 1 (convt::conv2d_out_size)
//   relu     (C, 1, H1, W1)  max(0, conv), when the ReLU stage is on
//   pooled   (C, 1, H2, W2)  max_pool2d, kernel_size 2, stride 2, of the stage before it
// No bias. Stride, padding and dilation are the same on both axes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/recorder.h"
#include "convt/tensor.h"
#include "logic/cnn_inside.h"
#include "logic/folder_browser.h"
#include "logic/stepper_model.h"

namespace convt::lab {

// ---- Kernel presets -------------------------------------------------------------------------
struct KernelPreset {
  const char* name;           // command-line name: --kernel sobel_x
  const char* title;          // shown in the combo box: "Sobel x (vertical edges)"
  int kernel_size;            // 3 or 5
  std::vector<float> values;  // (kernel_size, kernel_size), row-major
  const char* what;           // one line: what it does to a picture
};

// identity, box_blur, gaussian_blur, sharpen, outline, sobel_x, sobel_y, emboss (each one's
// values and source are given in cnn_model.cpp), then classifier_0 .. classifier_15: the 16
// learned 3x3 kernels of conv1 of the digit classifier (assets/classifier/digits20.safetensors,
// tensor "0.weight" (16, 1, 3, 3)), when that file loads; then d_<k>: 16 of the 64 learned 5x5
// kernels of the first layer of the shipped GAN D (kShippedDAsset, "D.0.weight"), the largest
// by L2 norm first, k the channel in D, when that file loads.
const std::vector<KernelPreset>& cnn_kernel_presets();
// The preset called `name`, or nullptr.
const KernelPreset* find_kernel_preset(const std::string& name);
// "identity, box_blur, ..." for error messages.
std::string kernel_preset_names();

// ---- Pictures -------------------------------------------------------------------------------
// The longest side a picture of the student's is shrunk to (area resize, aspect kept), so that
// every pixel stays visible and the recorded conv2d stays small.
constexpr int kCnnMaxPictureSide = 128;
// Files with more pixels than this are refused before they are decoded.
constexpr long long kCnnMaxFilePixels = 40'000'000;

// Decodes the PNG/JPG at `path` with stb_image (transparency composited on white), as RGB,
// shrinks it so its longer side is at most max_side (area resize, convt/data/resize.h), and
// returns it as (3, 1, h, w) in [0, 1] (pixel / 255). Throws DataError naming the file and saying
// what was expected and found: no such file, a folder, not an image stb_image can decode (with its
// reason), larger than kCnnMaxFilePixels. Never crashes on a corrupt file.
Tensor load_cnn_picture(const std::string& path, int max_side = kCnnMaxPictureSide);

// The PNG/JPG files directly in `dir` (names only, sorted; lab::is_image_file_name), for the
// "Browse..." popup beside lab::list_folder's subfolders. Empty when `dir` cannot be listed.
std::vector<std::string> picture_files(const std::string& dir);

// (3, 1, H, W) RGB -> (1, 1, H, W) luminance, (77 R + 150 G + 29 B) / 256, as the image-folder
// loader. A (1, 1, H, W) picture is returned as it is.
Tensor to_grayscale(const Tensor& rgb);

// ---- The model ------------------------------------------------------------------------------
// kDrawing: the 20x20 canvas of "Inside the classifier" (`inside` below), drawn or a picked digit.
enum class CnnSource { kDigit, kEmoji, kFile, kFashion, kDrawing };

// One term of a hovered output pixel: x[iy, ix] * w[ky, kx]; (iy, ix) may lie in the zero
// padding (`padding` true, x = 0).
struct CnnProduct {
  int ky = 0, kx = 0, iy = 0, ix = 0;
  float x = 0, w = 0, product = 0;
  bool padding = false;
};

struct CnnModel {
  // ---- What the student sets --------------------------------------------------------------
  CnnSource source = CnnSource::kDigit;
  int digit = 3119;          // index into the built-in 28x28 digits (0..9999): a 3
  int emoji = 0;             // index into the loaded emoji
  int fashion = 0;           // index into Fashion-MNIST's 10,000 test items (when installed)
  int drawing_version = -1;  // inside.version when the drawing was last taken (kDrawing)
  bool keep_rgb = true;      // emoji and files: RGB per channel (true) or grayscale
  std::string file_path;     // the student's picture (CnnSource::kFile)
  int kernel_size = 3;       // 3 or 5
  std::vector<float> weight = {-1, 0, 1, -2, 0, 2, -1, 0, 1};  // (k, k), row-major: Sobel x
  int preset = 6;    // index into cnn_kernel_presets() (6: sobel_x), -1 when typed
  int stride = 1;    // 1..4
  int padding = 1;   // 0..4
  int dilation = 1;  // 1..3
  bool relu = true;  // the ReLU stage
  bool pool = true;  // the max_pool2d stage (kernel_size 2, stride 2)

  // ---- What the model derives ---------------------------------------------------------------
  Tensor source_picture;      // (C0, 1, H, W) as loaded (C0 = 1 digits, 3 emoji and files)
  std::string picture_name;   // "digit #7 (label 3)", "emoji #12", "photo.png (128 x 96)"
  std::string picture_error;  // why the last picture could not be loaded ("" when it could)
  Tensor picture;             // (C, 1, H, W): the conv2d input (grayscale or RGB per channel)
  bool ok = false;            // conv ran
  std::string error;          // the core's ShapeError text when !ok
  std::string formula_h, formula_w;  // convt::conv_formula with the numbers substituted
  Tensor conv;                       // (C, 1, H1, W1)
  Tensor relu_out;                   // (C, 1, H1, W1) when relu, else empty
  bool pool_ok = false;              // the pool stage ran (it can fail on a 1x1 map)
  std::string pool_error;
  std::string pool_formula;         // the pool's H_out, substituted
  Tensor pooled;                    // (C, 1, H2, W2) when pool && pool_ok
  TraceRecorder trace{20'000'000};  // conv's events (C*H1*W1*k*k gather-adds)
  int version = 0;                  // increases at every recompute (for the textures)

  // Loads the picture `source` names (digits and emoji are loaded once, on first use, and kept).
  // On failure keeps the previous picture and sets picture_error. Then recompute().
  void load_picture();
  // Sets the kernel to preset `index` of cnn_kernel_presets() (its size and values).
  // Throws std::out_of_range for a bad index. Does not recompute.
  void apply_preset(int index);
  // Changes kernel_size to 3 or 5, keeping the centre of the old kernel where it fits.
  void set_kernel_size(int k);
  // Runs conv2d (recorded), ReLU and max_pool2d on `picture` with the settings; an invalid
  // combination sets ok = false and `error`, and clears the results.
  void recompute();

  int channels() const { return picture.ndim() == 4 ? static_cast<int>(picture.dim(0)) : 0; }
  int in_h() const { return picture.ndim() == 4 ? static_cast<int>(picture.dim(2)) : 0; }
  int in_w() const { return picture.ndim() == 4 ? static_cast<int>(picture.dim(3)) : 0; }
  int out_h() const { return ok ? static_cast<int>(conv.dim(2)) : 0; }
  int out_w() const { return ok ? static_cast<int>(conv.dim(3)) : 0; }

  // The kernel_size^2 products of output pixel (oy, ox) of channel c, in the core's loop order
  // (ky, kx), read from the conv2d trace; they sum to conv[c, 0, oy, ox]. Empty when !ok or
  // out of range.
  std::vector<CnnProduct> products(int c, int oy, int ox) const;
  // The input rectangle the window of output pixel (oy, ox) covers, padding included:
  // rows iy0 .. iy0 + span - 1, columns ix0 .. ix0 + span - 1, span = dilation*(k-1) + 1.
  struct Window {
    int iy0 = 0, ix0 = 0, span = 0;
  };
  Window window(int oy, int ox) const;

  // The datasets, loaded on first use (shared so that copies of the model share them).
  std::shared_ptr<Dataset> digits, emojis, fashion_items;
  std::string emoji_error;    // why the emoji could not be loaded (not installed, ...)
  std::string fashion_error;  // why Fashion-MNIST could not be loaded

  // "Inside the classifier": the classifier and D on a 20x20 drawing (logic/cnn_inside.h).
  InsideModel inside;
};

// ---- "Step through this" --------------------------------------------------------------------
// Why the stepper cannot replay one output pixel's window ("" when it can): the window's reach
// dilation*(kernel_size-1)+1 must fit the stepper's input (StepperLimits::kMaxSize, 8), and
// the conv must have run.
std::string cnn_stepper_fit(const CnnModel& m);

// Loads the window of output pixel (oy, ox) of channel c into `stepper` as a conv2d of its own:
// input (1, 1, span, span) = the picture under the window (0 where it reads the zero padding),
// weight (1, 1, k, k) = the kernel, stride 1, padding 0, the same dilation, so its single output
// pixel is conv[c, 0, oy, ox], made of the same products in the same order. Position 0.
// Returns "" on success, else why not (cnn_stepper_fit, or a pixel outside the output); the
// stepper is then unchanged.
std::string load_cnn_window_into_stepper(const CnnModel& m, int c, int oy, int ox,
                                         StepperModel& stepper);

// The panel's two views: image kernels on a picture, or inside the digit classifier (and D).
enum class CnnSection { kKernels, kClassifier };

// The view state the panel keeps between frames.
struct CnnView {
  CnnSection section = CnnSection::kKernels;
  InsideView inside;                      // "Inside the classifier"
  int hovered_y = -1, hovered_x = -1;     // the output pixel under the mouse (last frame), or -1
  int pinned_y = -1, pinned_x = -1;       // clicked: kept when the mouse leaves
  int channel = 0;                        // the channel whose products are listed (RGB)
  int textures_version = -1;              // model.version the RGB textures show
  char path_field[512] = "";              // the "Your picture" text field
  std::string step_message;               // why "Step through this" failed, shown under it
  FolderListing browse;                   // the "Browse..." popup's folder
  std::vector<std::string> browse_files;  // its PNG/JPG files
};

}  // namespace convt::lab
