#include "logic/blank_canvas.h"

#include <stdexcept>
#include <utility>

#include "logic/eval_scope.h"

namespace convt::lab {

namespace {

const std::vector<int64_t>& layer_input_shape(nn::Sequential& net, size_t i) {
  return i == 0 ? net.input_shape() : net.shape_after(i - 1);
}

}  // namespace

std::vector<ConvTLayer> convt_layers(nn::Sequential& net) {
  std::vector<ConvTLayer> out;
  for (size_t i = 0; i < net.size(); ++i) {
    auto* t = dynamic_cast<nn::ConvTranspose2d*>(&net.layer(i));
    if (!t) continue;
    ConvTLayer c;
    c.index = i;
    c.label = net.label(i);
    c.in_channels = static_cast<int>(t->weight.dim(0));  // weight (C_in, C_out, kH, kW)
    c.out_channels = static_cast<int>(t->weight.dim(1));
    c.kernel_size = t->kernel_size();
    c.stride = t->options().stride;
    c.padding = t->options().padding;
    c.dilation = t->options().dilation;
    c.in_shape = layer_input_shape(net, i);
    c.out_shape = net.shape_after(i);
    out.push_back(c);
  }
  return out;
}

Tensor run_layers(nn::Sequential& net, size_t first, size_t last, const Tensor& x) {
  if (first > last || last >= net.size()) {
    throw std::out_of_range("run_layers: expected 0 <= first <= last < " +
                            std::to_string(net.size()) + ", found first " + std::to_string(first) +
                            ", last " + std::to_string(last));
  }
  const std::vector<int64_t>& in = layer_input_shape(net, first);
  std::vector<int64_t> expected{x.ndim() > 0 ? x.dim(0) : 0};
  expected.insert(expected.end(), in.begin(), in.end());
  if (x.shape() != expected) {
    throw std::invalid_argument(net.name() + " layer " + std::to_string(first) + " '" +
                                net.label(first) + "': expected input (N, " +
                                shape_to_string(in).substr(1) + ", found " + x.shape_str());
  }
  EvalScope eval(net);
  Tensor a = x, b;
  for (size_t i = first; i <= last; ++i) {
    net.layer(i).forward(b, a);
    std::swap(a, b);
  }
  return a;
}

Tensor decoder_dream(nn::Sequential& net, float value) {
  const std::vector<ConvTLayer> layers = convt_layers(net);
  if (layers.empty()) {
    throw std::invalid_argument(net.name() + ": has no ConvTranspose2d layer, so no decoder");
  }
  std::vector<int64_t> shape{1};
  shape.insert(shape.end(), layers.front().in_shape.begin(), layers.front().in_shape.end());
  return run_layers(net, layers.front().index, net.size() - 1, Tensor(shape, value));
}

Tensor impulse_input(const ConvTLayer& layer, int ic, int iy, int ix, float amplitude) {
  const int64_t C = layer.in_shape[0], H = layer.in_shape[1], W = layer.in_shape[2];
  if (ic < 0 || ic >= C || iy < 0 || iy >= H || ix < 0 || ix >= W) {
    throw std::out_of_range("impulse_input: layer '" + layer.label + "' takes (" +
                            std::to_string(C) + ", " + std::to_string(H) + ", " +
                            std::to_string(W) + "); found position (" + std::to_string(ic) + ", " +
                            std::to_string(iy) + ", " + std::to_string(ix) + ")");
  }
  Tensor x({1, C, H, W});  // (1, C_in, H, W) zeros
  x.at(0, ic, iy, ix) = amplitude;
  return x;
}

Tensor impulse_response(nn::Sequential& net, const ConvTLayer& layer, int ic, bool to_image,
                        float amplitude) {
  const int iy = static_cast<int>(layer.in_shape[1] / 2),
            ix = static_cast<int>(layer.in_shape[2] / 2);
  const Tensor impulse = impulse_input(layer, ic, iy, ix, amplitude);
  const size_t last = to_image ? net.size() - 1 : layer.index;
  Tensor response = run_layers(net, layer.index, last, impulse);
  const Tensor baseline = run_layers(net, layer.index, last, Tensor(impulse.shape(), 0.0f));
  for (int64_t i = 0; i < response.numel(); ++i) response[i] -= baseline[i];
  return response;
}

Tensor stamped_window(const Tensor& response, const ConvTLayer& layer, int iy, int ix) {
  const int kh = layer.kernel_size.h, kw = layer.kernel_size.w;
  const int64_t C = response.dim(1), H = response.dim(2), W = response.dim(3);
  Tensor out({C, kh, kw});  // (C_out, kH, kW)
  for (int64_t c = 0; c < C; ++c) {
    for (int ky = 0; ky < kh; ++ky) {
      for (int kx = 0; kx < kw; ++kx) {
        const int64_t oy =
            static_cast<int64_t>(iy) * layer.stride.h - layer.padding.h + ky * layer.dilation.h;
        const int64_t ox =
            static_cast<int64_t>(ix) * layer.stride.w - layer.padding.w + kx * layer.dilation.w;
        if (oy < 0 || oy >= H || ox < 0 || ox >= W) continue;  // cropped by the padding
        out[(c * kh + ky) * kw + kx] = response.at(0, c, oy, ox);
      }
    }
  }
  return out;
}

}  // namespace convt::lab
