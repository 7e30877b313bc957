// The CLI given the inputs a careless user or a script sends: sizes that overflow 32 bits,
// special files as outputs, signals mid-run, broken model specs and checkpoints. Each case must
// be refused with exit status 2 and a message naming what was expected and what was found, and
// leave existing files byte-identical.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "convt/io/npy.h"
#include "convt/io/png.h"
#include "convt/io/safetensors.h"
#include "convt/tensor.h"
#include "lab_process.h"

namespace {

namespace fs = std::filesystem;
using convt::Tensor;

const std::string kTiny = std::string(CONVT_SOURCE_DIR) + "/core/tests/fixtures/nn/tiny20.json";
const float kNaN = std::numeric_limits<float>::quiet_NaN();

class CliHostile : public convt::test::LabRunDir {
 protected:
  void save(const std::string& name, const Tensor& t) {
    convt::write_npy((dir_ / name).string(), t);
  }
  bool exists(const std::string& name) const { return std::filesystem::exists(dir_ / name); }

  // Runs `convt-lab args` in the background, sends `signal` ("INT" or "TERM") `delay` seconds
  // after the program has installed its handlers, and waits up to 120 s for it to end. Waiting
  // for the handlers (SigCgt in /proc/PID/status) keeps a slow start under load from receiving
  // the signal before main: a background job of a non-interactive shell ignores SIGINT until
  // then, and the signal would be lost. Both must be seen, SIGINT's and SIGTERM's, which the
  // program installs together: `sh -c` catches SIGINT alone (SigCgt 0x10002, with SIGCHLD), its
  // child keeps that handler until exec, and a signal the child took was lost (a run in 6 under
  // load). The status is the program's exit status, or kNoHandler when no handler was seen in
  // about 60 s (the signal is then not sent), or kKilled when it was still running 120 s after
  // the signal (a loaded machine can take tens of seconds to read the slow folder below) or the
  // shell left no status.
  static constexpr int kNoHandler = -3, kKilled = -2;
  static constexpr const char* kStatusKey =
      "(-3: no handler seen, -2: killed 120 s after the signal)\n";
  CmdResult run_and_signal(const std::string& args, const std::string& signal, double delay) {
    const fs::path log = dir_ / "cmd.log", rc = dir_ / "rc";
    // SigCgt's bits for SIGINT and SIGTERM (bit n - 1 for signal n): 16386.
    const std::string mask = std::to_string((1 << (SIGINT - 1)) | (1 << (SIGTERM - 1)));
    const std::string script =
        "cd '" + dir_.string() + "' && ('" + CONVT_LAB_EXE + "' " + args + " > '" + log.string() +
        "' 2>&1 & pid=$!; seen=0; i=0; while [ $i -lt 6000 ]; do m=$(awk '/^SigCgt/ {print $2}' "
        "/proc/$pid/status 2>/dev/null); if [ -n \"$m\" ] && [ $((0x$m & " +
        mask + ")) -eq " + mask + " ]; then seen=1; break; fi; sleep 0.01; i=$((i+1)); done; cp '" +
        log.string() + "' handled.log; if [ $seen = 0 ]; then kill -9 $pid; wait $pid; echo " +
        std::to_string(kNoHandler) + " > '" + rc.string() + "'; exit; fi; sleep " +
        std::to_string(delay) + "; kill -" + signal +
        " $pid; i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.1; "
        "i=$((i+1)); done; if kill -0 $pid 2>/dev/null; then kill -9 $pid; wait $pid; echo " +
        std::to_string(kKilled) + " > '" + rc.string() + "'; else wait $pid; echo $? > '" +
        rc.string() + "'; fi)";
    std::system(script.c_str());
    out_when_handled_ = convt::test::read_text(dir_ / "handled.log");
    const std::string status = convt::test::read_text(rc);
    return {status.empty() ? kKilled : std::stoi(status), convt::test::read_text(log)};
  }
  // What the program had printed when its handler was seen: "" while its data still loaded.
  std::string out_when_handled_;

