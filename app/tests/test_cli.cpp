// The CLI, run as a user would: the real convt-lab executable (CONVT_LAB_EXE) in a fresh temp
// folder, with inputs written by write_npy. Outputs are compared with the library call on the same
// arrays (the CLI is a wrapper, so they must match exactly); bad inputs must give exit status 2,
// one stderr line naming the culprit, and no output file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "convt/io/npy.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
#include "convt/shape.h"
#include "convt/tensor.h"

#ifndef CONVT_LAB_EXE
#error "CONVT_LAB_EXE must be defined to the path of the convt-lab executable"
#endif

namespace fs = std::filesystem;
using convt::Pair;
using convt::Tensor;

namespace {

const char* const kTraceHeader =
    "step,n,ic,iy,ix,oc,ky,kx,oy,ox,x,w,product,out_before,out_after,cropped";

struct RunResult {
  int status = -1;
  std::string out, err;
};

Tensor random_tensor(std::vector<int64_t> shape, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t(std::move(shape));
  for (float& v : t.values()) v = dist(gen);
  return t;
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::temp_directory_path() / ("convt_cli_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `convt-lab <args>` inside the temp folder.
  RunResult run(const std::string& args) {
    std::string cmd = "cd '" + dir_.string() + "' && '" + std::string(CONVT_LAB_EXE) + "' " + args +
                      " >../" + stem() + ".stdout 2>../" + stem() + ".stderr";
    int raw = std::system(cmd.c_str());
    RunResult r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    fs::path out = dir_.parent_path() / (stem() + ".stdout");
    fs::path err = dir_.parent_path() / (stem() + ".stderr");
    r.out = read_text(out);
    r.err = read_text(err);
    fs::remove(out);
    fs::remove(err);
    return r;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void save(const std::string& name, const Tensor& t) { convt::write_npy(path(name), t); }
  Tensor load(const std::string& name) const { return convt::read_npy(path(name)); }
  bool exists(const std::string& name) const { return fs::exists(dir_ / name); }

  // The names of the files in the temp folder.
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
    return names;
  }

  // Status 2, one line on stderr that contains every culprit, and no file other than `inputs`.
  void expect_refused(const RunResult& r, const std::vector<std::string>& culprits,
                      const std::set<std::string>& inputs) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    for (const std::string& c : culprits) EXPECT_NE(r.err.find(c), std::string::npos) << r.err;
    EXPECT_EQ(files(), inputs) << "an output (or a temporary) was left behind; stderr: " << r.err;
  }

 private:
  std::string stem() const { return dir_.filename().string(); }
  fs::path dir_;
};

void expect_same(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  for (int64_t i = 0; i < want.numel(); ++i) {
    ASSERT_EQ(got[i], want[i]) << what << " differs at flat index " << i;
  }
}

// ---- Good input: each op, forward and backward, equals the library call -----------------------

TEST_F(CliTest, ConvTranspose2dMatchesLibrary) {
  const Tensor x = random_tensor({2, 3, 4, 5}, 1);  // (N, C_in, H, W)
  const Tensor w = random_tensor({3, 2, 3, 4}, 2);  // (C_in, C_out, kH, kW)
  const Tensor b = random_tensor({2}, 3);           // (C_out)
  convt::ConvTranspose2dParams p{Pair(2, 1), Pair(1, 2), Pair(1, 0), Pair(1, 2)};
  Tensor want;
  convt::conv_transpose2d_forward(want, x, w, &b, p);
  const Tensor g = random_tensor(want.shape(), 4);  // (N, C_out, H_out, W_out)
  Tensor dx, dw, db;
  convt::conv_transpose2d_backward(&dx, &dw, &db, g, x, w, p);
  save("x.npy", x), save("w.npy", w), save("b.npy", b), save("g.npy", g);

  RunResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --bias b.npy --stride 2,1 "
          "--padding 1,2 --output-padding 1,0 --dilation 1,2 --out y.npy "
          "--grad-out g.npy --grad-input dx.npy --grad-weight dw.npy --grad-bias db.npy");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  expect_same(load("y.npy"), want, "output");
  expect_same(load("dx.npy"), dx, "grad_input");
  expect_same(load("dw.npy"), dw, "grad_weight");
  expect_same(load("db.npy"), db, "grad_bias");
}

