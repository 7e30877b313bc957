// StepperModel: what the stepper panel shows at step k. Reference values come from the core
// (the real kernels and shape.h), from identities (the gather view's convolution equals the
// scatter; contributions sum to the value), or from the hand counts written out in comments.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <tuple>

#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
#include "convt/recorder.h"
#include "convt/shape.h"
#include "logic/stepper_model.h"

using namespace convt;
using namespace convt::lab;

namespace {

StepperModel model_for(const std::string& preset) {
  const StepperPreset* p = find_preset(preset);
  EXPECT_NE(p, nullptr) << preset;
  StepperModel m;
  m.load_preset(*p);
  EXPECT_EQ(m.error(), "") << preset;
  return m;
}

StepperConfig transposed(int h, int w, int kh, int kw, int s, int p, int a = 0, int d = 1) {
  StepperConfig c;
  c.H = h;
  c.W = w;
  c.kernel_size = {kh, kw};
  c.stride = s;
  c.padding = p;
  c.output_padding = a;
  c.dilation = d;
  return c;
}

}  // namespace

TEST(StepperPresets, AllValidAndSizedAsTheirTitlesSay) {
  const std::vector<std::string> required{"notes", "k4s2p1", "gan", "k3s2", "k4s2"};
  for (const std::string& name : required) ASSERT_NE(find_preset(name), nullptr) << name;
  EXPECT_EQ(find_preset("nope"), nullptr);
  for (const StepperPreset& p : stepper_presets()) {
    EXPECT_EQ(validate(p.config), "") << p.name;
    StepperModel m;
    m.load_preset(p);
    EXPECT_GT(m.event_count(), 0) << p.name;
  }
  // The presets' sizes: 2x2 -> 3x3 (notes), 4x4 -> 8x8 (k4 s2 p1), 5x5 -> 10x10 (GAN 'same').
  EXPECT_EQ(model_for("notes").out_h(), 3);
  EXPECT_EQ(model_for("k4s2p1").out_h(), 8);
  EXPECT_EQ(model_for("k4s2p1").out_w(), 8);
  StepperModel gan = model_for("gan");
  EXPECT_EQ(gan.out_h(), 10);
  EXPECT_EQ(gan.out_w(), 10);
  // 'same' for k5 s2, from shape.h's Keras helper.
  const TransposePadding same = keras_same_conv_transpose_padding(5, 2);
  EXPECT_EQ(gan.config().padding.h, same.padding);
  EXPECT_EQ(gan.config().output_padding.h, same.output_padding);
}

TEST(StepperPresets, TitlesFitTheComboBox) {
  for (const StepperPreset& p : stepper_presets()) {
    EXPECT_LE(p.title.size(), StepperPreset::kMaxTitleChars) << p.title;
  }
}

TEST(StepperModel, RunsTheRealKernel) {
  for (const StepperPreset& p : stepper_presets()) {
    if (p.config.op != StepperOp::kConvTranspose2d) continue;
    StepperModel m;
    m.load_preset(p);
    Tensor y;
    ConvTranspose2dParams params;
    params.stride = p.config.stride;
    params.padding = p.config.padding;
    params.output_padding = p.config.output_padding;
    params.dilation = p.config.dilation;
    conv_transpose2d_forward(y, m.input(), m.weight(), nullptr, params);
    EXPECT_EQ(y.shape(), m.output().shape()) << p.name;
    EXPECT_EQ(y.values(), m.output().values()) << p.name;
    const StepperConfig& c = p.config;
    EXPECT_EQ(m.event_count(),
              int64_t{c.C_in} * c.H * c.W * c.C_out * c.kernel_size.h * c.kernel_size.w);
    EXPECT_EQ(m.trace().max_events(), StepperModel::kMaxEvents);
  }
  // The notes' example, in the core's own test: [[1, 2], [3, 4]] with 3x3 ones, s2 p1.
  StepperModel notes = model_for("notes");
  EXPECT_EQ(notes.input().values(), (std::vector<float>{1, 2, 3, 4}));
}