  // A folder of 1500 512x512 pictures, which takes most of a second to load: a signal sent
  // 0.05 s after the handler is installed comes while it loads.
  void make_slow_folder(const std::string& name) {
    fs::create_directories(dir_ / name);
    convt::write_png_grid((dir_ / name / "p0.png").string(), Tensor({1, 1, 512, 512}, 0.5f), 1);
    for (int i = 1; i < 1500; ++i) {
      fs::copy_file(dir_ / name / "p0.png", dir_ / name / ("p" + std::to_string(i) + ".png"));
    }
  }

  // Exit status 2 and every piece of `needles` in the output.
  void expect_refused(const CmdResult& r, const std::vector<std::string>& needles) {
    EXPECT_EQ(r.status, 2) << r.out;
    for (const std::string& n : needles) EXPECT_NE(r.out.find(n), std::string::npos) << r.out;
  }
};

// ---- Sizes: computed in 64 bits, refused when they do not fit --------------------------------

TEST_F(CliHostile, ShapeRefusesAnOutputSizeThatOverflowsInt32) {
  // (1000000-1)*4295 + 1 = 4294995706 used to wrap to 28410.
  const CmdResult r = run("shape conv_transpose2d --in 1000000 --kernel-size 1 --stride 4295");
  expect_refused(r, {"4294995706", "2147483647"});
  EXPECT_EQ(r.out.find("H_out=28410"), std::string::npos) << r.out;
}

TEST_F(CliHostile, OpRefusesAnOutputSizeThatOverflowsInt32) {
  save("tall.npy", Tensor({1, 1, 1000000, 1}, 1.0f));
  save("w.npy", Tensor({1, 1, 1, 1}, 1.0f));
  const CmdResult r =
      run("op conv_transpose2d --input tall.npy --weight w.npy --stride 4295,1 --out y.npy");
  expect_refused(r, {"conv_transpose2d H", "4294995706", "2147483647"});
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, ShapeRefusesAKernelWhoseDilatedReachOverflows) {
  // 1000000*(3000-1)+1 = 2999000001 used to wrap to a small reach, and H_out to 1295967300.
  const CmdResult r = run("shape conv2d --in 4 --kernel-size 3000,1 --dilation 1000000,1");
  expect_refused(r, {"2999000001", "larger than the padded input"});
  EXPECT_EQ(r.out.find("1295967300"), std::string::npos) << r.out;
}

TEST_F(CliHostile, OpConv2dRefusesAHugeDilationBeforeAllocating) {
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));
  save("w.npy", Tensor({1, 2, 3000, 1}, 1.0f));
  // It used to run for minutes and grow past 4 GB (ctest's timeout failed it).
  const CmdResult r =
      run("op conv2d --input x.npy --weight w.npy --dilation 1000000,1 "
          "--out y.npy");
  expect_refused(r, {"conv2d H", "2999000001"});
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, OpMaxPoolRefusesAnOverflowingWindow) {
  save("x.npy", Tensor({1, 1, 4, 4}, 1.0f));
  const CmdResult r =
      run("op max_pool2d --input x.npy --kernel-size 3000,1 "
          "--dilation 1000000,1 --padding 1000,0 --out y.npy");
  expect_refused(r, {"max_pool2d H", "2999000001"});
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, AnOverflowingSizeIsNotCalledNegative) {
  // (3000-1)*1000000 + 1 = 2999000001 used to wrap to a negative "is not positive: padding
  // crops the whole output", with padding 0.
  save("x.npy", Tensor({1, 1, 3000, 1}, 1.0f));
  save("w.npy", Tensor({1, 1, 1, 1}, 1.0f));
  const CmdResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --stride 1000000,1 --out y.npy");
  expect_refused(r, {"2999000001", "2147483647"});
  EXPECT_EQ(r.out.find("not positive"), std::string::npos) << r.out;
}

TEST_F(CliHostile, OpRefusesAnOutputOverTheMemoryBudgetWithItsSizes) {
  // (4-1)*1000000 + 3 = 3000003 per axis fits int32, but the output has 9e12 elements: the
  // message gives the shape and the budget, not "out of memory ... lower --trace-limit".
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));
  save("w.npy", Tensor({2, 3, 3, 3}, 1.0f));
  const CmdResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --stride 1000000 --out y.npy");
  expect_refused(r, {"(1, 3, 3000003, 3000003)", "27000054000027 elements", "268435456"});
  EXPECT_EQ(r.out.find("--trace-limit"), std::string::npos) << r.out;
  EXPECT_FALSE(exists("y.npy"));
}

