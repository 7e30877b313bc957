// state_dict / load_state_dict (convt/nn/state_dict.h) and the generator on its own
// (convt/train/generator.h): loading G or G_ema from a full checkpoint or a generator file,
// export_generator, and the shipped generator files.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/state_dict.h"
#include "convt/train/gan_trainer.h"
#include "convt/train/generator.h"
#include "gan_test_data.h"

using namespace convt;
using nlohmann::json;

namespace {

using convt::test::digits20;
using convt::test::tiny_spec;

GanConfig ema_config(float decay) {
  GanConfig c;
  c.batch_size = 16;
  c.lr_g = 2e-3f;
  c.lr_d = 2e-3f;
  c.seed = 4;
  c.ema_decay = decay;
  return c;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "convt_generator_" + name;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(StateDict, RoundTripWithPrefixAndPyTorchNames) {
  nn::GanModel a = nn::build_gan(tiny_spec(), 1), b = nn::build_gan(tiny_spec(), 2);
  const std::map<std::string, Tensor> sd = nn::state_dict(*a.G, "G.");
  EXPECT_EQ(sd.count("G.0.weight"), 1u);
  EXPECT_EQ(sd.count("G.1.running_mean"), 1u);  // buffers too, as PyTorch's state_dict
  EXPECT_TRUE(nn::has_prefix(sd, "G."));
  EXPECT_FALSE(nn::has_prefix(sd, "G_ema."));
  nn::load_state_dict(*b.G, sd, "G.", "memory");
  EXPECT_EQ(nn::state_dict(*b.G, "G.").at("G.0.weight").values(), sd.at("G.0.weight").values());
}

TEST(StateDict, RefusesMissingMisShapedAndUnexpectedTensorsAndChangesNothing) {
  nn::GanModel a = nn::build_gan(tiny_spec(), 1), b = nn::build_gan(tiny_spec(), 2);
  const std::map<std::string, Tensor> good = nn::state_dict(*a.G, "G.");
  const std::vector<float> before = nn::state_dict(*b.G).at("0.weight").values();

  std::map<std::string, Tensor> missing = good;
  missing.erase("G.1.running_var");
  EXPECT_NE(error_of([&] {
              nn::load_state_dict(*b.G, missing, "G.", "f.safetensors");
            }).find("f.safetensors: tensor 'G.1.running_var' is missing"),
            std::string::npos);

  std::map<std::string, Tensor> shaped = good;
  shaped["G.0.weight"] = Tensor({3, 2});
  EXPECT_NE(error_of([&] {
              nn::load_state_dict(*b.G, shaped, "G.", "f");
            }).find("'G.0.weight': expected shape"),
            std::string::npos);

  std::map<std::string, Tensor> extra = good;
  extra["G.99.weight"] = Tensor({1});
  EXPECT_NE(error_of([&] {
              nn::load_state_dict(*b.G, extra, "G.", "f");
            }).find("unexpected tensor 'G.99.weight'"),
            std::string::npos);
  EXPECT_EQ(nn::state_dict(*b.G).at("0.weight").values(), before);  // all or nothing
  nn::load_state_dict(*b.G, extra, "G.", "f", /*strict=*/false);    // not strict: ignored
  EXPECT_EQ(nn::state_dict(*b.G).at("0.weight").values(), good.at("G.0.weight").values());
}

// The running statistics after reestimate_batch_norm are the average over the batches of each
// batch's mean, computed here directly from the first BatchNorm's input (layer 0's output).
TEST(Generator, ReestimatedStatisticsAreTheAverageOfTheBatchStatistics) {
  nn::GanModel m = nn::build_gan(tiny_spec(), 3);
  nn::Sequential& G = *m.G;
  auto& bn = dynamic_cast<nn::BatchNorm&>(G.layer(1));
  reestimate_batch_norm(G, m.latent_dim, 3, 8, 7);
  const Tensor z = latent_batch(24, m.latent_dim, 7);  // the same z, batch after batch
  G.set_training(false);
  const int64_t features = bn.running_mean.numel();
  std::vector<double> mean(static_cast<size_t>(features), 0.0);
  for (int k = 0; k < 3; ++k) {
    Tensor zk({8, m.latent_dim}, std::vector<float>(z.data() + k * 8 * m.latent_dim,
                                                    z.data() + (k + 1) * 8 * m.latent_dim));
    G.forward(zk);
    const Tensor& h = G.activation_after(0);  // (8, features): the BatchNorm's input
    for (int64_t c = 0; c < features; ++c) {
      double s = 0;
      for (int64_t i = 0; i < 8; ++i) s += h[i * features + c];
      mean[static_cast<size_t>(c)] += s / 8 / 3;
    }
  }
  for (int64_t c = 0; c < features; ++c) {
    EXPECT_NEAR(bn.running_mean[c], mean[static_cast<size_t>(c)], 1e-5) << "feature " << c;
  }
  EXPECT_THROW(reestimate_batch_norm(G, m.latent_dim, 0, 8, 1), std::invalid_argument);
  EXPECT_THROW(reestimate_batch_norm(G, m.latent_dim, 2, 1, 1), std::invalid_argument);
}

// export_generator keeps G and G_ema (statistics re-estimated) and drops D and the optimisers;
// G and G_ema load from it exactly as from the full checkpoint; it cannot resume training.
TEST(Generator, ExportKeepsGAndGemaAndLoadsLikeTheCheckpoint) {
  const std::string ckpt = temp_path("ckpt.safetensors"), out = temp_path("G.safetensors");
  GanTrainer t(tiny_spec(), ema_config(0.9f), &digits20());
  for (int i = 0; i < 4; ++i) t.step();
  t.save_checkpoint(ckpt);
  const std::string summary = export_generator(ckpt, out);
  EXPECT_NE(summary.find("G and G_ema"), std::string::npos) << summary;
  const SafetensorsFile f = read_safetensors(out);
  for (const auto& [name, tensor] : f.tensors) {
    EXPECT_TRUE(name.rfind("G.", 0) == 0 || name.rfind("G_ema.", 0) == 0) << name;
  }
  EXPECT_EQ(f.metadata.at("generator_only"), "true");
  EXPECT_EQ(f.metadata.at("step"), "4");
  EXPECT_EQ(f.metadata.at("data"), digits20().name);  // what it was trained on, kept
  EXPECT_EQ(f.metadata.at("data.images"), std::to_string(digits20().size()));
  EXPECT_EQ(load_generator(out).data, digits20().name);
  EXPECT_EQ(load_generator(ckpt).data, digits20().name);

  const Tensor z = latent_batch(3, t.model().latent_dim, 9);
  for (GeneratorChoice which : {GeneratorChoice::G, GeneratorChoice::G_ema}) {
    Generator from_ckpt = load_generator(ckpt, which), from_file = load_generator(out, which);
    EXPECT_EQ(from_file.averaged, which == GeneratorChoice::G_ema);
    EXPECT_TRUE(from_file.file_has_ema);
    EXPECT_EQ(from_file.steps, 4);
    EXPECT_EQ(from_file.image_shape, (std::vector<int64_t>{1, 20, 20}));
    EXPECT_EQ(from_ckpt.G->forward(z).values(), from_file.G->forward(z).values());
  }
  // G_ema is not G, and its statistics are its own, not G's
  EXPECT_NE(load_generator(out, GeneratorChoice::G).G->forward(z).values(),
            load_generator(out, GeneratorChoice::prefer_ema).G->forward(z).values());
  EXPECT_NE(f.tensors.at("G.1.running_mean").values(),
            f.tensors.at("G_ema.1.running_mean").values());

  EXPECT_NE(
      error_of([&] { GanTrainer::from_checkpoint(out, &digits20()); }).find("a generator file"),
      std::string::npos);
  std::remove(ckpt.c_str());
  std::remove(out.c_str());
}

TEST(Generator, WithoutEmaPreferEmaGivesGAndAskingForGemaIsAClearError) {
  const std::string ckpt = temp_path("plain.safetensors");
  GanTrainer t(tiny_spec(), ema_config(0.0f), &digits20());
  t.step();
  t.save_checkpoint(ckpt);
  Generator g = load_generator(ckpt, GeneratorChoice::prefer_ema);
  EXPECT_FALSE(g.averaged);
  EXPECT_FALSE(g.file_has_ema);
  EXPECT_NE(error_of([&] { load_generator(ckpt, GeneratorChoice::G_ema); }).find("holds no G_ema"),
            std::string::npos);
  std::remove(ckpt.c_str());
  EXPECT_NE(error_of([&] { load_generator(ckpt); }).find(ckpt), std::string::npos);
}

// Every generator the app ships loads, says what it was trained on (the names Dataset gives,
// as assets/README.md lists them) and makes images of its model's shape.
TEST(Generator, ShippedFilesLoadAndGenerate) {
  struct Shipped {
    const char* file;
    const char* data;
    std::vector<int64_t> shape;
  };
  const Shipped shipped[] = {
      {"checkpoints/dcgan20_digits.safetensors", "digits20", {2, 1, 20, 20}},
      {"checkpoints/dcgan28_digits_G.safetensors", "digits28", {2, 1, 28, 28}},
      {"checkpoints/dcgan28_fashion_G.safetensors", "fashion-mnist-train", {2, 1, 28, 28}},
      {"checkpoints/rgb32_emoji_G.safetensors", "emoji", {2, 3, 32, 32}},
      {"checkpoints/rgb32_emoji_faces_G.safetensors", "emoji:smileys-emotion", {2, 3, 32, 32}},
      {"checkpoints/dcgan64_emoji_faces_G.safetensors", "emoji:smileys-emotion", {2, 3, 64, 64}},
  };
  for (const auto& [file, data, shape] : shipped) {
    Generator g = load_generator(asset_path(file), GeneratorChoice::prefer_ema);
    const Tensor x = g.G->forward(latent_batch(2, g.latent_dim, 1));
    EXPECT_EQ(x.shape(), shape) << file;
    EXPECT_GT(g.steps, 0) << file;
    EXPECT_EQ(g.data, data) << file;
    for (int64_t i = 0; i < x.numel(); ++i) ASSERT_LE(std::abs(x[i]), 1.0f) << file;  // tanh
  }
}

// Batch statistics: the same images as a training-mode forward, and the running statistics kept.
TEST(Generator, BatchStatisticsSamplingLeavesTheRunningStatisticsAlone) {
  nn::GanModel m = nn::build_gan(tiny_spec(), 5);
  reestimate_batch_norm(*m.G, m.latent_dim, 2, 8, 3);  // statistics that are not z's
  const std::map<std::string, Tensor> before = nn::state_dict(*m.G);
  const Tensor z = latent_batch(6, m.latent_dim, 11);
  const Tensor x = generate_with_batch_statistics(*m.G, z);
  const std::map<std::string, Tensor> after = nn::state_dict(*m.G);
  for (const auto& [name, t] : before) EXPECT_EQ(after.at(name).values(), t.values()) << name;

  nn::GanModel copy = nn::build_gan(tiny_spec(), 5);
  nn::load_state_dict(*copy.G, before, "", "copy");
  copy.G->set_training(true);
  EXPECT_EQ(copy.G->forward(z).values(), x.values());
  m.G->set_training(false);
  EXPECT_NE(m.G->forward(z).values(), x.values());  // running statistics give other images
}
