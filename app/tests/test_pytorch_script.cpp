// "As PyTorch": the scripts of the Stepper and the Playground run under PyTorch (Debian's
// python3-torch, /usr/bin/python3; scripts/setup.sh installs it) and pass, so PyTorch itself is
// the reference for every number they embed; a script whose embedded output is changed fails
// (the check can fail). The Formula panel's nn.ConvTranspose2d line gives, in PyTorch, the
// output shape it claims. Our checkpoints load into PyTorch (scripts/convt_torch.py) and sample
// the same images.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "logic/formula_model.h"
#include "logic/playground_model.h"
#include "logic/pytorch_script.h"
#include "logic/stepper_model.h"
#include "logic/stepper_view.h"

namespace fs = std::filesystem;
using namespace convt;
using namespace convt::lab;

namespace {

const char* kPython = "/usr/bin/python3";  // Debian's, where python3-torch installs torch

struct ScriptRun {
  int status;
  std::string out;
};

// Runs `kPython <args>` (shell words), stdout and stderr into `log`; its exit status and output.
ScriptRun run_python_args(const std::string& args, const fs::path& log) {
  const std::string command = std::string(kPython) + " " + args + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream f(log);
  std::string out((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

ScriptRun run_python(const fs::path& script) {
  return run_python_args("'" + script.string() + "'", script.string() + ".log");
}

// Runs the scripts one after the other in one interpreter (torch is imported once: about 2 s a
// process here). Prints "PASSED <path>" or "FAILED <path>: <error>" for each; exit 1 if any failed.
ScriptRun run_python_all(const fs::path& dir, const std::vector<fs::path>& scripts) {
  const fs::path runner = dir / "run_all.py";
  std::ofstream(runner) << "import runpy, sys\n"
                           "failed = 0\n"
                           "for path in sys.argv[1:]:\n"
                           "    try:\n"
                           "        runpy.run_path(path, run_name='__main__')\n"
                           "        print('PASSED ' + path)\n"
                           "    except BaseException as e:\n"
                           "        failed += 1\n"
                           "        print('FAILED %s: %r' % (path, e))\n"
                           "sys.exit(1 if failed else 0)\n";
  std::string args;
  for (const fs::path& p : scripts) args += " '" + p.string() + "'";
  return run_python_args("'" + runner.string() + "'" + args, dir / "run_all.log");
}

size_t count_of(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

class PytorchScript : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("convt_pytorch_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string probe = std::string(kPython) + " -c 'import torch' > /dev/null 2>&1";
    ASSERT_EQ(std::system(probe.c_str()), 0)
        << kPython << " cannot import torch: install Debian's python3-torch (scripts/setup.sh "
        << "does)";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Saves the call's script as a panel does; returns its path.
  fs::path save(const PytorchOpCall& call, const std::string& name) {
    const PytorchExport e = save_pytorch_script(call, dir_.string(), name);
    EXPECT_TRUE(e.saved) << e.message;
    EXPECT_NE(e.message.find("python3 " + e.path), std::string::npos) << e.message;
    return e.path;
  }
  ScriptRun save_and_run(const PytorchOpCall& call, const std::string& name) {
    return run_python(save(call, name));
  }
  fs::path dir_;
};

}  // namespace

TEST_F(PytorchScript, EveryStepperPresetAgreesWithPyTorch) {
  std::vector<fs::path> scripts;
  for (const StepperPreset& p : stepper_presets()) {
    StepperModel m;
    StepperView view;
    ASSERT_TRUE(stepper_load_preset(m, view, p.name));
    m.fill_input(Fill::kRandom, 3);  // values with many digits: the round trip must be exact
    if (m.config().op != StepperOp::kMaxPool2d) m.fill_weight(Fill::kRandom, 4);
    scripts.push_back(save(m.pytorch_call(), "stepper_" + p.name + ".py"));
  }
  ASSERT_GE(scripts.size(), 5u);
  const ScriptRun r = run_python_all(dir_, scripts);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(count_of(r.out, "PASSED "), scripts.size()) << r.out;
  EXPECT_EQ(count_of(r.out, "PyTorch agrees with ConvT Lab"), scripts.size()) << r.out;
}

TEST_F(PytorchScript, EveryStepperOpWithAllParametersAgrees) {
  std::vector<fs::path> scripts;
  for (StepperOp op : {StepperOp::kConvTranspose2d, StepperOp::kConv2d, StepperOp::kMaxPool2d}) {
    StepperConfig c;
    c.op = op;
    c.H = 5;
    c.W = 4;
    c.C_in = 2;
    c.C_out = 2;
    c.kernel_size = {3, 2};
    c.stride = {2, 1};
    c.padding = {1, 0};
    c.dilation = {1, 2};
    if (op == StepperOp::kConvTranspose2d) c.output_padding = {1, 0};
    ASSERT_EQ(validate(c), "") << op_name(op);
    StepperModel m;
    ASSERT_TRUE(m.set_config(c));
    m.fill_input(Fill::kRandom, 5);
    m.fill_weight(Fill::kRandom, 6);
    scripts.push_back(save(m.pytorch_call(), std::string(op_name(op)) + ".py"));
  }
  const ScriptRun r = run_python_all(dir_, scripts);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(count_of(r.out, "PASSED "), 3u) << r.out;
}

TEST_F(PytorchScript, PlaygroundAgreesAndAChangedOutputFails) {
  PlaygroundModel m;
  m.stride = 3;
  m.padding = 1;
  m.output_padding = 2;
  m.recompute();
  ASSERT_TRUE(m.ok) << m.error;
  const ScriptRun r = save_and_run(m.pytorch_call(), "playground.py");
  EXPECT_EQ(r.status, 0) << r.out;

  // The same script with one embedded output value off by 0.5: PyTorch disagrees, exit 1.
  PytorchOpCall wrong = m.pytorch_call();
  wrong.expected[0] += 0.5f;
  const ScriptRun bad = save_and_run(wrong, "wrong.py");
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("largest difference 0.5"), std::string::npos) << bad.out;
}

TEST_F(PytorchScript, FormulaLayerLineGivesTheShapeItStates) {
  for (FormulaParams p : {FormulaParams{}, FormulaParams{5, 3, 3, 2, 1, 2}}) {
    const FormulaResult r = evaluate(p);
    ASSERT_TRUE(r.valid) << r.error;
    const std::string line = pytorch_layer_line(p);
    const std::string want =
        " -> (1, 1, " + std::to_string(r.H_out) + ", " + std::to_string(r.H_out) + ")";
    ASSERT_NE(line.find(want), std::string::npos) << line;
    const fs::path script = dir_ / "layer.py";
    std::ofstream(script) << "import torch\nimport torch.nn as nn\n"
                          << "layer = " << line.substr(0, line.find("  #")) << "\n"
                          << "y = layer(torch.zeros(1, 1, " << p.H << ", " << p.H << "))\n"
                          << "assert tuple(y.shape) == (1, 1, " << r.H_out << ", " << r.H_out
                          << "), tuple(y.shape)\n";
    const ScriptRun run = run_python(script);
    EXPECT_EQ(run.status, 0) << line << "\n" << run.out;
  }
}

TEST(PytorchScriptText, NamesTheOpArgumentsAndLayouts) {
  PytorchOpCall c;
  c.op = "conv2d";
  c.panel = "Stepper";
  c.input = Tensor({1, 1, 2, 2}, std::vector<float>{0.1f, 2, 3, 4});
  c.weight = Tensor({1, 1, 1, 1}, std::vector<float>{1});
  c.expected = c.input;
  c.stride = {2, 1};
  const std::string s = pytorch_script(c);
  EXPECT_NE(s.find("F.conv2d(x, weight, stride=(2, 1), padding=(0, 0), dilation=(1, 1))"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("[C_out, C_in, kH, kW], Conv2d's layout"), std::string::npos) << s;
  EXPECT_NE(s.find("0.100000001"), std::string::npos) << s;  // float32 0.1, exactly
  c.op = "avg_pool2d";
  EXPECT_EQ(pytorch_script(c).find("dilation"), std::string::npos);
  c.op = "conv3d";
  EXPECT_THROW(pytorch_script(c), std::invalid_argument);
  EXPECT_EQ(pytorch_layer("max_pool2d", 1, 1, 2, 2, 0, 0, 1),
            "nn.MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1))");
}

// Models in PyTorch (scripts/convt_torch.py): every shipped generator file, and a checkpoint this
// test trains (G, D and G_ema), load into the nn.Sequential of their spec with strict names, and
// PyTorch's G(z) equals `convt-lab sample --z` within 1e-4 (scripts/torch_load_checkpoint.py).
TEST_F(PytorchScript, ShippedGeneratorsAndATrainedRunMatchInPyTorch) {
  const std::string exe = CONVT_LAB_EXE;
  const std::string run = (dir_ / "run").string();
  const std::string train = "'" + exe +
                            "' train --model dcgan20 --data digits --batch 8 --steps 3 " +
                            "--ema-decay 0.9 --out '" + run + "' > '" + run + ".log' 2>&1";
  ASSERT_EQ(std::system(train.c_str()), 0) << train;
  std::string files = "'" + run + "/checkpoint.safetensors'";
  for (const char* f : {"dcgan20_digits", "dcgan28_digits_G", "dcgan28_fashion_G", "rgb32_emoji_G",
                        "rgb32_emoji_faces_G", "dcgan64_emoji_faces_G"}) {
    files += std::string(" '") + CONVT_SOURCE_DIR + "/assets/checkpoints/" + f + ".safetensors'";
  }
  const ScriptRun r =
      run_python_args(std::string("'") + CONVT_SOURCE_DIR +
                          "/scripts/torch_load_checkpoint.py' --exe '" + exe + "' --n 8 " + files,
                      dir_ / "torch.log");
  const std::string& out = r.out;
  EXPECT_EQ(r.status, 0) << out;
  // 7 files' G, 6 generator files' G_ema; the trained run's D gives a logit line
  EXPECT_EQ(count_of(out, "max |PyTorch"), 13u) << out;
  EXPECT_NE(out.find("PyTorch D(convt G samples) mean logit"), std::string::npos) << out;
}
