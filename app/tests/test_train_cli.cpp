// `convt-lab train / sample / bench train`, run as a user would (the real executable), on the
// tiny20 test spec and the built-in digits: outputs, exact resume, refusals with exit status 2.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "convt/io/npy.h"
#include "convt/io/png.h"
#include "convt/io/safetensors.h"
#include "convt/train/gan_trainer.h"
#include "lab_process.h"

namespace fs = std::filesystem;

namespace {

const std::string kTiny = std::string(CONVT_SOURCE_DIR) + "/core/tests/fixtures/nn/tiny20.json";

class TrainCli : public convt::test::LabRunDir {
 protected:
  std::vector<std::string> lines(const fs::path& p) {
    std::ifstream f(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(f, l);) out.push_back(l);
    return out;
  }
  // 8 gray 20x20 pictures in dir_/pics, a folder of images to train on.
  void write_pics() {
    fs::create_directories(dir_ / "pics");
    for (int i = 0; i < 8; ++i) {
      convt::write_png_grid((dir_ / "pics" / ("p" + std::to_string(i) + ".png")).string(),
                            convt::Tensor({1, 1, 20, 20}, 0.1f * static_cast<float>(i)), 1);
    }
  }
};

// The number after "quality score " in `sample --score`'s output; -1 when there is none.
double score_of(const std::string& out) {
  const size_t at = out.find("quality score ");
  return at == std::string::npos ? -1.0 : std::atof(out.c_str() + at + 14);
}

// The loss columns (loss_g, loss_d) of a log.csv row.
std::string losses(const std::string& row) {
  std::stringstream s(row);
  std::string step, epoch, lg, ld;
  std::getline(s, step, ',');
  std::getline(s, epoch, ',');
  std::getline(s, lg, ',');
  std::getline(s, ld, ',');
  return lg + "," + ld;
}

}  // namespace

TEST_F(TrainCli, TrainWritesOutputsAndResumesExactly) {
  const std::string common = "train --model " + kTiny + " --data digits --batch 8 --lr 1e-3 ";
  CmdResult a = run(common + "--steps 4 --out straight");
  ASSERT_EQ(a.status, 0) << a.out;
  EXPECT_TRUE(fs::exists(dir_ / "straight" / "checkpoint.safetensors"));
  EXPECT_TRUE(fs::exists(dir_ / "straight" / "samples_latest.png"));
  const auto straight = lines(dir_ / "straight" / "log.csv");
  ASSERT_EQ(straight.size(), 5u);  // header + 4 steps
  EXPECT_EQ(straight[0].rfind("step,epoch,loss_g,loss_d", 0), 0u) << straight[0];

  ASSERT_EQ(run(common + "--steps 2 --out split").status, 0);
  CmdResult again = run(common + "--steps 2 --out split");
  EXPECT_EQ(again.status, 2) << again.out;
  EXPECT_NE(again.out.find("--resume"), std::string::npos) << again.out;
  CmdResult resumed = run("train --data digits --steps 4 --out split --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  const auto split = lines(dir_ / "split" / "log.csv");
  ASSERT_EQ(split.size(), 5u);
  for (size_t i = 1; i < 5; ++i) EXPECT_EQ(losses(split[i]), losses(straight[i])) << "row " << i;
}

TEST_F(TrainCli, ShortEpochsWriteAGridAtMostEveryCheckpointInterval) {
  // 8 pictures in batches of 8: every step ends an epoch. A grid per epoch filled a 200,000-step
  // emoji run's folder with 100,000 PNGs; now one per --checkpoint-every steps (epochs 1, 6, 11).
  write_pics();
  const CmdResult r = run("train --model " + kTiny +
                          " --data pics --batch 8 --steps 12 --checkpoint-every 5 --out run");
  ASSERT_EQ(r.status, 0) << r.out;
  std::vector<std::string> grids;
  for (const auto& e : fs::directory_iterator(dir_ / "run")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("samples_epoch_", 0) == 0) grids.push_back(name);
  }
  std::sort(grids.begin(), grids.end());
  EXPECT_EQ(grids, (std::vector<std::string>{"samples_epoch_001.png", "samples_epoch_006.png",
                                             "samples_epoch_011.png"}));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "samples_latest.png"));
}