TEST(StepperModel, EventTextHasTheNotesForm) {
  StepperModel m = model_for("notes");
  // for ic, iy, ix, oc, ky, kx: pixel (0, 1) starts at 9 events; (ky, kx) = (1, 1) is 4 later.
  // It lands at oy = 0*2 - 1 + 1 = 0, ox = 1*2 - 1 + 1 = 2, the first write into out[0, 0, 2]
  // (pixel (0, 0) reaches only ox <= 1), so afterwards the cell holds x * w.
  const MacEvent e = m.event(13);
  EXPECT_EQ(e.iy, 0);
  EXPECT_EQ(e.ix, 1);
  EXPECT_EQ(e.oy, 0);
  EXPECT_EQ(e.ox, 2);
  EXPECT_FALSE(e.cropped);
  char expected[160];
  std::snprintf(expected, sizeof expected,
                "out[0, 0, 2] += x[0, 0, 1] * w[0, 0, 1, 1] = %.2f * %.2f -> %.2f (at canvas[0] "
                "(1, 3))",
                static_cast<double>(m.input()[1]), static_cast<double>(m.weight().at(0, 0, 1, 1)),
                static_cast<double>(m.input()[1] * m.weight().at(0, 0, 1, 1)));
  EXPECT_EQ(m.event_text(e), expected);
  // Event 0: pixel (0, 0), tap (0, 0) lands at output (-1, -1) = canvas (0, 0): cut away.
  const MacEvent first = m.event(0);
  EXPECT_TRUE(first.cropped);
  EXPECT_EQ(m.event_text(first),
            "canvas[0] (0, 0) += x[0, 0, 0] * w[0, 0, 0, 0] = 1.00 * 1.00: cut away by padding, "
            "not part of the output");
}

TEST(StepperModel, CutAwayEventsNameTheirCanvasCellAndNoOutputCell) {
  // notes (padding 1) and gan (padding 2, output_padding 1): every cropped write names the
  // canvas cell it lands on, (oy + padding, ox + padding), and no out[...] (it has none).
  for (const char* name : {"notes", "gan"}) {
    StepperModel m = model_for(name);
    const int p = m.config().padding.h;
    int cropped = 0;
    for (int64_t k = 0; k < m.event_count(); ++k) {
      const MacEvent e = m.event(k);
      if (!e.cropped) continue;
      ++cropped;
      const std::string text = m.event_text(e);
      const std::string cell = "canvas[" + std::to_string(e.oc) + "] (" + std::to_string(e.oy + p) +
                               ", " + std::to_string(e.ox + p) + ")";
      EXPECT_EQ(text.find("out["), std::string::npos) << name << ": " << text;
      EXPECT_EQ(text.rfind(cell, 0), 0u) << name << ": " << text;
    }
    EXPECT_GT(cropped, 0) << name;
  }
}

TEST(StepperModel, StateAfterKEventsMatchesTheTraceEverywhere) {
  // The largest allowed configuration: 8x8, 3 -> 2 channels, 7x7 kernel: 18,816 events.
  StepperConfig c = transposed(8, 8, 7, 7, 2, 3, 1, 1);
  c.C_in = 3;
  c.C_out = 2;
  StepperModel m;
  ASSERT_TRUE(m.set_config(c)) << m.error();
  m.fill_input(Fill::kRandom, 7);
  m.fill_weight(Fill::kRandom, 8);
  ASSERT_EQ(m.event_count(), 18816);
  // Stepping works the same at event 1 and event 10,000: the output just before event k holds
  // out_before in its destination, just after it out_after.
  for (int64_t k : {int64_t{0}, int64_t{1}, int64_t{10000}, int64_t{18815}}) {
    const MacEvent e = m.event(k);
    if (e.cropped) continue;
    const Tensor before = m.output_after(k), after = m.output_after(k + 1);
    const int H = m.out_h(), W = m.out_w();
    const int64_t i = (int64_t{e.oc} * H + e.oy) * W + e.ox;
    EXPECT_EQ(before[i], e.out_before) << "k=" << k;
    EXPECT_EQ(after[i], e.out_after) << "k=" << k;
  }
  m.set_position(10000);
  ASSERT_TRUE(m.current_event().has_value());
  EXPECT_EQ(m.current_event()->step, 9999);
  m.step_forward();
  EXPECT_EQ(m.position(), 10001);
  m.step_back();
  m.step_back();
  EXPECT_EQ(m.position(), 9999);
  m.set_position(1 << 30);
  EXPECT_EQ(m.position(), m.event_count());
  // After every event the running output is the kernel's output, bit for bit.
  const Tensor end = m.output_after(m.event_count());
  EXPECT_EQ(end.values(), m.output().values());
  m.set_position(-5);
  EXPECT_EQ(m.position(), 0);
  EXPECT_FALSE(m.current_event().has_value());
}

TEST(StepperModel, EventIndicesFollowTheScatterFormula) {
  StepperModel m = model_for("gan");
  const StepperConfig& c = m.config();
  for (int64_t k = 0; k < m.event_count(); k += 37) {
    const MacEvent e = m.event(k);
    EXPECT_EQ(e.oy, e.iy * c.stride.h - c.padding.h + e.ky * c.dilation.h);
    EXPECT_EQ(e.ox, e.ix * c.stride.w - c.padding.w + e.kx * c.dilation.w);
    const StepperModel::Cell d = m.destination(e);
    EXPECT_EQ(d.y, e.oy + c.padding.h);
    EXPECT_GE(d.y, 0);
    EXPECT_LT(d.y, m.display_h());
    EXPECT_EQ(e.x, m.input().at(0, e.ic, e.iy, e.ix));
    // The stamp is x * w[ic, oc, :, :].
    const std::vector<float> s = m.stamp(e);
    EXPECT_EQ(s[static_cast<size_t>(e.ky * c.kernel_size.w + e.kx)], e.product);
  }
}

