// "Inside the classifier" (app/logic/cnn_inside.h): every layer's maps are the network's own
// forward pass (the classifier's and a D's, against nn::Sequential::forward and, for the first
// conv, a direct conv2d), the probabilities sum to 1 and pick the label of real digits, channels
// come most active first, D loads from a full checkpoint and is refused with a reason from a
// generator file, and a channel's slice replays its real output pixel in the stepper.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "app_state.h"
#include "convt/io/assets.h"
#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/state_dict.h"
#include "convt/ops/conv2d.h"
#include "logic/cnn_inside.h"
#include "logic/navigator.h"
#include "logic/quality_score.h"

namespace {

namespace fs = std::filesystem;
using convt::Tensor;
using convt::lab::InsideModel;
using convt::lab::LayerMaps;
using convt::lab::look_inside;
using convt::lab::NetworkInside;

// Built-in 20x20 digit n as (1, 1, 20, 20).
Tensor digit20(const convt::Dataset& digits, int n) {
  Tensor x({1, 1, 20, 20});
  std::copy(digits.images.data() + n * 400, digits.images.data() + (n + 1) * 400, x.data());
  return x;
}

// Every map of `inside` equals the activation the network's own forward pass keeps.
void expect_maps_are_the_forward_pass(convt::nn::Sequential& net, const NetworkInside& inside,
                                      const Tensor& x) {
  net.set_training(false);
  const Tensor out = net.forward(x);
  ASSERT_EQ(inside.output.numel(), out.numel());
  for (int64_t k = 0; k < out.numel(); ++k) EXPECT_FLOAT_EQ(inside.output[k], out[k]) << k;
  for (const LayerMaps& m : inside.layers) {
    const Tensor& a = net.activation_after(m.index);
    ASSERT_EQ(a.numel(), m.maps.numel()) << m.title;
    ASSERT_EQ(a.dim(1), m.channels()) << m.title;
    for (int64_t k = 0; k < a.numel(); ++k) ASSERT_FLOAT_EQ(m.maps[k], a[k]) << m.title << " " << k;
  }
}

class CnnInsideTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    classifier_ =
        convt::lab::load_classifier(convt::asset_path(convt::lab::kDigitClassifierAsset)).release();
    digits_ = new convt::Dataset(convt::load_builtin_digits(20));
  }
  static void TearDownTestSuite() {
    delete classifier_;
    delete digits_;
  }
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("convt_cnn_inside_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A dcgan20 GAN (random weights from `seed`) written as a full checkpoint: spec, G and D.
  fs::path write_checkpoint(uint64_t seed, convt::nn::GanModel* gan_out = nullptr) {
    const nlohmann::json spec = convt::nn::load_model_spec("dcgan20");
    convt::nn::GanModel gan = convt::nn::build_gan(spec, seed);
    std::map<std::string, Tensor> tensors = convt::nn::state_dict(*gan.D, "D.");
    for (auto& [name, t] : convt::nn::state_dict(*gan.G, "G.")) tensors[name] = t;
    const fs::path path = dir_ / "checkpoint.safetensors";
    convt::write_safetensors(path.string(), tensors,
                             {{"spec", spec.dump()}, {"model", "dcgan20"}, {"step", "7"}});
    if (gan_out != nullptr) *gan_out = std::move(gan);
    return path;
  }

  static convt::nn::Sequential* classifier_;
  static convt::Dataset* digits_;
  fs::path dir_;
};
convt::nn::Sequential* CnnInsideTest::classifier_ = nullptr;
convt::Dataset* CnnInsideTest::digits_ = nullptr;

TEST_F(CnnInsideTest, ClassifierLayersAreItsOwnForwardPass) {
  const Tensor x = digit20(*digits_, 3119);
  const NetworkInside inside = look_inside(*classifier_, x);
  // Conv2d, ReLU, MaxPool2d twice: six maps of 16, 16, 16, 32, 32, 32 channels.
  ASSERT_EQ(inside.layers.size(), 6u);
  const int channels[] = {16, 16, 16, 32, 32, 32}, sides[] = {20, 20, 10, 10, 10, 5};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(inside.layers[i].channels(), channels[i]) << inside.layers[i].title;
    EXPECT_EQ(inside.layers[i].height(), sides[i]) << inside.layers[i].title;
  }
  EXPECT_EQ(inside.layers[0].title, "0 conv1: " + classifier_->layer(0).describe());
  EXPECT_EQ(inside.output.numel(), 10);
  expect_maps_are_the_forward_pass(*classifier_, inside, x);

  // And the first map is a conv2d of the canvas with the layer's own weight and bias.
  auto& conv1 = static_cast<convt::nn::Conv2d&>(classifier_->layer(0));
  Tensor direct;
  convt::conv2d_forward(direct, x, conv1.weight, &conv1.bias, conv1.options());
  for (int64_t k = 0; k < direct.numel(); ++k) {
    ASSERT_NEAR(inside.layers[0].maps[k], direct[k], 1e-5f) << k;
  }
}

