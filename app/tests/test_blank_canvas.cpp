// Blank canvas: an impulse through a ConvTranspose2d layer stamps its kernel
// (an identity of the scatter: out[iy*s - p + ky] += 1 * w[ky]), for stride 1 and 2; the
// footprint of one pixel through the rest of a generator stays inside its receptive field; the
// decoder's dream has the image's shape and leaves the network's training flags as they were.
#include <gtest/gtest.h>

#include <cmath>

#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/rng.h"
#include "logic/blank_canvas.h"

namespace {

using convt::Pair;
using convt::Tensor;
namespace nn = convt::nn;
namespace lab = convt::lab;

// One ConvTranspose2d (2 -> 3, k3) on a 5x5 input, PyTorch init (non-zero bias when `bias`).
std::unique_ptr<nn::Sequential> one_convt(int stride, int padding, bool bias) {
  auto net = std::make_unique<nn::Sequential>("T", std::vector<int64_t>{2, 5, 5});
  convt::ConvTranspose2dParams p;
  p.stride = Pair(stride);
  p.padding = Pair(padding);
  net->add(std::make_unique<nn::ConvTranspose2d>(2, 3, Pair(3), p, bias), "convt");
  convt::Rng rng(11);
  net->reset_parameters(nn::InitScheme::pytorch, rng);
  return net;
}

const Tensor& weight_of(nn::Sequential& net) {
  return dynamic_cast<nn::ConvTranspose2d&>(net.layer(0)).weight;  // (C_in, C_out, kH, kW)
}

}  // namespace

TEST(BlankCanvas, ImpulseThroughStrideOneReproducesTheKernelExactly) {
  auto net = one_convt(1, 0, false);
  const lab::ConvTLayer layer = lab::convt_layers(*net).at(0);
  for (int ic = 0; ic < 2; ++ic) {
    const Tensor r = lab::impulse_response(*net, layer, ic, false);
    EXPECT_EQ(r.shape(), (std::vector<int64_t>{1, 3, 7, 7}));
    const Tensor k = lab::stamped_window(r, layer, 2, 2);  // the impulse sits at the centre
    const Tensor& w = weight_of(*net);
    for (int64_t i = 0; i < k.numel(); ++i)
      EXPECT_EQ(k[i], w[ic * 27 + i]) << "ic " << ic << " i " << i;
  }
}

TEST(BlankCanvas, ImpulseThroughStrideTwoStampsTheKernelOnceAndNothingElse) {
  auto net = one_convt(2, 1, false);
  const lab::ConvTLayer layer = lab::convt_layers(*net).at(0);
  EXPECT_EQ(layer.stride, Pair(2));
  EXPECT_EQ(layer.padding, Pair(1));
  const Tensor r = lab::impulse_response(*net, layer, 1, false);
  ASSERT_EQ(r.shape(), (std::vector<int64_t>{1, 3, 9, 9}));  // (5-1)*2 - 2*1 + 3 = 9
  const Tensor& w = weight_of(*net);
  for (int oc = 0; oc < 3; ++oc) {
    for (int oy = 0; oy < 9; ++oy) {
      for (int ox = 0; ox < 9; ++ox) {
        const int ky = oy - (2 * 2 - 1), kx = ox - (2 * 2 - 1);  // iy*stride - padding = 3
        const bool inside = ky >= 0 && ky < 3 && kx >= 0 && kx < 3;
        const float expected = inside ? w[((1 * 3 + oc) * 3 + ky) * 3 + kx] : 0.0f;
        EXPECT_EQ(r.at(0, oc, oy, ox), expected) << oc << " " << oy << " " << ox;
      }
    }
  }
}

TEST(BlankCanvas, BiasIsRemovedFromTheImpulseResponse) {
  auto net = one_convt(1, 0, true);
  const lab::ConvTLayer layer = lab::convt_layers(*net).at(0);
  const Tensor k = lab::stamped_window(lab::impulse_response(*net, layer, 0, false), layer, 2, 2);
  const Tensor& w = weight_of(*net);
  for (int64_t i = 0; i < k.numel(); ++i) EXPECT_NEAR(k[i], w[i], 1e-6f) << i;
}

TEST(BlankCanvas, FootprintThroughTheGeneratorStaysInTheReceptiveField) {
  nn::GanModel m = nn::build_gan(nn::load_model_spec("dcgan20"), 3);
  const std::vector<lab::ConvTLayer> layers = lab::convt_layers(*m.G);
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].label, "up1");
  EXPECT_EQ(layers[0].in_shape, (std::vector<int64_t>{256, 5, 5}));
  // The centre pixel (2, 2) of up1's input reaches rows 2*2 - 2 + [0, 4] = 2..6 of up1's output,
  // 2*2 - 2 .. 6*2 - 2 + 4 = 2..14 of up2's, 2 - 2 .. 14 - 2 + 4 = 0..16 of the image; outside,
  // every layer computes exactly what it computes for the zero input.
  const Tensor f = lab::impulse_response(*m.G, layers[0], 7, true, 3.0f);
  ASSERT_EQ(f.shape(), (std::vector<int64_t>{1, 1, 20, 20}));
  double inside = 0.0;
  for (int y = 0; y < 20; ++y) {
    for (int x = 0; x < 20; ++x) {
      if (y > 16 || x > 16) {
        EXPECT_EQ(f.at(0, 0, y, x), 0.0f) << y << " " << x;
      } else {
        inside += std::fabs(f.at(0, 0, y, x));
      }
    }
  }
  EXPECT_GT(inside, 0.0);
}

TEST(BlankCanvas, DreamHasTheImageShapeAndKeepsTrainingFlags) {
  nn::GanModel m = nn::build_gan(nn::load_model_spec("dcgan20"), 3);
  m.G->set_training(true);
  const Tensor d = lab::decoder_dream(*m.G, 1.0f);
  EXPECT_EQ(d.shape(), (std::vector<int64_t>{1, 1, 20, 20}));
  for (float v : d.values()) EXPECT_TRUE(std::isfinite(v));
  for (size_t i = 0; i < m.G->size(); ++i) EXPECT_TRUE(m.G->layer(i).training()) << i;
  // a different constant gives a different dream
  EXPECT_NE(lab::decoder_dream(*m.G, -1.0f).values(), d.values());
}

TEST(BlankCanvas, BadInputsAreRefused) {
  auto net = one_convt(1, 0, false);
  const lab::ConvTLayer layer = lab::convt_layers(*net).at(0);
  EXPECT_THROW(lab::impulse_input(layer, 2, 0, 0), std::out_of_range);
  EXPECT_THROW(lab::impulse_input(layer, 0, 5, 0), std::out_of_range);
  EXPECT_THROW(lab::run_layers(*net, 0, 1, Tensor({1, 2, 5, 5})), std::out_of_range);
  EXPECT_THROW(lab::run_layers(*net, 0, 0, Tensor({1, 2, 4, 5})), std::invalid_argument);
  nn::Sequential flat("F", {4});
  flat.add(std::make_unique<nn::ReLU>());
  EXPECT_THROW(lab::decoder_dream(flat, 1.0f), std::invalid_argument);
}