TEST_F(TrainCli, ResumeWithNewLearningRateSaysSoAndStoresIt) {
  // train --resume refused --lr; it now overrides the checkpoint's value for the resumed steps.
  ASSERT_EQ(
      run("train --model " + kTiny + " --data digits --batch 8 --lr 1e-3 --steps 2 --out r").status,
      0);
  const fs::path ckpt = dir_ / "r" / "checkpoint.safetensors";
  auto stored = [&] {
    return convt::config_from_json(convt::read_safetensors(ckpt.string()).metadata.at("config"));
  };
  ASSERT_EQ(stored().lr_g, 1e-3f);
  CmdResult r = run("train --data digits --steps 3 --out r --resume --lr 5e-4 --beta1 0.6");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("overriding the checkpoint's lr_g 0.001 -> 0.0005, lr_d 0.001 -> 0.0005, "
                       "beta1 0.5 -> 0.6"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("resuming at step 2"), std::string::npos) << r.out;
  const convt::GanConfig now = stored();
  EXPECT_EQ(now.lr_g, 5e-4f);
  EXPECT_EQ(now.lr_d, 5e-4f);
  EXPECT_EQ(now.beta1, 0.6f);
  EXPECT_EQ(now.beta2, 0.999f);
  EXPECT_EQ(lines(dir_ / "r" / "log.csv").size(), 4u);  // header + 3 steps

  // Resuming again without flags keeps the stored values and says nothing of them; a value the
  // flag refuses is refused as on a new run, and nothing is written.
  r = run("train --data digits --steps 4 --out r --resume --lr-d 1e-3");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("overriding the checkpoint's lr_d 0.0005 -> 0.001 "), std::string::npos)
      << r.out;
  EXPECT_EQ(stored().lr_g, 5e-4f);
  EXPECT_EQ(stored().lr_d, 1e-3f);
  r = run("train --data digits --steps 5 --out r --resume --lr 0");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--lr: expected a number in [1e-09, 10], found '0'"), std::string::npos)
      << r.out;
  EXPECT_EQ(lines(dir_ / "r" / "log.csv").size(), 5u);
}

TEST_F(TrainCli, BadHyperparametersExit2AndWriteNothing) {
  CmdResult r = run("train --model " + kTiny + " --data digits --lr -1 --out run");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--lr"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "run"));
  r = run("train --model " + kTiny + " --data digits --backend gpu --out run");
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

TEST_F(TrainCli, DiffAugmentIsStoredSaidAndKeptOnResume) {
  CmdResult r = run("train --model " + kTiny +
                    " --data digits --batch 8 --steps 2 --diff-augment cutout,translation --out a");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("DiffAugment translation,cutout, "), std::string::npos) << r.out;
  const fs::path ckpt = dir_ / "a" / "checkpoint.safetensors";
  const convt::SafetensorsFile f = convt::read_safetensors(ckpt.string());
  EXPECT_EQ(convt::config_from_json(f.metadata.at("config")).diff_augment, "translation,cutout");
  EXPECT_EQ(f.metadata.count("rng.augment"), 1u);
  // resume keeps it (and refuses to change it); an unknown transform is refused, nothing written
  r = run("train --data digits --steps 3 --out a --resume --diff-augment color");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--diff-augment cannot change on resume: the checkpoint's run has "
                       "'translation,cutout', found 'color'"),
            std::string::npos)
      << r.out;
  r = run("train --data digits --steps 3 --out a --resume --seed 9");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--seed cannot change on resume: the checkpoint's run has 0, found 9"),
            std::string::npos)
      << r.out;
  // The same command again with --resume: the same values (in any order) are accepted.
  r = run("train --model " + kTiny +
          " --data digits --batch 8 --steps 3 --diff-augment translation,cutout --out a --resume");
  ASSERT_EQ(r.status, 0) << r.out;
  r = run("train --data digits --steps 4 --out a --resume");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("DiffAugment translation,cutout, "), std::string::npos) << r.out;
  r = run("train --model " + kTiny + " --data digits --diff-augment color,flip --out b");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown transform 'flip'"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "b"));
}