TEST(StepperModel, CanvasCropAndOutputPadding) {
  // notes: canvas (2-1)*2 + 3 = 5; padding 1 cuts row 0 and row 4.
  StepperModel notes = model_for("notes");
  EXPECT_EQ(notes.canvas_h(), 5);
  EXPECT_EQ(notes.display_h(), 5);
  EXPECT_EQ(notes.crop_top(), 1);
  EXPECT_EQ(notes.canvas_row(0), CanvasAxis::kCropped);
  for (int r = 1; r <= 3; ++r) EXPECT_EQ(notes.canvas_row(r), CanvasAxis::kKept);
  EXPECT_EQ(notes.canvas_row(4), CanvasAxis::kCropped);
  // gan: canvas (5-1)*2 + 5 = 13; 2 rows cut on top, output rows 0..9 are canvas rows 2..11,
  // the last of them kept because of output_padding = 1; canvas row 12 cut.
  StepperModel gan = model_for("gan");
  EXPECT_EQ(gan.canvas_h(), conv_transpose_canvas_size(5, 5, 2, 1));
  EXPECT_EQ(gan.canvas_h(), 13);
  EXPECT_EQ(gan.canvas_row(1), CanvasAxis::kCropped);
  EXPECT_EQ(gan.canvas_row(2), CanvasAxis::kKept);
  EXPECT_EQ(gan.canvas_row(10), CanvasAxis::kKept);
  EXPECT_EQ(gan.canvas_row(11), CanvasAxis::kOutputPaddingKept);
  EXPECT_EQ(gan.canvas_row(12), CanvasAxis::kCropped);
  EXPECT_EQ(gan.canvas_col(11), CanvasAxis::kOutputPaddingKept);
  // output_padding beyond the canvas: 2 pixels, k1 s2 p0 a1: canvas 3, output 4.
  StepperModel m;
  ASSERT_TRUE(m.set_config(transposed(2, 2, 1, 1, 2, 0, 1))) << m.error();
  EXPECT_EQ(m.canvas_h(), 3);
  EXPECT_EQ(m.out_h(), 4);
  EXPECT_EQ(m.display_h(), 4);
  EXPECT_EQ(m.canvas_row(3), CanvasAxis::kOutputPaddingExtra);
  // The canvas keeps cropped writes; inside the crop it is the output.
  const Tensor canvas = gan.canvas_after(gan.event_count());
  const Tensor out = gan.output_after(gan.event_count());
  for (int y = 0; y < gan.out_h(); ++y)
    for (int x = 0; x < gan.out_w(); ++x)
      EXPECT_EQ(canvas[(y + 2) * gan.display_w() + (x + 2)], out[y * gan.out_w() + x]);
}

TEST(StepperModel, OverlapCountsHandCounted1D) {
  // One row of 4 pixels, kernel 1x3, stride 2, no padding: canvas (4-1)*2 + 3 = 9 columns.
  // Pixel ix stamps columns 2ix, 2ix+1, 2ix+2:
  //   col: 0 1 2 3 4 5 6 7 8
  //   ix0: x x x
  //   ix1:     x x x
  //   ix2:         x x x
  //   ix3:             x x x
  //   n:   1 1 2 1 2 1 2 1 1
  StepperConfig c = transposed(1, 4, 1, 3, 2, 0);
  c.stride = {1, 2};
  StepperModel m;
  ASSERT_TRUE(m.set_config(c)) << m.error();
  const OverlapMap o = m.overlap();
  EXPECT_EQ(o.canvas_counts, (std::vector<int>{1, 1, 2, 1, 2, 1, 2, 1, 1}));
  EXPECT_EQ(o.counts, o.canvas_counts);
  EXPECT_EQ(o.min_count, 1);
  EXPECT_EQ(o.max_count, 2);
  EXPECT_DOUBLE_EQ(o.ratio, 2.0);
}

TEST(StepperModel, OverlapAwayFromTheBorderForConv2dAndPool) {
  // resize_conv: 8x8 ones, conv2d k3 s1 p1. Each input pixel is read by 3 windows per axis,
  // 2 on the border row/column: 9 inside, 6 on edges, 4 in corners. Away from the border (padded
  // index 2..7, input 1..6) every pixel gets 9: the 2.25 of the whole map is the border's.
  const OverlapMap r = model_for("resize_conv").overlap();
  EXPECT_DOUBLE_EQ(r.ratio, 9.0 / 4.0);
  EXPECT_TRUE(r.has_interior);
  EXPECT_EQ(r.interior_min, 9);
  EXPECT_EQ(r.interior_max, 9);
  EXPECT_DOUBLE_EQ(r.interior_ratio, 1.0);
  // conv2d preset: 5x5, k3 s2 p1, 3x3 windows. Per axis, input 0..4 is read by 1 2 1 2 1
  // windows; inside (padded 2..4, input 1..3) 2 1 2, so 1..4 in 2-D: uneven, not the border.
  const OverlapMap c = model_for("conv2d").overlap();
  EXPECT_TRUE(c.has_interior);
  EXPECT_EQ(c.interior_min, 1);
  EXPECT_EQ(c.interior_max, 4);
  EXPECT_DOUBLE_EQ(c.interior_ratio, 4.0);
  // maxpool: 4x4, k2 s2: every pixel in exactly one window.
  const OverlapMap p = model_for("maxpool").overlap();
  EXPECT_TRUE(p.has_interior);
  EXPECT_DOUBLE_EQ(p.interior_ratio, 1.0);
}