TEST_F(CnnInsideTest, ProbabilitiesSumToOneAndPickTheLabelOfRealDigits) {
  int right = 0;
  for (int label = 0; label < 10; ++label) {
    const int n = label * 1000 + 17;  // the digits are ordered by class, about 1000 each
    const std::vector<float> p =
        convt::lab::softmax(look_inside(*classifier_, digit20(*digits_, n)).output);
    ASSERT_EQ(p.size(), 10u);
    EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-5);
    for (float v : p) EXPECT_TRUE(v >= 0.0f && v <= 1.0f) << v;
    const int top = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    right += top == digits_->labels[static_cast<size_t>(n)];
  }
  EXPECT_GE(right, 9) << "the shipped classifier has 97% test accuracy";
  // Large logits do not overflow.
  const std::vector<float> p = convt::lab::softmax(Tensor({3}, {1000.0f, 0.0f, -1000.0f}));
  EXPECT_FLOAT_EQ(p[0], 1.0f);
  EXPECT_FLOAT_EQ(p[2], 0.0f);
  EXPECT_FLOAT_EQ(convt::lab::sigmoid(0.0f), 0.5f);
  EXPECT_FLOAT_EQ(convt::lab::sigmoid(-200.0f), 0.0f);
  EXPECT_FLOAT_EQ(convt::lab::sigmoid(200.0f), 1.0f);
}

TEST_F(CnnInsideTest, ChannelsComeMostActiveFirst) {
  EXPECT_EQ(convt::lab::most_active_first({0.5f, 2.0f, 0.5f, 3.0f, 0.0f}),
            (std::vector<int>{3, 1, 0, 2, 4}));  // ties keep the lower channel first
  const NetworkInside inside = look_inside(*classifier_, digit20(*digits_, 5123));
  for (const LayerMaps& m : inside.layers) {
    ASSERT_EQ(m.order.size(), static_cast<size_t>(m.channels())) << m.title;
    for (size_t k = 1; k < m.order.size(); ++k) {
      EXPECT_GE(m.activity[static_cast<size_t>(m.order[k - 1])],
                m.activity[static_cast<size_t>(m.order[k])])
          << m.title << " rank " << k;
    }
    // activity = mean |value| of the channel.
    const int c = m.order.back();
    double sum = 0.0;
    for (int k = 0; k < m.height() * m.width(); ++k) sum += std::fabs(m.map(c)[k]);
    EXPECT_NEAR(m.activity[static_cast<size_t>(c)], sum / (m.height() * m.width()), 1e-5)
        << m.title;
  }
  // A blank canvas is not a digit: the classifier's maps differ from a digit's.
  const NetworkInside blank = look_inside(*classifier_, Tensor({1, 1, 20, 20}, -1.0f));
  EXPECT_NE(blank.layers[0].order, inside.layers[0].order);
}

TEST_F(CnnInsideTest, DViewIsADirectForwardOfD) {
  convt::nn::GanModel gan;
  const fs::path path = write_checkpoint(5, &gan);
  const convt::lab::LoadedD loaded = convt::lab::load_discriminator(path.string());
  EXPECT_NE(loaded.description.find("dcgan20, step 7"), std::string::npos) << loaded.description;
  const Tensor x = digit20(*digits_, 2000);
  const NetworkInside inside = look_inside(*loaded.D, x);
  // Conv2d, LeakyReLU, (Dropout: not shown), Conv2d, LeakyReLU: four maps; the logit.
  ASSERT_EQ(inside.layers.size(), 4u);
  EXPECT_EQ(inside.layers[0].channels(), 64);
  EXPECT_EQ(inside.layers[0].height(), 10);
  EXPECT_EQ(inside.layers[3].channels(), 128);
  EXPECT_EQ(inside.layers[3].height(), 5);
  ASSERT_EQ(inside.output.numel(), 1);
  // The loaded D is the checkpoint's: the same logit as the GAN's own D.
  gan.D->set_training(false);
  const float direct = gan.D->forward(x)[0];
  EXPECT_NEAR(inside.output[0], direct, 1e-5f);
  expect_maps_are_the_forward_pass(*loaded.D, inside, x);
  EXPECT_NEAR(convt::lab::sigmoid(inside.output[0]), 1.0 / (1.0 + std::exp(-direct)), 1e-6);

  // The model: D(x) = sigmoid(logit) for its canvas.
  InsideModel m;
  m.d_path = path.string();
  m.load();
  ASSERT_TRUE(m.D) << m.d_error;
  m.pick_digit(2000);
  EXPECT_NEAR(m.d_logit, direct, 1e-5f);
  EXPECT_NEAR(m.d_of_x, convt::lab::sigmoid(direct), 1e-6f);
}