TEST_F(TrainCli, SampleNpyAndCorruptCheckpoint) {
  ASSERT_EQ(run("train --model " + kTiny + " --data digits --batch 8 --steps 1 --out run").status,
            0);
  CmdResult s = run("sample --checkpoint run/checkpoint.safetensors --n 5 --seed 3 --out s.npy");
  ASSERT_EQ(s.status, 0) << s.out;
  const convt::Tensor x = convt::read_npy((dir_ / "s.npy").string());
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{5, 1, 20, 20}));
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_LE(std::fabs(x[i]), 1.0f);
  ASSERT_EQ(run("sample --checkpoint run/checkpoint.safetensors --n 4 --out s.png").status, 0);
  EXPECT_TRUE(fs::exists(dir_ / "s.png"));

  fs::resize_file(dir_ / "run" / "checkpoint.safetensors", 1000);  // truncated
  CmdResult bad = run("sample --checkpoint run/checkpoint.safetensors --n 5 --out t.npy");
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.out.find("checkpoint"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(dir_ / "t.npy"));
}

// train --ema-decay keeps G_ema in the checkpoint; sample --ema draws from it (other weights than
// G's after three updates: decays 0, 2/11, 3/12), and refuses a checkpoint without one.
TEST_F(TrainCli, EmaIsTrainedStoredAndSampled) {
  CmdResult t = run("train --model " + kTiny +
                    " --data digits --batch 8 --steps 3 --ema-decay 0.999 --out ema");
  ASSERT_EQ(t.status, 0) << t.out;
  const std::string ckpt = " --checkpoint ema/checkpoint.safetensors --n 6 --seed 2";
  CmdResult g = run("sample" + ckpt + " --no-ema --batch-stats --out g.npy");
  ASSERT_EQ(g.status, 0) << g.out;
  CmdResult e = run("sample" + ckpt + " --ema --batch-stats --out e.npy");
  ASSERT_EQ(e.status, 0) << e.out;
  EXPECT_NE(e.out.find("G_ema"), std::string::npos) << e.out;
  const convt::Tensor xg = convt::read_npy((dir_ / "g.npy").string());
  const convt::Tensor xe = convt::read_npy((dir_ / "e.npy").string());
  ASSERT_EQ(xe.shape(), xg.shape());
  double diff = 0.0;
  for (int64_t i = 0; i < xe.numel(); ++i) diff += std::fabs(xe[i] - xg[i]);
  EXPECT_GT(diff, 1e-3) << "G_ema sampled the same images as G";
  CmdResult reest = run("sample" + ckpt + " --ema --out r.npy");  // statistics re-estimated
  ASSERT_EQ(reest.status, 0) << reest.out;
  EXPECT_NE(reest.out.find("re-estimated"), std::string::npos) << reest.out;
  // Without a flag, a file with G_ema is sampled from G_ema, and says so.
  CmdResult d = run("sample" + ckpt + " --out d.npy");
  ASSERT_EQ(d.status, 0) << d.out;
  EXPECT_NE(d.out.find("G_ema, the averaged G"), std::string::npos) << d.out;
  EXPECT_EQ(convt::read_npy((dir_ / "d.npy").string()).values(),
            convt::read_npy((dir_ / "r.npy").string()).values());
  EXPECT_EQ(run("sample" + ckpt + " --ema --no-ema --out x.npy").status, 2);

  ASSERT_EQ(run("train --model " + kTiny + " --data digits --batch 8 --steps 1 --out plain").status,
            0);
  CmdResult none = run("sample --checkpoint plain/checkpoint.safetensors --ema --out n.npy");
  EXPECT_EQ(none.status, 2) << none.out;
  EXPECT_NE(none.out.find("--ema-decay"), std::string::npos) << none.out;
  EXPECT_FALSE(fs::exists(dir_ / "n.npy"));
  CmdResult bad = run("train --model " + kTiny + " --data digits --ema-decay 1 --out bad");
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.out.find("--ema-decay"), std::string::npos) << bad.out;
}

TEST_F(TrainCli, BenchTrainLastLineIsSamplesPerSecond) {
  CmdResult r = run("bench train --model " + kTiny + " --batch 4 --steps 1");
  ASSERT_EQ(r.status, 0) << r.out;
  std::string last = r.out.substr(r.out.rfind("samples/s:"));
  EXPECT_EQ(last.back(), '\n');
  EXPECT_GT(std::atof(last.c_str() + 10), 0.0) << r.out;
}