TEST_F(CliTest, ConvTranspose2dNotesExample) {
  // The notes' example: 4 -> 8 with k4 s2 p1; no bias, no gradients.
  const Tensor x = random_tensor({1, 1, 4, 4}, 5);
  const Tensor w = random_tensor({1, 1, 4, 4}, 6);
  convt::ConvTranspose2dParams p{2, 1, 0, 1};
  Tensor want;
  convt::conv_transpose2d_forward(want, x, w, nullptr, p);
  save("x.npy", x), save("w.npy", w);
  RunResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --stride 2 --padding 1 --out y.npy");
  ASSERT_EQ(r.status, 0) << r.err;
  Tensor y = load("y.npy");
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{1, 1, 8, 8}));
  expect_same(y, want, "output");
}

TEST_F(CliTest, Conv2dMatchesLibrary) {
  const Tensor x = random_tensor({2, 3, 7, 6}, 11);  // (N, C_in, H, W)
  const Tensor w = random_tensor({4, 3, 3, 2}, 12);  // (C_out, C_in, kH, kW)
  const Tensor b = random_tensor({4}, 13);           // (C_out)
  convt::Conv2dParams p{Pair(2, 1), Pair(1, 0), Pair(1, 2)};
  Tensor want;
  convt::conv2d_forward(want, x, w, &b, p);
  const Tensor g = random_tensor(want.shape(), 14);
  Tensor dx, dw;
  convt::conv2d_backward(&dx, &dw, nullptr, g, x, w, p);
  save("x.npy", x), save("w.npy", w), save("b.npy", b), save("g.npy", g);

  RunResult r =
      run("op conv2d --input x.npy --weight w.npy --bias b.npy --stride 2,1 "
          "--padding 1,0 --dilation 1,2 --out y.npy --grad-out g.npy "
          "--grad-input dx.npy --grad-weight dw.npy");
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same(load("y.npy"), want, "output");
  expect_same(load("dx.npy"), dx, "grad_input");
  expect_same(load("dw.npy"), dw, "grad_weight");
  EXPECT_FALSE(exists("db.npy"));
}

TEST_F(CliTest, MaxPool2dMatchesLibrary) {
  const Tensor x = random_tensor({2, 3, 6, 7}, 21);  // (N, C, H, W)
  convt::Pool2dParams p;
  p.kernel_size = Pair(3, 2), p.stride = Pair(3, 2), p.padding = Pair(1, 0), p.dilation = 1;
  Tensor want;
  std::vector<int64_t> argmax;
  convt::max_pool2d_forward(want, &argmax, x, p);
  const Tensor g = random_tensor(want.shape(), 22);
  Tensor dx(x.shape());
  convt::max_pool2d_backward(dx, g, argmax, x.shape());
  save("x.npy", x), save("g.npy", g);

  // No --stride: PyTorch's default, the kernel size.
  RunResult r =
      run("op max_pool2d --input x.npy --kernel-size 3,2 --padding 1,0 --out y.npy "
          "--grad-out g.npy --grad-input dx.npy");
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same(load("y.npy"), want, "output");
  expect_same(load("dx.npy"), dx, "grad_input");
}

TEST_F(CliTest, AvgPool2dMatchesLibrary) {
  const Tensor x = random_tensor({1, 2, 5, 6}, 31);  // (N, C, H, W)
  convt::Pool2dParams p;
  p.kernel_size = 2, p.stride = Pair(2, 1), p.padding = 1, p.dilation = 1;
  Tensor want;
  convt::avg_pool2d_forward(want, x, p);
  const Tensor g = random_tensor(want.shape(), 32);
  Tensor dx(x.shape());
  convt::avg_pool2d_backward(dx, g, x.shape(), p);
  save("x.npy", x), save("g.npy", g);

  RunResult r =
      run("op avg_pool2d --input x.npy --kernel-size 2 --stride 2,1 --padding 1 "
          "--out y.npy --grad-out g.npy --grad-input dx.npy");
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same(load("y.npy"), want, "output");
  expect_same(load("dx.npy"), dx, "grad_input");
}

// ---- shape --------------------------------------------------------------------------------------

std::string last_line(const std::string& s) {
  std::vector<std::string> lines = split(s, '\n');
  return lines.empty() ? "" : lines.back();
}