// ---- Training ----------------------------------------------------------------------------------

TEST_F(CliHostile, TrainCtrlCInTheFirstMomentsStopsAndSaves) {
  // The signal comes while a folder of 1500 512x512 pictures loads (most of a second); it used to
  // be lost, and the run went on for all its steps (over 10 minutes).
  make_slow_folder("pics");
  const CmdResult r = run_and_signal(
      "train --model " + kTiny + " --data pics --batch 8 --steps 100000 --out run", "INT", 0.05);
  EXPECT_EQ(out_when_handled_, "") << "the handler came after the data loaded";
  EXPECT_EQ(r.status, 0) << kStatusKey << r.out;
  EXPECT_NE(r.out.find("interrupted (Ctrl-C)"), std::string::npos) << r.out;
  EXPECT_TRUE(exists("run/checkpoint.safetensors")) << r.out;
}

TEST_F(CliHostile, TrainSigtermSavesLikeCtrlC) {
  const CmdResult r = run_and_signal(
      "train --model " + kTiny + " --data digits --batch 8 --steps 100000 --out run", "TERM", 1.5);
  EXPECT_EQ(r.status, 0) << kStatusKey << r.out;
  EXPECT_NE(r.out.find("interrupted (SIGTERM)"), std::string::npos) << r.out;
  EXPECT_TRUE(exists("run/checkpoint.safetensors")) << r.out;
}

TEST_F(CliHostile, FfnnTrainCtrlCInTheFirstMomentsStopsAndSaves) {
  // ffnn-train had no handler: a Ctrl-C or SIGTERM at any time ended it without a checkpoint.
  make_slow_folder("pics");
  const CmdResult r =
      run_and_signal("ffnn-train --data pics --steps 100000 --gan none --out run", "INT", 0.05);
  EXPECT_EQ(out_when_handled_, "") << "the handler came after the data loaded";
  EXPECT_EQ(r.status, 0) << kStatusKey << r.out;
  EXPECT_NE(r.out.find("interrupted (Ctrl-C): "), std::string::npos) << r.out;
  EXPECT_TRUE(exists("run/checkpoint.safetensors")) << r.out;
}

TEST_F(CliHostile, CompleteTrainCtrlCWhileTheDataLoadsStopsAtOnce) {
  make_slow_folder("pics");
  const CmdResult r =
      run_and_signal("complete-train --data pics --steps 100000 --out run", "INT", 0.05);
  EXPECT_EQ(out_when_handled_, "") << "the handler came after the data loaded";
  EXPECT_EQ(r.status, 0) << kStatusKey << r.out;
  EXPECT_NE(r.out.find("interrupted (Ctrl-C) before the first step; nothing was saved"),
            std::string::npos)
      << r.out;
}

TEST_F(CliHostile, CompleteTrainSigtermSavesTheRunItStopped) {
  // The signal comes once the untied run trains (its log exists); the tied run is not started.
  const std::string script =
      "cd '" + dir_.string() + "' && ('" + CONVT_LAB_EXE +
      "' complete-train --steps 100000 --out run > log 2>&1 & pid=$!; i=0; while ! [ -e "
      "run/untied/log.csv ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; sleep 0.2; "
      "kill -TERM $pid; wait $pid; echo $? > rc)";
  std::system(script.c_str());
  const std::string out = convt::test::read_text(dir_ / "log");
  EXPECT_EQ(convt::test::read_text(dir_ / "rc"), "0\n") << out;
  EXPECT_NE(out.find("interrupted (SIGTERM): untied after "), std::string::npos) << out;
  EXPECT_NE(out.find("of 100000 steps, saved run/untied/checkpoint.safetensors; 1 of 2 run(s) "
                     "started"),
            std::string::npos)
      << out;
  EXPECT_TRUE(exists("run/untied/checkpoint.safetensors")) << out;
  EXPECT_FALSE(exists("run/tied")) << out;
}