// The "computed" work of dcgan20, counted by hand: taps inside the image per axis (k5 s2 p2 over
// 5 -> 10 and 10 -> 20: 22 and 47 of 25 and 50; k5 s1 p2 over 20: 94 of 100; conv 20 -> 10: 47;
// 10 -> 5: 22), so g = 640000 + 256*128*22^2 + 128*64*47^2 + 64*94^2 = 35161344 and
// d = 64*47^2 + 64*128*22^2 + 3200 = 4109504 multiply-adds; per sample and step
// 2 (3g - 640000 + 7d - 2*64*47^2) = 266.66 MFLOP, against the nominal 338 (every tap, D run
// twice on X_fake, every input gradient).
TEST_F(TrainCli, BenchTrainCountsTheWorkItComputes) {
  CmdResult r = run("bench train --model dcgan20 --batch 2 --steps 1");
  ASSERT_EQ(r.status, 0) << r.out;
  const size_t at = r.out.find("images): ");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(at + 9, 19), "267 MFLOP/sample/st") << r.out;
  EXPECT_NE(r.out.find(", 338 MFLOP/sample/step"), std::string::npos) << r.out;
}

// --score judges the samples with the dashboard's digit classifier: the shipped checkpoint
// (assets/README.md says how it was trained) must score far above an untrained generator, whose
// blobs the classifier cannot tell apart (and a score of 1 means one class for everything).
TEST_F(TrainCli, SampleScoreRanksTrainedAboveUntrained) {
  const std::string shipped =
      std::string(CONVT_SOURCE_DIR) + "/assets/checkpoints/dcgan20_digits.safetensors";
  CmdResult trained = run("sample --checkpoint '" + shipped + "' --n 200 --out t.png --score");
  ASSERT_EQ(trained.status, 0) << trained.out;
  EXPECT_NE(trained.out.find("histogram 0:"), std::string::npos) << trained.out;
  ASSERT_EQ(run("train --model " + kTiny + " --data digits --batch 8 --steps 1 --out run").status,
            0);
  CmdResult fresh =
      run("sample --checkpoint run/checkpoint.safetensors --n 200 --out f.png --score");
  ASSERT_EQ(fresh.status, 0) << fresh.out;
  EXPECT_GT(score_of(trained.out), 4.0) << trained.out;
  EXPECT_GT(score_of(trained.out), score_of(fresh.out) + 2.0) << fresh.out;
}

// A generator trained on other pictures (its file says which) is not scored as digits; its
// exported generator file still says so.
TEST_F(TrainCli, SampleScoreRefusesAGeneratorTrainedOnOtherPictures) {
  write_pics();
  ASSERT_EQ(run("train --model " + kTiny + " --data pics --batch 8 --steps 1 --out run").status, 0);
  ASSERT_EQ(
      run("export-generator --checkpoint run/checkpoint.safetensors --out g.safetensors").status,
      0);
  for (const char* file : {"run/checkpoint.safetensors", "g.safetensors"}) {
    const CmdResult r =
        run(std::string("sample --checkpoint ") + file + " --n 8 --out s.png --score");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("the digit classifier judges digits; " + std::string(file) +
                         " was trained on 'pics'"),
              std::string::npos)
        << r.out;
  }
  EXPECT_FALSE(fs::exists(dir_ / "s.png"));
}

// A 28x28 digit generator is scored at 20x20 (area-resized, as the built-in digits were made)
// and says so; a colour generator is refused, naming its shape, and nothing is written.
TEST_F(TrainCli, SampleScoreTakes28x28DigitsAndRefusesColour) {
  const std::string dir = std::string(CONVT_SOURCE_DIR) + "/assets/checkpoints/";
  CmdResult d28 = run("sample --checkpoint '" + dir +
                      "dcgan28_digits_G.safetensors' --n 200 --out d.png --score");
  ASSERT_EQ(d28.status, 0) << d28.out;
  EXPECT_NE(d28.out.find("scored at 20x20: the samples area-resized"), std::string::npos)
      << d28.out;
  ASSERT_NE(d28.out.find("quality score "), std::string::npos) << d28.out;
  EXPECT_GT(score_of(d28.out), 5.0) << d28.out;  // digits, not blobs
  CmdResult rgb =
      run("sample --checkpoint '" + dir + "rgb32_emoji_G.safetensors' --n 20 --out r.png --score");
  EXPECT_EQ(rgb.status, 2) << rgb.out;
  EXPECT_NE(rgb.out.find("takes 1x20x20 or 1x28x28 samples; model rgb32 makes (3, 32, 32)"),
            std::string::npos)
      << rgb.out;
  EXPECT_FALSE(fs::exists(dir_ / "r.png"));
}