TEST_F(CliTest, ShapeNotesExample) {
  RunResult r = run("shape conv_transpose2d --in 4 --kernel-size 4 --stride 2 --padding 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(last_line(r.out), "H_out=8 W_out=8") << r.out;
  // The formula with the numbers substituted, for H and for W.
  EXPECT_NE(r.out.find(convt::conv_transpose_formula(4, 4, 2, 1, 0, 1, "H")), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(convt::conv_transpose_formula(4, 4, 2, 1, 0, 1, "W")), std::string::npos)
      << r.out;
}

TEST_F(CliTest, ShapeNonSquareMatchesLibrary) {
  RunResult r =
      run("shape conv_transpose2d --in 5,7 --kernel-size 5,3 --stride 2,1 --padding 2,1 "
          "--output-padding 1,0 --dilation 1,2");
  ASSERT_EQ(r.status, 0) << r.err;
  convt::OutSize t = convt::conv_transpose2d_out_size(
      5, 7, Pair(5, 3),
      convt::ConvTranspose2dParams{Pair(2, 1), Pair(2, 1), Pair(1, 0), Pair(1, 2)});
  EXPECT_EQ(last_line(r.out), "H_out=" + std::to_string(t.h) + " W_out=" + std::to_string(t.w));

  r = run("shape conv2d --in 9,6 --kernel-size 3,2 --stride 2,1 --padding 1,0 --dilation 2,1");
  ASSERT_EQ(r.status, 0) << r.err;
  convt::OutSize c = convt::conv2d_out_size(
      9, 6, Pair(3, 2), convt::Conv2dParams{Pair(2, 1), Pair(1, 0), Pair(2, 1)});
  EXPECT_EQ(last_line(r.out), "H_out=" + std::to_string(c.h) + " W_out=" + std::to_string(c.w));
  EXPECT_NE(r.out.find(convt::conv_formula(6, 2, 1, 0, 1, "W")), std::string::npos) << r.out;

  r = run("shape max_pool2d --in 7,10 --kernel-size 3,2");  // stride defaults to kernel_size
  ASSERT_EQ(r.status, 0) << r.err;
  convt::Pool2dParams pp;
  pp.kernel_size = Pair(3, 2), pp.stride = Pair(3, 2), pp.padding = 0, pp.dilation = 1;
  convt::OutSize m = convt::pool2d_out_size(7, 10, pp);
  EXPECT_EQ(last_line(r.out), "H_out=" + std::to_string(m.h) + " W_out=" + std::to_string(m.w));
}

TEST_F(CliTest, ShapeRefusesBadParameters) {
  RunResult r = run("shape conv_transpose2d --in 4 --kernel-size 4 --stride 2 --output-padding 2");
  expect_refused(r, {"output_padding"}, {});
  r = run("shape conv2d --in 4 --kernel-size 0");
  expect_refused(r, {"--kernel-size", "'0'"}, {});
  r = run("shape conv2d --in 4 --kernel-size 3 --output-padding 1");  // conv2d has none
  expect_refused(r, {"--output-padding"}, {});
}

// ---- Bad input: status 2, one line naming the culprit, no output file ---------------------------

class CliBadInputTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    save("x.npy", random_tensor({1, 3, 4, 4}, 41));  // (N, C_in, H, W)
    save("w.npy", random_tensor({3, 2, 3, 3}, 42));  // (C_in, C_out, kH, kW)
  }
  const std::set<std::string> inputs_ = {"x.npy", "w.npy"};
  const std::string good_ = "op conv_transpose2d --input x.npy --weight w.npy --out y.npy";
};