TEST_F(CliHostile, TrainRefusesAPresetLearningRateTheFlagWouldRefuse) {
  std::string spec = convt::test::read_text(kTiny);
  spec.insert(spec.find('{') + 1, "\n  \"presets\": {\"default\": {\"lr_g\": 1e30}},");
  std::ofstream(dir_ / "hot.json") << spec;
  const CmdResult r = run("train --model hot.json --data digits --batch 8 --steps 2 --out run");
  expect_refused(r, {"presets.default.lr_g", "[1e-09, 10]", "--lr", "1e+30"});
  EXPECT_FALSE(exists("run"));
}

TEST_F(CliHostile, TrainRefusesAnUnknownPresetNamingTheOnesTheSpecHas) {
  const CmdResult r = run("train --model dcgan20 --preset fast --data digits --steps 2 --out run");
  expect_refused(r, {"--preset", "model 'dcgan20' has no preset 'fast'", "'default', 'notes'"});
  EXPECT_FALSE(exists("run"));
}

TEST_F(CliHostile, DivergenceBeforeTheFirstCheckpointDoesNotClaimOne) {
  // D's LeakyReLU slope of 1e38 makes its logits overflow at the first step. It used to say "The
  // last good checkpoint is kept: run/checkpoint.safetensors" with no such file.
  std::string spec = convt::test::read_text(kTiny);
  const size_t d = spec.find("\"discriminator\"");
  const size_t slope = spec.find("\"negative_slope\": 0.2", d);
  ASSERT_NE(slope, std::string::npos);
  spec.replace(slope, 21, "\"negative_slope\": 1e38");
  std::ofstream(dir_ / "wild.json") << spec;
  const CmdResult r = run("train --model wild.json --data digits --batch 8 --steps 5 --out run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("No checkpoint was saved"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("last good checkpoint is kept"), std::string::npos) << r.out;
  EXPECT_FALSE(exists("run/checkpoint.safetensors"));
}

TEST_F(CliHostile, FlagRangesAreShownAsTheyAreChecked) {
  // It used to say "[0.000000, 10.000000]", showing 0 as allowed.
  const CmdResult r = run("train --model " + kTiny + " --data digits --lr 0 --out run");
  expect_refused(r, {"--lr: expected a number in [1e-09, 10], found '0'"});
}

TEST_F(CliHostile, ResumeAcceptsThePresetItWasTrainedWithAndNamesADifferentValue) {
  // --preset was refused on resume even when it repeated the run's own preset.
  std::string spec = convt::test::read_text(kTiny);
  spec.insert(spec.find('{') + 1,
              "\n  \"presets\": {\"default\": {\"batch\": 8}, \"notes\": {\"batch\": 16, "
              "\"lr_g\": 0.0001}},");
  std::ofstream(dir_ / "tiny.json") << spec;
  ASSERT_EQ(run("train --model tiny.json --data digits --preset notes --steps 1 --out run").status,
            0);
  CmdResult r = run("train --data digits --preset notes --steps 2 --out run --resume");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("resuming at step 1"), std::string::npos) << r.out;
  const std::string log_before = convt::test::read_text(dir_ / "run" / "log.csv");
  r = run("train --data digits --preset default --steps 3 --out run --resume");
  expect_refused(r, {"train --resume: --preset default sets batch 8, "
                     "run/checkpoint.safetensors was trained with batch 16; resuming keeps the "
                     "checkpoint's values"});
  EXPECT_EQ(convt::test::read_text(dir_ / "run" / "log.csv"), log_before);
  r = run("train --data digits --preset turbo --steps 3 --out run --resume");
  expect_refused(r, {"no preset 'turbo'; expected one of 'default', 'notes'"});
}

TEST_F(CliHostile, NonFiniteCheckpointIsRefusedNamingTheTensor) {
  ASSERT_EQ(run("train --model " + kTiny + " --data digits --batch 8 --steps 1 --out run").status,
            0);
  const std::string ckpt = (dir_ / "run" / "checkpoint.safetensors").string();
  convt::SafetensorsFile f = convt::read_safetensors(ckpt);
  Tensor& w = f.tensors.at("G.0.weight");
  for (int64_t i = 0; i < 3; ++i) w[i] = kNaN;
  convt::write_safetensors(ckpt, f.tensors, f.metadata);

  CmdResult r = run("sample --checkpoint run/checkpoint.safetensors --n 4 --out s.npy");
  expect_refused(r, {"'G.0.weight'", "3 non-finite value(s)", "of 800"});
  EXPECT_FALSE(exists("s.npy"));
  r = run("train --data digits --steps 3 --out run --resume");
  expect_refused(r, {"'G.0.weight'", "3 non-finite value(s)"});
}

