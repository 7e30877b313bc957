// Entry point of the command-line half of convt-lab: picks the subcommand, and turns every error
// into one line on stderr and exit status 2.
#include "cli.h"

#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "args.h"
#include "commands.h"
#include "complete_commands.h"
#include "convt/io/assets.h"
#include "ffnn_commands.h"
#include "train_commands.h"

namespace convt::cli {

namespace {

const char* const kOps = "conv_transpose2d, conv2d, max_pool2d, avg_pool2d";

const char* const kFooter =
    "Shapes are PyTorch's: input (N, C, H, W); Conv2d weight (C_out, C_in, kH, kW);\n"
    "ConvTranspose2d weight (C_in, C_out, kH, kW). Arrays are .npy, float32, C order\n"
    "(numpy: np.save('x.npy', a.astype(np.float32))).\n"
    "S|SH,SW means one number for both axes, or H and W apart: --stride 2 or --stride 2,1.\n"
    "Exit status: 0 done; 2 bad input (one line on stderr, and no output file is written).\n";

std::string op_synopsis(const std::string& op) {
  if (op == "conv_transpose2d" || op == "conv2d") {
    std::string s = "convt-lab op " + op +
                    " --input x.npy --weight w.npy [--bias b.npy]\n"
                    "      [--stride S|SH,SW] [--padding P|PH,PW]";
    if (op == "conv_transpose2d") s += " [--output-padding A|AH,AW]";
    s += " [--dilation D|DH,DW]\n"
         "      --out y.npy\n"
         "      [--grad-out g.npy [--grad-input dx.npy] [--grad-weight dw.npy] "
         "[--grad-bias db.npy]]\n"
         "      [--trace events.csv [--trace-limit N]]\n";
    return s;
  }
  std::string s = "convt-lab op " + op +
                  " --input x.npy --kernel-size K|KH,KW [--stride S|SH,SW]\n"
                  "      [--padding P|PH,PW]";
  if (op == "max_pool2d") s += " [--dilation D|DH,DW]";
  s += " --out y.npy [--grad-out g.npy --grad-input dx.npy]\n";
  return s;
}

std::string op_details(const std::string& op) {
  if (op == "conv_transpose2d" || op == "conv2d") {
    bool t = op == "conv_transpose2d";
    std::string s = std::string("  --input         (N, C_in, H, W)\n") +
                    (t ? "  --weight        (C_in, C_out, kH, kW), as torch.nn.ConvTranspose2d\n"
                       : "  --weight        (C_out, C_in, kH, kW), as torch.nn.Conv2d\n") +
                    "  --bias          (C_out,); none if absent\n"
                    "  --stride, --padding, --dilation: defaults 1, 0, 1\n";
    if (t) s += "  --output-padding  default 0; must be < max(stride, dilation)\n";
    s += "  --out           (N, C_out, H_out, W_out); see `convt-lab shape " + op +
         "`\n"
         "  --grad-out      dL/d(out), the output's shape; with it, write any of the gradients\n"
         "                  dL/d(input), dL/d(weight), dL/d(bias)\n";
    s +=
        t ? "  --trace         CSV of every scatter-add of the forward pass, cropped ones "
            "included:\n"
            "                  N*C_in*H*W*C_out*kH*kW rows\n"
          : "  --trace         CSV of every gather-add of the forward pass, padded taps included:\n"
            "                  N*C_out*H_out*W_out*C_in*kH*kW rows\n";
    s += "  --trace-limit   refuse (exit 2) a trace of more events; default 1000000\n";
    return s;
  }
  return "  --input         (N, C, H, W)\n"
         "  --kernel-size   the window; --stride defaults to it (as PyTorch), --padding to 0\n"
         "  --out           (N, C, H_out, W_out)\n"
         "  --grad-out      dL/d(out), the output's shape; --grad-input gets dL/d(input)\n" +
         std::string(op == "max_pool2d"
                         ? "                  (each window's gradient goes to its max)\n"
                         : "                  (spread evenly over each window)\n");
}

std::string shape_synopsis(const std::string& op) {
  std::string s = "convt-lab shape " + op +
                  " --in H|H,W --kernel-size K|KH,KW [--stride S|SH,SW]\n"
                  "      [--padding P|PH,PW]";
  if (op == "conv_transpose2d") s += " [--output-padding A|AH,AW]";
  if (op != "avg_pool2d") s += " [--dilation D|DH,DW]";
  return s + "\n";
}

}  // namespace

std::string usage(const std::string& command) {
  const std::string ops[] = {"conv_transpose2d", "conv2d", "max_pool2d", "avg_pool2d"};
  if (command.empty()) {
    return std::string(
               "ConvT Lab: transposed convolution, step by step.\n\n"
               "  convt-lab                      open the window\n"
               "  convt-lab --screenshot FILE [--panel NAME] [--frames N]\n"
               "                                 render without a display, write a PNG\n"
               "  convt-lab --version            the version, and where the assets are read from\n"
               "  convt-lab op <op> FLAGS        run one op on .npy files, as PyTorch would\n"
               "  convt-lab shape <op> FLAGS     print the output-size formula with the numbers\n"
               "  convt-lab op <op> --help       the flags of one op (likewise for shape)\n"
               "  convt-lab train ...            train a GAN (see convt-lab train --help)\n"
               "  convt-lab sample ...           images from a checkpoint (sample --help)\n"
               "  convt-lab export-generator ... a checkpoint's G (and G_ema) alone, to ship\n"
               "  convt-lab bench train ...      training throughput, last line samples/s\n"
               "  convt-lab complete-train ...   learn-to-complete CNN, tied vs untied (--help)\n"
               "  convt-lab ffnn-train ...       FFNN + transposed conv from noise, MSE "
               "(--help)\n"
               "  convt-lab animate ...          a GIF / MP4 of the stepper or of a run's samples\n"
               "                                 (animate --help)\n\n"
               "ops: ") +
           kOps + "\n\n" + kFooter;
  }
  if (command == "op" || command == "shape") {
    std::string s = "Usage:\n";
    for (const std::string& op : ops) {
      s += "  " + (command == "op" ? op_synopsis(op) : shape_synopsis(op));
    }
    return s + "\n" + kFooter;
  }
  if (command.rfind("op ", 0) == 0) {
    std::string op = command.substr(3);
    return "Usage: " + op_synopsis(op) + "\n" + op_details(op) + "\n" + kFooter;
  }
  std::string op = command.substr(6);  // "shape <op>"
  return "Usage: " + shape_synopsis(op) +
         "\nPrints the formula for H and for W with the numbers substituted, then, as the last\n"
         "line, H_out=<h> W_out=<w>. Pools: --stride defaults to --kernel-size.\n"
         "Example: convt-lab shape conv_transpose2d --in 4 --kernel-size 4 --stride 2 "
         "--padding 1\n";
}

bool is_cli_command(int argc, char** argv) {
  if (argc < 2) return false;
  std::string first = argv[1];
  return first == "op" || first == "shape" || first == "--help" || first == "-h" ||
         first == "--version" || first == "train" || first == "sample" ||
         first == "export-generator" || first == "bench" || first == "complete-train" ||
         first == "ffnn-train";
}

int run_cli(int argc, char** argv) {
  std::string first = argc >= 2 ? argv[1] : "";
  try {
    if (first == "--help" || first == "-h") {
      std::fputs(usage("").c_str(), stdout);
      return 0;
    }
    if (first == "--version") {
      std::printf("convt-lab %s\nassets: %s\n", CONVT_VERSION, asset_dir().c_str());
      return 0;
    }
    if (first == "train") return run_train(argc, argv);
    if (first == "sample") return run_sample(argc, argv);
    if (first == "export-generator") return run_export_generator(argc, argv);
    if (first == "bench") return run_bench(argc, argv);
    if (first == "complete-train") return run_complete_train(argc, argv);
    if (first == "ffnn-train") return run_ffnn_train(argc, argv);
    if (first != "op" && first != "shape") {
      std::fputs(usage("").c_str(), stderr);
      return 2;
    }
    if (argc < 3) {
      std::fputs(usage(first).c_str(), stderr);
      return 2;
    }
    std::string op = argv[2];
    if (op == "--help" || op == "-h") {
      std::fputs(usage(first).c_str(), stdout);
      return 0;
    }
    if (!is_known_op(op)) {
      throw CliError(first + ": unknown op '" + op + "'; expected one of " + kOps);
    }
    return first == "op" ? run_op(op, argc, argv) : run_shape(op, argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr,
                 "convt-lab: out of memory (std::bad_alloc). HINT: use smaller arrays, and "
                 "with --trace a lower --trace-limit.\n");
  } catch (const std::exception& e) {
    // Exactly one line, whatever the message holds.
    std::string line = e.what();
    for (char& c : line) c = (c == '\n' || c == '\r') ? ' ' : c;
    std::fprintf(stderr, "convt-lab: %s\n", line.c_str());
  } catch (...) {
    std::fprintf(stderr, "convt-lab: unexpected error\n");
  }
  std::fflush(stdout);
  return 2;
}

}  // namespace convt::cli
