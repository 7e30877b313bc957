// The command-line half of convt-lab: subcommands that need no display.
//   convt-lab op conv_transpose2d|conv2d|max_pool2d|avg_pool2d ...
//   convt-lab shape conv_transpose2d|conv2d|max_pool2d ...
// Exit status: 0 on success, 2 on bad input (one clear line on stderr, no output file left).
#pragma once

namespace convt::cli {

// True if argv[1] names a CLI subcommand (so main() should not open a window).
bool is_cli_command(int argc, char** argv);

// Runs the subcommand named by argv[1]; returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace convt::cli