TEST_F(CliBadInputTest, GoodBaselineWritesOutput) {
  RunResult r = run(good_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(files(), (std::set<std::string>{"x.npy", "w.npy", "y.npy"}));
}

TEST_F(CliBadInputTest, MissingFile) {
  RunResult r = run("op conv_transpose2d --input nothere.npy --weight w.npy --out y.npy");
  expect_refused(r, {"--input", "nothere.npy"}, inputs_);
}

TEST_F(CliBadInputTest, WrongWeightChannels) {
  save("w4.npy", random_tensor({4, 2, 3, 3}, 43));  // C_in 4, input has 3
  RunResult r = run("op conv_transpose2d --input x.npy --weight w4.npy --out y.npy");
  expect_refused(r, {"--weight", "w4.npy", "(4, 2, 3, 3)"}, {"x.npy", "w.npy", "w4.npy"});
  // conv2d reads C_in from dim 1 of (C_out, C_in, kH, kW): (3, 2, 3, 3) has C_in 2.
  r = run("op conv2d --input x.npy --weight w.npy --out y.npy");
  expect_refused(r, {"--weight", "w.npy"}, {"x.npy", "w.npy", "w4.npy"});
}

TEST_F(CliBadInputTest, WrongRankAndBiasShape) {
  save("flat.npy", random_tensor({9}, 44));
  RunResult r = run("op conv_transpose2d --input flat.npy --weight w.npy --out y.npy");
  expect_refused(r, {"--input", "flat.npy", "4-D"}, {"x.npy", "w.npy", "flat.npy"});
  r = run(good_ + " --bias flat.npy");  // C_out is 2
  expect_refused(r, {"--bias", "flat.npy", "(2,)"}, {"x.npy", "w.npy", "flat.npy"});
}

TEST_F(CliBadInputTest, OutputPaddingNotBelowStride) {
  RunResult r = run(good_ + " --stride 2 --output-padding 2");
  expect_refused(r, {"output_padding"}, inputs_);
}

TEST_F(CliBadInputTest, UnknownFlag) {
  RunResult r = run(good_ + " --frobnicate 3");
  expect_refused(r, {"--frobnicate"}, inputs_);
  r = run("op conv2d --input x.npy --weight w.npy --out y.npy --output-padding 1");
  expect_refused(r, {"--output-padding"}, inputs_);
}

TEST_F(CliBadInputTest, NonIntegerValue) {
  RunResult r = run(good_ + " --stride x");
  expect_refused(r, {"--stride", "'x'"}, inputs_);
  r = run(good_ + " --padding 1.5");
  expect_refused(r, {"--padding", "'1.5'"}, inputs_);
  r = run(good_ + " --dilation 1,2,3");
  expect_refused(r, {"--dilation", "'1,2,3'"}, inputs_);
  r = run(good_ + " --padding -1");
  expect_refused(r, {"--padding", "'-1'"}, inputs_);
  r = run(good_ + " --stride");  // no value at all
  expect_refused(r, {"--stride"}, inputs_);
}

TEST_F(CliBadInputTest, TruncatedNpy) {
  save("cut.npy", random_tensor({1, 3, 4, 4}, 45));
  fs::resize_file(path("cut.npy"), fs::file_size(path("cut.npy")) - 10);
  RunResult r = run("op conv_transpose2d --input cut.npy --weight w.npy --out y.npy");
  expect_refused(r, {"--input", "cut.npy"}, {"x.npy", "w.npy", "cut.npy"});
}

TEST_F(CliBadInputTest, WrongGradOutLeavesNoOutputs) {
  save("g.npy", random_tensor({1, 2, 5, 5}, 46));  // the output is (1, 2, 6, 6)
  RunResult r = run(good_ + " --grad-out g.npy --grad-input dx.npy --grad-weight dw.npy");
  expect_refused(r, {"--grad-out", "g.npy", "(1, 2, 6, 6)"}, {"x.npy", "w.npy", "g.npy"});
  r = run(good_ + " --grad-input dx.npy");  // a gradient without --grad-out
  expect_refused(r, {"--grad-input", "--grad-out"}, {"x.npy", "w.npy", "g.npy"});
}

TEST_F(CliBadInputTest, MissingOutputFolderOrFlag) {
  RunResult r = run("op conv_transpose2d --input x.npy --weight w.npy --out nodir/y.npy");
  expect_refused(r, {"--out", "nodir"}, inputs_);
  r = run("op conv_transpose2d --input x.npy --weight w.npy");
  expect_refused(r, {"--out"}, inputs_);
}

TEST_F(CliBadInputTest, PoolParameters) {
  RunResult r = run("op max_pool2d --input x.npy --kernel-size 2 --padding 2 --out y.npy");
  expect_refused(r, {"padding"}, inputs_);
  r = run("op avg_pool2d --input x.npy --kernel-size 2 --dilation 2 --out y.npy");
  expect_refused(r, {"--dilation"}, inputs_);
}

// ---- Trace CSV ----------------------------------------------------------------------------------

TEST_F(CliTest, ConvTranspose2dTraceRowsReproduceOutput) {
  const Tensor x = random_tensor({2, 2, 3, 2}, 51);  // (N, C_in, H, W)
  const Tensor w = random_tensor({2, 3, 3, 2}, 52);  // (C_in, C_out, kH, kW)
  const Tensor b = random_tensor({3}, 53);           // (C_out)
  save("x.npy", x), save("w.npy", w), save("b.npy", b);
  RunResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --bias b.npy --stride 2 "
          "--padding 1 --output-padding 1,0 --out y.npy --trace events.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = load("y.npy");  // (N, C_out, H_out, W_out)

  std::vector<std::string> lines = split(read_text(path("events.csv")), '\n');
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], kTraceHeader);
  const int64_t events = 2 * 2 * 3 * 2 * 3 * 3 * 2;  // N*C_in*H*W*C_out*kH*kW, cropped included
  ASSERT_EQ(static_cast<int64_t>(lines.size()) - 1, events);

  // Bias first, then every non-cropped product, per output cell, gives the output back.
  Tensor sum(y.shape());
  for (int64_t n = 0; n < y.dim(0); ++n)
    for (int64_t oc = 0; oc < y.dim(1); ++oc)
      for (int64_t oy = 0; oy < y.dim(2); ++oy)
        for (int64_t ox = 0; ox < y.dim(3); ++ox) sum.at(n, oc, oy, ox) = b[oc];
  int64_t cropped = 0;
  for (int64_t k = 0; k < events; ++k) {
    std::vector<std::string> f = split(lines[static_cast<size_t>(k + 1)], ',');
    ASSERT_EQ(f.size(), 16u) << lines[static_cast<size_t>(k + 1)];
    ASSERT_EQ(std::stoll(f[0]), k);
    const int n = std::stoi(f[1]), ic = std::stoi(f[2]), iy = std::stoi(f[3]), ix = std::stoi(f[4]);
    const int oc = std::stoi(f[5]), ky = std::stoi(f[6]), kx = std::stoi(f[7]);
    const int oy = std::stoi(f[8]), ox = std::stoi(f[9]);
    EXPECT_EQ(std::stof(f[10]), x.at(n, ic, iy, ix));
    EXPECT_EQ(std::stof(f[11]), w.at(ic, oc, ky, kx));
    EXPECT_EQ(oy, iy * 2 - 1 + ky);
    EXPECT_EQ(ox, ix * 2 - 1 + kx);
    if (f[15] == "1") {
      ++cropped;
      continue;
    }
    sum.at(n, oc, oy, ox) += std::stof(f[12]);
  }
  EXPECT_GT(cropped, 0);  // padding 1 crops the border
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_NEAR(sum[i], y[i], 1e-5f) << "cell " << i;
}