TEST_F(CnnInsideTest, DIsRefusedWithAReasonFromAGeneratorFileOrABadFile) {
  auto error_of = [](const std::string& path) {
    try {
      convt::lab::load_discriminator(path);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(loaded)");
  };
  const std::string shipped = convt::asset_path("checkpoints/dcgan20_digits.safetensors");
  EXPECT_NE(error_of(shipped).find("G only"), std::string::npos) << error_of(shipped);
  EXPECT_NE(error_of((dir_ / "nope.safetensors").string()).find("no such file"), std::string::npos);
  std::ofstream(dir_ / "junk.safetensors") << "not a safetensors file";
  EXPECT_NE(error_of((dir_ / "junk.safetensors").string()).find("cannot read"), std::string::npos)
      << error_of((dir_ / "junk.safetensors").string());
  // The classifier's file is no GAN checkpoint.
  const std::string cls = convt::asset_path(convt::lab::kDigitClassifierAsset);
  EXPECT_NE(error_of(cls).find("not a GAN training checkpoint"), std::string::npos)
      << error_of(cls);

  InsideModel m;
  m.d_path = shipped;
  m.load();
  EXPECT_FALSE(m.D);
  EXPECT_NE(m.d_error.find("G only"), std::string::npos) << m.d_error;
  EXPECT_TRUE(m.d.layers.empty());
  EXPECT_EQ(m.probabilities.size(), 10u) << m.classifier_error;  // the classifier still runs
}

TEST_F(CnnInsideTest, WithoutADashboardCheckpointTheShippedDIsShownAndABadOneKeepsIt) {
  const fs::path before = fs::current_path();
  fs::current_path(dir_);  // no runs/dashboard/checkpoint.safetensors here
  InsideModel m;
  m.load();
  fs::current_path(before);
  ASSERT_TRUE(m.D) << m.d_error;
  EXPECT_NE(m.d_description.find("shipped"), std::string::npos) << m.d_description;
  // The shipped D is what load_discriminator makes of its file: the same logit.
  const convt::lab::LoadedD shipped =
      convt::lab::load_discriminator(convt::asset_path(convt::lab::kShippedDAsset));
  m.pick_digit(2000);
  EXPECT_NEAR(m.d_logit, shipped.D->forward(digit20(*digits_, 2000))[0], 1e-5f);
  // Another D that does not load: the error is said, the shipped D stays.
  const float logit = m.d_logit;
  m.load_d((dir_ / "nope.safetensors").string());
  EXPECT_NE(m.d_error.find("no such file"), std::string::npos) << m.d_error;
  ASSERT_TRUE(m.D);
  m.recompute();
  EXPECT_EQ(m.d_logit, logit);
  EXPECT_EQ(m.d_path, convt::asset_path(convt::lab::kShippedDAsset));
}

TEST_F(CnnInsideTest, AWrongInputShapeIsRefusedNamingTheShapes) {
  try {
    look_inside(*classifier_, Tensor({1, 1, 28, 28}));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("(1, 1, 20, 20)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(1, 1, 28, 28)"), std::string::npos) << e.what();
  }
}

TEST_F(CnnInsideTest, AChannelsSliceReplaysItsRealOutputPixelInTheStepper) {
  const Tensor x = digit20(*digits_, 7000);
  const NetworkInside inside = look_inside(*classifier_, x);
  for (size_t shown : {size_t{0}, size_t{4}}) {  // conv1's map; conv2 behind the second ReLU
    const LayerMaps& m = inside.layers[shown];
    const int conv = convt::lab::conv_behind(*classifier_, m.index);
    ASSERT_EQ(conv, shown == 0 ? 0 : 3);
    const int oc = m.order.front();
    int oy = 0, ox = 0;
    convt::lab::most_active_pixel(m, oc, &oy, &ox);
    const convt::lab::ConvPixelSlice s =
        convt::lab::conv_pixel_slice(*classifier_, inside, static_cast<size_t>(conv), oc, oy, ox);
    // bias + the contributions of every input channel = the conv's real output.
    classifier_->forward(x);
    const Tensor& conv_out = classifier_->activation_after(static_cast<size_t>(conv));
    EXPECT_NEAR(s.output, conv_out.at(0, oc, oy, ox), 1e-4f);
    EXPECT_EQ(s.span, 3);
    EXPECT_EQ(s.in_channels, shown == 0 ? 1 : 16);
    convt::lab::StepperModel stepper;
    ASSERT_EQ(convt::lab::load_conv_slice_into_stepper(s, stepper), "");
    EXPECT_EQ(stepper.config().op, convt::lab::StepperOp::kConv2d);
    ASSERT_EQ(stepper.output().numel(), 1);
    EXPECT_NEAR(stepper.output()[0], s.contribution, 1e-5f);
    if (shown == 0) {
      EXPECT_NEAR(s.contribution + s.bias, s.output, 1e-5f);
    }
  }
  EXPECT_THROW(convt::lab::conv_pixel_slice(*classifier_, inside, 1, 0, 0, 0),
               std::invalid_argument);  // a ReLU
  EXPECT_THROW(convt::lab::conv_pixel_slice(*classifier_, inside, 0, 16, 0, 0),
               std::invalid_argument);  // conv1 has 16 channels
}