TEST(StepperModel, OverlapInsideNeedsAStrideOfCells) {
  // notes: 2x2, k3 s2 p1. Inside (canvas 2..2 on each axis) is the one cell that gets 4: less
  // than a stride of cells, so no inside figure; the whole map's 1..4 checkerboard is the
  // readout.
  const OverlapMap n = model_for("notes").overlap();
  EXPECT_FALSE(n.has_interior);
  EXPECT_EQ(n.interior_min, 1);
  EXPECT_EQ(n.interior_max, 4);
  // The GAN layer (5x5, k5 s2, Keras 'same'): canvas 4..8 inside, 5 cells: the figure stands.
  EXPECT_TRUE(model_for("gan").overlap().has_interior);
}

TEST(StepperModel, OverlapCountsHandCounted2D) {
  // notes: 2x2, 3x3, s2 p1. Per axis the 5-cell canvas gets 1 1 2 1 1 (pixel 0 covers 0..2,
  // pixel 1 covers 2..4); a 2-D cell gets the product. Padding 1 keeps the middle 3x3:
  //   1 2 1
  //   2 4 2
  //   1 2 1
  StepperModel m = model_for("notes");
  const OverlapMap o = m.overlap();
  EXPECT_EQ(o.canvas_h, 5);
  const std::vector<int> axis{1, 1, 2, 1, 1};
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 5; ++x) EXPECT_EQ(o.canvas_counts[y * 5 + x], axis[y] * axis[x]);
  EXPECT_EQ(o.counts, (std::vector<int>{1, 2, 1, 2, 4, 2, 1, 2, 1}));
  EXPECT_DOUBLE_EQ(o.ratio, 4.0);
  // With ones as kernel the output IS the count map... for an all-ones input; the notes' input
  // is 1..4, so compare through the contributions instead (each cell: count contributions).
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x)
      EXPECT_EQ(static_cast<int>(m.contributions(0, y, x).size()), o.counts[y * 3 + x]);
}

TEST(StepperModel, CheckerboardUnevenForK3S2EvenForK4S2) {
  // k3 s2 p1 on 4 pixels: canvas counts per axis 1 1 2 1 2 1 2 1 1; away from the border
  // (canvas 2..6) 2 1 2 1 2: in 2-D 1, 2 and 4 -> ratio 4, the checkerboard.
  const OverlapMap k3 = model_for("k3s2").overlap();
  EXPECT_EQ(k3.interior_min, 1);
  EXPECT_EQ(k3.interior_max, 4);
  EXPECT_DOUBLE_EQ(k3.interior_ratio, 4.0);
  // k4 s2 p1 on 4 pixels: canvas counts per axis 1 1 2 2 2 2 2 2 1 1; away from the border
  // (canvas 3..6) all 2: 4 everywhere -> ratio 1. The border cells get fewer (ratio 4 overall).
  const OverlapMap k4 = model_for("k4s2").overlap();
  EXPECT_EQ(k4.interior_min, 4);
  EXPECT_EQ(k4.interior_max, 4);
  EXPECT_DOUBLE_EQ(k4.interior_ratio, 1.0);
  EXPECT_EQ(k4.min_count, 1);
  EXPECT_DOUBLE_EQ(k4.ratio, 4.0);
  // ones * ones: the output is the count map itself.
  StepperModel m = model_for("k4s2");
  for (size_t i = 0; i < k4.counts.size(); ++i)
    EXPECT_EQ(m.output()[static_cast<int64_t>(i)], static_cast<float>(k4.counts[i]));
  // A gap: k1 s2 leaves cells nothing lands on: ratio infinite.
  StepperModel gap;
  ASSERT_TRUE(gap.set_config(transposed(3, 3, 1, 1, 2, 0)));
  EXPECT_EQ(gap.overlap().min_count, 0);
  EXPECT_TRUE(std::isinf(gap.overlap().ratio));
}