TEST_F(CliTest, Conv2dTraceRowCount) {
  save("x.npy", random_tensor({1, 2, 5, 4}, 61));  // (N, C_in, H, W)
  save("w.npy", random_tensor({3, 2, 3, 3}, 62));  // (C_out, C_in, kH, kW)
  RunResult r =
      run("op conv2d --input x.npy --weight w.npy --padding 1 --out y.npy "
          "--trace events.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = load("y.npy");  // (1, 3, 5, 4)
  std::vector<std::string> lines = split(read_text(path("events.csv")), '\n');
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], kTraceHeader);
  // N*C_out*H_out*W_out*C_in*kH*kW gather-adds, padded taps included.
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - 1, y.numel() * 2 * 3 * 3);
}

TEST_F(CliTest, TraceOverLimitIsRefused) {
  save("x.npy", random_tensor({1, 2, 3, 3}, 71));
  save("w.npy", random_tensor({2, 2, 3, 3}, 72));  // 1*2*3*3*2*3*3 = 324 events
  RunResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --out y.npy "
          "--trace events.csv --trace-limit 100");
  expect_refused(r, {"--trace-limit", "324", "100"}, {"x.npy", "w.npy"});
  r =
      run("op conv_transpose2d --input x.npy --weight w.npy --out y.npy "
          "--trace events.csv --trace-limit 324");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(exists("events.csv"));
}

// ---- Usage
// ----------------------------------------------------------------------------------------

TEST_F(CliTest, HelpAndMissingArguments) {
  RunResult r = run("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("convt-lab op"), std::string::npos) << r.out;
  r = run("op conv_transpose2d --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--output-padding"), std::string::npos) << r.out;
  r = run("shape conv2d --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--kernel-size"), std::string::npos) << r.out;
  r = run("op");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("conv_transpose2d"), std::string::npos) << r.err;
  r = run("op conv2d");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--weight"), std::string::npos) << r.err;
  r = run("op deconv --input x.npy");
  expect_refused(r, {"deconv"}, {});
}

}  // namespace