TEST_F(CnnInsideTest, DrawingChangesTheCanvasAndTheResults) {
  InsideModel m;
  m.load();
  ASSERT_EQ(m.classifier_error, "");
  ASSERT_EQ(m.probabilities.size(), 10u);
  m.clear();
  for (int k = 0; k < 400; ++k) ASSERT_EQ(m.canvas[k], -1.0f);
  const std::vector<float> blank = m.probabilities;
  const int before = m.version;
  // A vertical stroke down the middle: a 1.
  EXPECT_TRUE(m.stroke(3.0f, 10.5f, 17.0f, 10.5f, convt::lab::Brush{0.45f, 1.15f, false}));
  EXPECT_GT(m.version, before);
  EXPECT_TRUE(m.drawn);
  EXPECT_GT(m.canvas.at(0, 0, 10, 10), 0.9f);
  EXPECT_NE(m.probabilities, blank);
  EXPECT_EQ(
      std::max_element(m.probabilities.begin(), m.probabilities.end()) - m.probabilities.begin(), 1)
      << "a vertical stroke is a 1";
  // A stroke wholly outside the canvas changes nothing.
  EXPECT_FALSE(m.stroke(-10.0f, -10.0f, -8.0f, -8.0f, convt::lab::Brush()));
}

TEST_F(CnnInsideTest, StepThroughAChannelOpensTheStepperOnItsRealSlice) {
  convt::AppState state;
  convt::lab::Navigator nav(state);
  InsideModel& m = state.model.cnn.inside;
  m.digit = 3119;
  m.d_path = write_checkpoint(3).string();
  m.load();
  ASSERT_TRUE(m.D) << m.d_error;
  // Classifier row 2 (MaxPool2d after conv1), its most active channel.
  const int c = m.cls.layers[2].order.front();
  const convt::lab::ConvPixelSlice s = convt::lab::inside_channel_slice(m, 0, 2, c);
  EXPECT_EQ(s.layer, 0u);
  int oy = 0, ox = 0;
  convt::lab::most_active_pixel(m.cls.layers[0], c, &oy, &ox);
  EXPECT_EQ(s.oy, oy);
  EXPECT_EQ(s.ox, ox);
  EXPECT_NEAR(s.output, m.cls.layers[0].map(c)[oy * 20 + ox], 1e-5f);
  EXPECT_EQ(nav.open_stepper_on_inside_channel(0, 2, c), "");
  EXPECT_EQ(state.view.active_panel, convt::lab::PanelId::kStepper);
  EXPECT_EQ(state.view.came_from.back_to, convt::lab::PanelId::kCnn);
  EXPECT_NE(state.view.came_from.text.find("Classifier layer 0 Conv2d"), std::string::npos)
      << state.view.came_from.text;
  EXPECT_NEAR(state.model.stepper.output()[0], s.contribution, 1e-5f);

  // D's second conv (row 2: k5, stride 2): a 5x5 window, the stepper's output its contribution.
  const int dc = m.d.layers[2].order.front();
  const convt::lab::ConvPixelSlice ds = convt::lab::inside_channel_slice(m, 1, 2, dc);
  EXPECT_EQ(ds.span, 5);
  EXPECT_EQ(ds.stride, 2);
  EXPECT_NEAR(ds.output, m.d.layers[2].map(dc)[ds.oy * 5 + ds.ox], 1e-4f);
  EXPECT_EQ(nav.open_stepper_on_inside_channel(1, 2, dc), "");
  EXPECT_NEAR(state.model.stepper.output()[0], ds.contribution, 1e-4f);

  // Bad requests are refused with a reason; the stepper is unchanged.
  EXPECT_NE(nav.open_stepper_on_inside_channel(0, 9, 0).find("map rows"), std::string::npos);
  EXPECT_NE(nav.open_stepper_on_inside_channel(0, 0, 99).find("channels"), std::string::npos);
  m.D.reset();
  EXPECT_EQ(nav.open_stepper_on_inside_channel(1, 0, 0), "no D is loaded");
}

}  // namespace