TEST(StepperModel, GatherViewOfTheNotesExample) {
  // notes: zero-inserted input (2-1)*2 + 1 = 3 wide: x0 0 x1; padded by 1*(3-1) - 1 = 1 each side.
  StepperModel m = model_for("notes");
  const GatherView g = m.gather_view();
  EXPECT_EQ(g.pad_h, 1);
  EXPECT_EQ(g.gh, 5);
  EXPECT_EQ(g.gw, 5);
  const std::vector<GatherCell> row{GatherCell::kPadding, GatherCell::kInput,
                                    GatherCell::kInsertedZero, GatherCell::kInput,
                                    GatherCell::kPadding};
  for (int x = 0; x < 5; ++x)
    EXPECT_EQ(g.kind[static_cast<size_t>(5 + x)], row[static_cast<size_t>(x)]);
  EXPECT_EQ(g.kind[0], GatherCell::kPadding);
  EXPECT_EQ(g.kind[2 * 5 + 1], GatherCell::kInsertedZero);
  EXPECT_EQ(g.source_y[3 * 5 + 3], 1);
  EXPECT_EQ(g.source_x[3 * 5 + 3], 1);
  EXPECT_EQ(g.padded.at(0, 0, 3, 3), m.input().at(0, 0, 1, 1));
  EXPECT_EQ(g.padded.at(0, 0, 1, 2), 0.0f);
  // The rotated kernel: w[ic, oc, kH-1-ky, kW-1-kx].
  StepperModel r = model_for("gan");
  const GatherView gr = r.gather_view();
  EXPECT_EQ(gr.rotated_weight.at(0, 0, 0, 1), r.weight().at(0, 0, 4, 3));
  // gan: output_padding 1 adds a bottom row and right column to the padded input.
  EXPECT_EQ(gr.kind[static_cast<size_t>((gr.gh - 1) * gr.gw)], GatherCell::kOutputPadding);
  EXPECT_EQ(gr.kind[static_cast<size_t>(gr.gw - 1)], GatherCell::kOutputPadding);
  EXPECT_EQ(gr.gh, r.out_h() + 4);
}

TEST(StepperModel, GatherViewConvolutionEqualsTheRealScatter) {
  // Identity: the direct convolution of the gather view is conv_transpose2d's output.
  std::mt19937 rng(11);
  int checked = 0;
  for (int trial = 0; trial < 300 && checked < 80; ++trial) {
    StepperConfig c;
    c.H = 1 + rng() % 8;
    c.W = 1 + rng() % 8;
    c.C_in = 1 + rng() % 3;
    c.C_out = 1 + rng() % 2;
    c.kernel_size = {1 + static_cast<int>(rng() % 7), 1 + static_cast<int>(rng() % 7)};
    c.stride = {1 + static_cast<int>(rng() % 4), 1 + static_cast<int>(rng() % 4)};
    c.padding = {static_cast<int>(rng() % 4), static_cast<int>(rng() % 4)};
    c.dilation = {1 + static_cast<int>(rng() % 3), 1 + static_cast<int>(rng() % 3)};
    c.output_padding = {static_cast<int>(rng() % 2), static_cast<int>(rng() % 2)};
    if (!validate(c).empty()) continue;
    StepperModel m;
    ASSERT_TRUE(m.set_config(c));
    m.fill_input(Fill::kRandom, static_cast<uint32_t>(trial));
    m.fill_weight(Fill::kRandom, static_cast<uint32_t>(trial + 1000));
    const Tensor g = m.gather_output();
    ASSERT_EQ(g.shape(), m.output().shape());
    for (int64_t i = 0; i < g.numel(); ++i)
      ASSERT_NEAR(g[i], m.output()[i], 1e-4) << "trial " << trial << " element " << i;
    ++checked;
  }
  EXPECT_GE(checked, 40);
  for (const char* name : {"notes", "k4s2p1", "gan", "k3s2", "k4s2"}) {
    StepperModel m = model_for(name);
    const Tensor g = m.gather_output();
    for (int64_t i = 0; i < g.numel(); ++i) EXPECT_NEAR(g[i], m.output()[i], 1e-5) << name;
  }
}

TEST(StepperModel, ContributionsSoFarAreThoseBeforeThePosition) {
  // notes, out[0, 1, 1]: 4 multiply-adds. At position k the list holds exactly those with
  // step < k, in order: it grows by one at each event that lands there. And, independently of
  // the list's own bookkeeping, its products sum to the cell's running value after k events
  // (output_after replays the events) and its length is the count of writes there.
  StepperModel m = model_for("notes");
  const std::vector<Contribution> all = m.contributions(0, 1, 1);
  ASSERT_EQ(all.size(), 4u);
  for (int64_t k = 0; k <= m.event_count(); ++k) {
    const std::vector<Contribution> so_far = m.contributions(0, 1, 1, k);
    size_t expected = 0;
    while (expected < all.size() && all[expected].step < k) ++expected;
    ASSERT_EQ(so_far.size(), expected) << "k=" << k;
    for (size_t i = 0; i < so_far.size(); ++i) EXPECT_EQ(so_far[i].step, all[i].step);
    std::vector<int> written;
    const Tensor out = m.output_after(k, &written);
    float sum = 0.0f;
    for (const Contribution& t : so_far) sum += t.product;
    EXPECT_FLOAT_EQ(sum, out[1 * m.out_w() + 1]) << "k=" << k;  // (C_out, H_out, W_out)
    EXPECT_EQ(static_cast<int>(so_far.size()), written[1 * m.out_w() + 1]) << "k=" << k;
  }
  EXPECT_TRUE(m.contributions(0, 1, 1, 0).empty());
  EXPECT_EQ(m.contributions(0, 1, 1, all[1].step + 1).size(), 2u);
}