TEST_F(CliHostile, ResumeOnAnotherDatasetIsRefusedNamingBoth) {
  ASSERT_EQ(run("train --model " + kTiny + " --data digits --batch 8 --steps 1 --out run").status,
            0);
  fs::create_directories(dir_ / "pics");
  for (int i = 0; i < 10; ++i) {
    convt::write_png_grid((dir_ / "pics" / ("p" + std::to_string(i) + ".png")).string(),
                          Tensor({1, 1, 20, 20}, 0.1f * static_cast<float>(i) - 0.5f), 1);
  }
  const std::string log_before = convt::test::read_text(dir_ / "run" / "log.csv");
  const CmdResult r = run("train --data pics --steps 3 --out run --resume");
  expect_refused(r, {"'digits20' (10000 images)", "'pics' (10 images)"});
  EXPECT_EQ(convt::test::read_text(dir_ / "run" / "log.csv"), log_before);
}

TEST_F(CliHostile, SampleRefusesNonFiniteLatentVectors) {
  ASSERT_EQ(run("train --model " + kTiny + " --data digits --batch 8 --steps 1 --out run").status,
            0);
  save("z.npy", Tensor({4, 8}, kNaN));
  const CmdResult r = run("sample --checkpoint run/checkpoint.safetensors --z z.npy --out s.npy");
  expect_refused(r, {"--z 'z.npy'", "32 NaN or infinite value(s) of 32"});
  EXPECT_FALSE(exists("s.npy"));
}

TEST_F(CliHostile, CheckpointOfAnUnknownModelAdvisesNoFlagTheCommandLacks) {
  // A checkpoint whose metadata "model" is a name no spec has, beside its own spec of tiny20.
  // export-generator and train --resume (which have no --model to change) used to advise "use
  // --model mystery or another --out directory". sample reads the spec alone and samples it.
  ASSERT_EQ(run("train --model " + kTiny + " --data digits --batch 8 --steps 1 --out run").status,
            0);
  const std::string ckpt = (dir_ / "run" / "checkpoint.safetensors").string();
  convt::SafetensorsFile f = convt::read_safetensors(ckpt);
  f.metadata["model"] = "mystery";
  convt::write_safetensors(ckpt, f.tensors, f.metadata);
  const std::string expected =
      "run/checkpoint.safetensors: metadata \"model\" is 'mystery' but its \"spec\" is of model "
      "'tiny20'; expected the same name";
  CmdResult r = run("export-generator --checkpoint run/checkpoint.safetensors --out g.safetensors");
  expect_refused(r, {expected});
  EXPECT_EQ(r.out.find("--model"), std::string::npos) << r.out;
  EXPECT_FALSE(exists("g.safetensors"));
  r = run("train --data digits --steps 3 --out run --resume");
  expect_refused(r, {expected});
  EXPECT_EQ(r.out.find("--model"), std::string::npos) << r.out;
  r = run("sample --checkpoint run/checkpoint.safetensors --n 4 --out s.npy");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("(model tiny20, step 1"), std::string::npos) << r.out;
}

TEST_F(CliHostile, SampleOfADirectorySaysItIsADirectory) {
  fs::create_directories(dir_ / "run");
  const CmdResult r = run("sample --checkpoint run --n 4 --out s.npy");
  expect_refused(r, {"run: is a directory, expected a .safetensors file"});
  EXPECT_EQ(r.out.find("truncated"), std::string::npos) << r.out;
}

// ---- Files -------------------------------------------------------------------------------------

