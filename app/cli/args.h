// A tiny flag map for the CLI subcommands: `--name value` pairs, each flag at most once, every
// flag checked against the list the subcommand knows. Values are parsed on request, with errors
// that name the flag, what was expected and what was found:
//   "--stride: expected a positive integer or H,W pair, found 'x'"
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "convt/shape.h"

namespace convt::cli {

// Bad command-line input. run_cli prints what() as one line and exits with status 2.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One flag a subcommand accepts, with the placeholder shown in error messages ("FILE", "S|SH,SW").
struct FlagSpec {
  std::string name;   // "--stride"
  std::string value;  // "S|SH,SW"
};

class Args {
 public:
  // Parses argv[first], ..., argv[argc - 1]. `command` ("op conv2d") prefixes messages about the
  // command line as a whole. Throws CliError on an unknown or repeated flag, a missing value, or
  // a word that is not a flag. `--help` / `-h` anywhere sets help() and skips those checks.
  Args(int argc, char** argv, int first, const std::string& command,
       const std::vector<FlagSpec>& known);

  bool help() const { return help_; }
  bool empty() const { return values_.empty(); }
  // For commands that need flags: with --help, prints `usage` on stdout and returns 0; with no
  // flag at all, prints it on stderr and returns 2; else returns -1 (go on).
  int usage_status(const std::string& usage) const;
  bool has(const std::string& flag) const { return values_.count(flag) > 0; }
  // The value of `flag`, or "" if it was not given.
  std::string get(const std::string& flag) const;
  // The value of `flag`; throws CliError "op conv2d: missing --out FILE (what)" if absent.
  std::string require(const std::string& flag, const std::string& what) const;

  // S or SH,SW as a Pair, each >= min_value (0 for padding, 1 for stride); `fallback` if absent.
  Pair pair(const std::string& flag, Pair fallback, int min_value) const;
  // A positive integer up to max_value; `fallback` if absent.
  int64_t count(const std::string& flag, int64_t fallback, int64_t max_value) const;

 private:
  std::string command_;
  bool help_ = false;
  std::map<std::string, std::string> values_;
};

// Parses "S" or "SH,SW" (each an integer in [min_value, 1000000]). Throws CliError naming `flag`.
Pair parse_pair(const std::string& flag, const std::string& text, int min_value);

}  // namespace convt::cli