TEST(StepperModel, ContributionsSumToTheValue) {
  for (const StepperPreset& p : stepper_presets()) {
    StepperModel m;
    m.load_preset(p);
    for (int oc = 0; oc < m.out_channels(); ++oc)
      for (int y = 0; y < m.out_h(); ++y)
        for (int x = 0; x < m.out_w(); ++x) {
          const std::vector<Contribution> list = m.contributions(oc, y, x);
          const float value = m.output().at(0, oc, y, x);
          if (p.config.op == StepperOp::kMaxPool2d) {
            int picked = 0;
            for (const Contribution& t : list) {
              if (!t.picked) continue;
              ++picked;
              EXPECT_EQ(t.x, value) << p.name;
            }
            EXPECT_EQ(picked, 1) << p.name;
            continue;
          }
          float sum = 0;
          for (const Contribution& t : list) {
            EXPECT_EQ(t.product, t.x * t.w);
            sum += t.product;
          }
          EXPECT_EQ(sum, value) << p.name << " cell " << y << ", " << x;  // same order: exact
        }
  }
  StepperModel m = model_for("notes");
  EXPECT_TRUE(m.contributions(0, 3, 0).empty());  // outside
}

TEST(StepperModel, BlockJumpsMoveOnePixelsStamp) {
  StepperModel m = model_for("gan");
  const int64_t b = m.block_size();
  EXPECT_EQ(b, 25);  // one input pixel meets C_out*kH*kW = 1*5*5 weights
  EXPECT_EQ(m.next_block_position(0), b);
  EXPECT_EQ(m.next_block_position(b), 2 * b);
  EXPECT_EQ(m.next_block_position(b + 3), 2 * b);
  EXPECT_EQ(m.prev_block_position(2 * b), b);
  EXPECT_EQ(m.prev_block_position(b + 3), b);
  EXPECT_EQ(m.prev_block_position(0), 0);
  EXPECT_EQ(m.next_block_position(m.event_count()), m.event_count());
  // Each block is one input pixel: events b..2b-1 all read pixel (0, 1).
  for (int64_t k = b; k < 2 * b; ++k) {
    EXPECT_EQ(m.event(k).iy, 0);
    EXPECT_EQ(m.event(k).ix, 1);
  }
}

TEST(StepperModel, InvalidConfigsSayWhyAndKeepTheLastRun) {
  StepperModel m = model_for("notes");
  StepperConfig bad = m.config();
  bad.output_padding = 2;  // >= max(stride 2, dilation 1)
  EXPECT_FALSE(m.set_config(bad));
  EXPECT_NE(m.error().find("output_padding"), std::string::npos) << m.error();
  EXPECT_NE(m.error().find("max(2, 1)"), std::string::npos) << m.error();
  EXPECT_EQ(m.out_h(), 3);  // the last valid run stays
  EXPECT_EQ(m.requested().output_padding.h, 2);
  bad = m.config();
  bad.H = 9;
  EXPECT_FALSE(m.set_config(bad));
  EXPECT_NE(m.error().find("H must be in 1..8, found 9"), std::string::npos) << m.error();
  bad = m.config();
  bad.padding = 3;  // 2x2, k3 s2: (2-1)*2 - 6 + 3 = -1
  EXPECT_FALSE(m.set_config(bad));
  EXPECT_NE(m.error().find("padding crops the whole output"), std::string::npos) << m.error();
  bad.op = StepperOp::kConv2d;
  bad.padding = 0;
  bad.H = bad.W = 2;  // a 3x3 kernel does not fit a 2x2 input without padding
  EXPECT_FALSE(m.set_config(bad));
  EXPECT_NE(m.error().find("larger than the padded input"), std::string::npos) << m.error();
  // Back to valid: error cleared.
  EXPECT_TRUE(m.set_config(find_preset("notes")->config));
  EXPECT_EQ(m.error(), "");
}

