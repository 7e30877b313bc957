// The CLI subcommands behind run_cli (cli.cpp). Each returns the exit status on success and
// throws (CliError for bad command lines, the core's errors for bad files and parameters);
// run_cli turns any exception into one line on stderr and status 2.
#pragma once

#include <string>

namespace convt::cli {

// The ops both subcommands know.
bool is_known_op(const std::string& op);

// `convt-lab op <op> ...`: argv[3..] are the flags. Prints usage (status 0) for --help.
int run_op(const std::string& op, int argc, char** argv);

// `convt-lab shape <op> ...`: argv[3..] are the flags. Prints usage (status 0) for --help.
int run_shape(const std::string& op, int argc, char** argv);

// Usage text: of everything (`command` empty), of "op", of "shape", or of "op <op>" / "shape <op>".
std::string usage(const std::string& command);

}  // namespace convt::cli