TEST_F(CliHostile, OutputsNeverReplaceASpecialFile) {
  // As root, `--out /dev/full` used to rename a temporary over the device node. A FIFO in the
  // test's folder stands for any special file.
  ASSERT_EQ(::mkfifo((dir_ / "pipe").c_str(), 0600), 0);
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));
  save("w.npy", Tensor({2, 3, 3, 3}, 1.0f));
  CmdResult r = run("op conv_transpose2d --input x.npy --weight w.npy --out pipe");
  expect_refused(r, {"--out: 'pipe' is a FIFO (named pipe), not a regular file"});
  EXPECT_TRUE(fs::is_fifo(dir_ / "pipe"));
  r = run("op conv_transpose2d --input x.npy --weight w.npy --out y.npy --trace pipe");
  expect_refused(r, {"--trace: 'pipe' is a FIFO (named pipe)"});
  EXPECT_TRUE(fs::is_fifo(dir_ / "pipe"));
  EXPECT_FALSE(exists("y.npy"));
  // The library's own atomic writes (checkpoints, PNGs, .npy) refuse too.
  EXPECT_THROW(convt::write_npy((dir_ / "pipe").string(), Tensor({2}, 1.0f)), std::exception);
  EXPECT_TRUE(fs::is_fifo(dir_ / "pipe"));
}

TEST_F(CliHostile, SigtermMidWriteLeavesNoPartialFile) {
  // A trace of 5.3 million events takes seconds to write; the signal comes as soon as its
  // temporary exists. It used to stay behind (341-358 MB for 10^8 events).
  save("x.npy", Tensor({1, 4, 64, 64}, 0.5f));
  save("w.npy", Tensor({4, 4, 9, 9}, 0.25f));
  const std::string script =
      "cd '" + dir_.string() + "' && ('" + CONVT_LAB_EXE +
      "' op conv_transpose2d --input x.npy --weight w.npy --out y.npy --trace t.csv "
      "--trace-limit 100000000 > log 2>&1 & pid=$!; i=0; while ! ls t.csv.partial-* >/dev/null "
      "2>&1 && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; kill -TERM $pid; wait $pid; "
      "echo $? > rc)";
  std::system(script.c_str());
  EXPECT_EQ(convt::test::read_text(dir_ / "rc"), "143\n") << "expected the end of a SIGTERM";
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos)
        << e.path() << " was left behind";
  }
  EXPECT_FALSE(exists("t.csv"));
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, StalePartialFilesOfGoneProcessesAreRemoved) {
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));
  save("w.npy", Tensor({2, 3, 3, 3}, 1.0f));
  std::ofstream(dir_ / "y.npy.partial-2147483646") << "left by a killed run";
  std::ofstream(dir_ / "y.npy.partial-2147483646.tmp-2147483646") << "and its own temporary";
  std::ofstream(dir_ / "y.npy.partial-1") << "process 1 runs: kept";
  std::ofstream(dir_ / "other.npy.partial-2147483646") << "another output's: kept";
  const CmdResult r = run("op conv_transpose2d --input x.npy --weight w.npy --out y.npy");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(exists("y.npy.partial-2147483646"));
  EXPECT_FALSE(exists("y.npy.partial-2147483646.tmp-2147483646"));
  EXPECT_TRUE(exists("y.npy.partial-1"));
  EXPECT_TRUE(exists("other.npy.partial-2147483646"));
}

TEST_F(CliHostile, ScreenshotIntoAMissingFolderIsRefusedBeforeRendering) {
  const CmdResult r = run("--screenshot /nonexistent/dir/g.png --frames 1");
  expect_refused(r, {"--screenshot", "folder '/nonexistent/dir' does not exist"});
}

// ---- Messages that say what they need ----------------------------------------------------------

TEST_F(CliHostile, ModelSpecThatIsAnArrayNamesTheFileAndWhatItExpects) {
  std::ofstream(dir_ / "list.json") << "[1, 2, 3]";
  const CmdResult r = run("train --model list.json --data digits --out run");
  expect_refused(r, {"list.json: expected a JSON object (a model spec", "found array"});
  EXPECT_EQ(r.out.find("type_error"), std::string::npos) << r.out;
}

TEST_F(CliHostile, ModelSpecWithAHugeKernelIsRefusedWithTheShape) {
  std::string spec = convt::test::read_text(kTiny);
  const std::string from = "\"out_channels\": 4, \"kernel_size\": 5";
  ASSERT_NE(spec.find(from), std::string::npos);
  spec.replace(spec.find(from), from.size(), "\"out_channels\": 4, \"kernel_size\": 1000000");
  std::ofstream(dir_ / "huge.json") << spec;
  const CmdResult r = run("train --model huge.json --data digits --batch 8 --steps 1 --out run");
  expect_refused(r, {"ConvTranspose2d", "(4, 4, 1000000, 1000000)", "268435456"});
  EXPECT_EQ(r.out.find("bad_alloc"), std::string::npos) << r.out;
}