TEST(StepperModel, ValuesKeepWhenShapesStayAndCanBeEdited) {
  StepperModel m = model_for("notes");
  m.set_input_value(0, 1, 0, 0.5f);
  EXPECT_EQ(m.input().at(0, 0, 1, 0), 0.5f);
  StepperConfig c = m.config();
  c.padding = 0;  // input and weight shapes unchanged
  ASSERT_TRUE(m.set_config(c));
  EXPECT_EQ(m.input().at(0, 0, 1, 0), 0.5f);
  EXPECT_EQ(m.out_h(), 5);
  m.set_weight_value(0, 0, 1, 1, 2.0f);
  EXPECT_EQ(m.weight().at(0, 0, 1, 1), 2.0f);
  // Identity-like kernel: a single 1 at the centre; the output is the zero-inserted input.
  m.fill_weight(Fill::kIdentity);
  m.fill_input(Fill::kOnes);
  float total = 0;
  for (float v : m.output().values()) total += v;
  EXPECT_EQ(total, 4.0f);
  c.C_in = 2;  // new input shape: refilled
  ASSERT_TRUE(m.set_config(c));
  EXPECT_EQ(m.input().shape(), (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(m.weight().shape(), (std::vector<int64_t>{2, 1, 3, 3}));
}

TEST(StepperModel, Conv2dStepperGathers) {
  StepperModel m = model_for("conv2d");
  const StepperConfig& c = m.config();
  EXPECT_EQ(m.out_h(), conv_out_size(c.H, c.kernel_size.h, c.stride.h, c.padding.h, 1));
  EXPECT_EQ(m.event_count(), int64_t{c.C_out} * m.out_h() * m.out_w() * c.C_in * 9);
  EXPECT_EQ(m.block_size(), 9);
  EXPECT_EQ(m.output_after(m.event_count()).values(), m.output().values());
  // Event 0: output (0, 0), tap (0, 0) reads (-1, -1): zero padding.
  const MacEvent e = m.event(0);
  EXPECT_TRUE(e.cropped);
  EXPECT_EQ(e.iy, -1);
  EXPECT_NE(m.event_text(e).find("padding"), std::string::npos);
  // The window of output (1, 1) reads input rows 1..3: iy = oy*2 - 1 + ky.
  const std::vector<Contribution> list = m.contributions(0, 1, 1);
  ASSERT_EQ(list.size(), 9u);
  EXPECT_EQ(list[0].iy, 1);
  EXPECT_EQ(list[8].iy, 3);
  // Overlap for conv2d: how often each input pixel is read (k3 s2: uneven, 1/2/4).
  const OverlapMap o = m.overlap();
  EXPECT_EQ(o.out_h, c.H);
  EXPECT_EQ(o.max_count, 4);
}

TEST(StepperModel, MaxPoolStepperPicksTheArgmax) {
  StepperModel m = model_for("maxpool");
  EXPECT_EQ(m.out_h(), 2);
  EXPECT_EQ(m.event_count(), 1 * 2 * 2 * 4);
  EXPECT_EQ(m.argmax().size(), 4u);
  const Tensor end = m.output_after(m.event_count());
  EXPECT_EQ(end.values(), m.output().values());
  // The first tap of each window is taken, then only larger values replace it.
  const MacEvent e0 = m.event(0);
  EXPECT_EQ(e0.out_after, e0.x);
  EXPECT_NE(m.event_text(e0).find("max(-inf"), std::string::npos) << m.event_text(e0);
  for (int64_t k = 1; k < 4; ++k) {
    const MacEvent e = m.event(k);
    EXPECT_EQ(e.out_after, std::max(e.out_before, e.x));
  }
}

TEST(StepperModel, SwitchingAConvolutionToMaxPoolDropsTheWeightAndBack) {
  // The op combo box on a convolution preset: the same sizes as max_pool2d (no weight), then the
  // convolution again with a weight of its shape. Each result is the core's.
  int switched = 0;
  for (const StepperPreset& preset : stepper_presets()) {
    if (preset.config.op == StepperOp::kMaxPool2d) continue;
    SCOPED_TRACE("preset " + preset.name);
    StepperModel m = model_for(preset.name);
    StepperConfig pool = preset.config;
    pool.op = StepperOp::kMaxPool2d;
    pool.output_padding = 0;
    if (!m.set_config(pool)) continue;  // sizes max_pool2d refuses (the error says why)
    ++switched;
    EXPECT_TRUE(m.weight().empty());
    Pool2dParams p;
    p.kernel_size = pool.kernel_size;
    p.stride = pool.stride;
    p.padding = pool.padding;
    p.dilation = pool.dilation;
    Tensor expected;
    max_pool2d_forward(expected, nullptr, m.input(), p);
    ASSERT_EQ(m.output().shape(), expected.shape());
    for (int64_t i = 0; i < expected.numel(); ++i) EXPECT_EQ(m.output()[i], expected[i]) << i;

    ASSERT_TRUE(m.set_config(preset.config)) << m.error();
    const StepperConfig& c = preset.config;
    const std::vector<int64_t> w_shape =
        c.op == StepperOp::kConvTranspose2d
            ? std::vector<int64_t>{c.C_in, c.C_out, c.kernel_size.h, c.kernel_size.w}
            : std::vector<int64_t>{c.C_out, c.C_in, c.kernel_size.h, c.kernel_size.w};
    EXPECT_EQ(m.weight().shape(), w_shape);
    EXPECT_GT(m.event_count(), 0);
  }
  EXPECT_GT(switched, 0);
}

TEST(StepperModel, MaxPoolStepperReplaysTheCoresRecordedTaps) {
  // The stepper's max_pool2d events are the core's: max_pool2d_forward run here with its own
  // TraceRecorder gives the same events, field by field, and the same output and argmax. With
  // padding taps, dilation, several channels, ties (values rounded to 0.1) and a NaN.
  auto same = [](float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  std::vector<StepperConfig> configs;
  configs.push_back(find_preset("maxpool")->config);
  auto pool = [](int h, int w, int c_in, Pair k, Pair s, Pair p, Pair d) {
    StepperConfig c;
    c.op = StepperOp::kMaxPool2d;
    c.H = h;
    c.W = w;
    c.C_in = c_in;
    c.kernel_size = k;
    c.stride = s;
    c.padding = p;
    c.output_padding = 0;
    c.dilation = d;
    return c;
  };
  configs.push_back(pool(5, 5, 2, 3, 2, 1, 1));
  configs.push_back(pool(6, 5, 3, 2, 1, 1, 2));
  configs.push_back(pool(3, 7, 1, {3, 2}, {1, 3}, {1, 0}, {1, 2}));
  for (size_t i = 0; i < configs.size(); ++i) {
    const StepperConfig& c = configs[i];
    SCOPED_TRACE("config " + std::to_string(i));
    StepperModel m = model_for("maxpool");  // a max_pool2d model: no weight to drop
    ASSERT_TRUE(m.set_config(c)) << m.error();
    m.fill_input(Fill::kRandom, 10 + static_cast<uint32_t>(i));
    m.set_input_value(c.C_in - 1, 1, 1, std::nanf(""));

    Pool2dParams p;
    p.kernel_size = c.kernel_size;
    p.stride = c.stride;
    p.padding = c.padding;
    p.dilation = c.dilation;
    Tensor out;
    std::vector<int64_t> argmax;
    TraceRecorder rec;
    max_pool2d_forward(out, &argmax, m.input(), p, rec);
    const int64_t taps = static_cast<int64_t>(c.kernel_size.h) * c.kernel_size.w;
    ASSERT_EQ(rec.size(), c.C_in * out.dim(2) * out.dim(3) * taps);
    ASSERT_EQ(m.event_count(), rec.size());
    EXPECT_EQ(m.argmax(), argmax);
    ASSERT_EQ(m.output().shape(), out.shape());
    for (int64_t j = 0; j < out.numel(); ++j) EXPECT_TRUE(same(m.output()[j], out[j])) << j;
    int64_t cropped = 0;
    for (int64_t k = 0; k < rec.size(); ++k) {
      const MacEvent a = m.event(k), b = rec.event(k);
      ASSERT_EQ(a.step, b.step);
      EXPECT_EQ(std::make_tuple(a.n, a.ic, a.iy, a.ix, a.oc, a.ky, a.kx, a.oy, a.ox, a.cropped),
                std::make_tuple(b.n, b.ic, b.iy, b.ix, b.oc, b.ky, b.kx, b.oy, b.ox, b.cropped))
          << "event " << k;
      EXPECT_TRUE(same(a.x, b.x) && same(a.w, b.w) && same(a.product, b.product) &&
                  same(a.out_before, b.out_before) && same(a.out_after, b.out_after))
          << "event " << k;
      // A running max per window: from -inf, each tap starting where the last one ended, the
      // window's last tap ending at the output; a padding tap reads -inf and changes nothing.
      const MacEvent prev = k % taps == 0 ? MacEvent{} : m.event(k - 1);
      const float start = k % taps == 0 ? -INFINITY : prev.out_after;
      EXPECT_TRUE(same(a.out_before, start)) << "event " << k;
      if (a.cropped) {
        ++cropped;
        EXPECT_EQ(a.x, -INFINITY);
        EXPECT_TRUE(same(a.out_after, a.out_before));
      }
      if (k % taps == taps - 1) {
        EXPECT_TRUE(same(a.out_after, m.output().at(0, a.oc, a.oy, a.ox))) << "event " << k;
      }
    }
    if (c.padding.h + c.padding.w > 0) {
      EXPECT_GT(cropped, 0);
    }
  }
}

TEST(StepperModel, TransposedForwardIsConvBackwardData) {
  for (const char* name : {"notes", "k4s2p1", "gan", "k3s2", "k4s2"}) {
    StepperModel m = model_for(name);
    std::string summary;
    EXPECT_TRUE(m.backward_is_same_scatter(&summary)) << name << ": " << summary;
    EXPECT_NE(summary.find("same"), std::string::npos);
  }
}