TEST_F(CliHostile, ModelSpecSlopeBeyondFloat32IsRefusedNamingTheFileAndLayer) {
  // 1e39 used to become an infinite LeakyReLU slope: the run diverged at its first step. Finite
  // slopes, however large or negative, are PyTorch's to take and stay accepted.
  std::string spec = convt::test::read_text(kTiny);
  const size_t slope = spec.find("\"negative_slope\": 0.2");
  ASSERT_NE(slope, std::string::npos);
  spec.replace(slope, 21, "\"negative_slope\": 1e39");
  std::ofstream(dir_ / "inf.json") << spec;
  const CmdResult r = run("train --model inf.json --data digits --batch 8 --steps 1 --out run");
  expect_refused(r, {"--model 'inf.json': G layer 2 '2' LeakyReLU: \"negative_slope\": expected "
                     "a finite number (float32: magnitude at most 3.4e+38), found 1e+39"});
  EXPECT_FALSE(exists("run"));
}

TEST_F(CliHostile, ModelThatIsAFolderIsNotLookedUpAmongTheAssets) {
  fs::create_directories(dir_ / "models");
  const CmdResult r =
      run("train --model '" + (dir_ / "models").string() + "' --data digits --out run");
  expect_refused(r, {"is a folder; expected a model name or a .json spec file"});
  EXPECT_EQ(r.out.find("assets/models/"), std::string::npos) << r.out;
  // A relative folder too, while names with folders of assets/models/ still work.
  const CmdResult relative = run("train --model models --data digits --out run");
  expect_refused(relative, {"model 'models': is a folder"});
}

TEST_F(CliHostile, UnknownPresetListsThePresetNames) {
  const CmdResult r = run("train --model dcgan20 --data digits --preset turbo --out run");
  expect_refused(r, {"no preset 'turbo'; expected one of 'default', 'notes'"});
  EXPECT_EQ(r.out.find("{"), std::string::npos) << "the presets' JSON was dumped: " << r.out;
}

TEST_F(CliHostile, TruncatedNpySaysHowManyBytesItNeeds) {
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));  // 128 data bytes after a 128-byte header
  fs::resize_file(dir_ / "x.npy", 128 + 72);
  save("w.npy", Tensor({2, 3, 3, 3}, 1.0f));
  const CmdResult r = run("op conv_transpose2d --input x.npy --weight w.npy --out y.npy");
  expect_refused(r, {"--input", "shape (1, 2, 4, 4) needs 128 bytes of data, found 72"});
}

TEST_F(CliHostile, NpyHeaderWithoutItsClosingBraceIsRefused) {
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));
  std::string bytes = convt::test::read_text(dir_ / "x.npy");
  bytes[bytes.find('}')] = ' ';
  std::ofstream(dir_ / "x.npy", std::ios::binary) << bytes;
  save("w.npy", Tensor({2, 3, 3, 3}, 1.0f));
  const CmdResult r = run("op conv_transpose2d --input x.npy --weight w.npy --out y.npy");
  expect_refused(r, {"--input", "not a valid .npy header: expected a dict {...}"});
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, SkippedImagesAreNamedWithTheReason) {
  fs::create_directories(dir_ / "pics");
  for (int i = 0; i < 10; ++i) {
    convt::write_png_grid((dir_ / "pics" / ("p" + std::to_string(i) + ".png")).string(),
                          Tensor({1, 1, 20, 20}, 0.5f), 1);
  }
  std::ofstream(dir_ / "pics" / "broken.png") << "not a picture";
  const CmdResult r = run("train --model " + kTiny + " --data pics --batch 8 --steps 1 --out run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("skipped "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("broken.png: "), std::string::npos) << r.out;
}

TEST_F(CliHostile, StepStatesItsUpperBound) {
  const CmdResult r = run("--step 999999999");
  expect_refused(r,
                 {"--step expects a whole number of events from 0 to 1000000, found '999999999'"});
}

}  // namespace
