#include "args.h"

#include <cctype>
#include <cstdio>

namespace convt::cli {

namespace {

constexpr int64_t kMaxPairValue = 1'000'000;  // keeps every size formula far from int overflow

// A decimal integer made of digits only ("+3", "3.0", "1e2" and "" are refused); -1 if it is not
// one, or if it exceeds `max_value`.
int64_t parse_digits(const std::string& text, int64_t max_value) {
  if (text.empty() || text.size() > 18) return -1;
  int64_t v = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    v = v * 10 + (c - '0');
  }
  return v <= max_value ? v : -1;
}

std::string join_flags(const std::vector<FlagSpec>& known) {
  std::string s;
  for (const FlagSpec& f : known) s += (s.empty() ? "" : ", ") + f.name;
  return s;
}

}  // namespace

Args::Args(int argc, char** argv, int first, const std::string& command,
           const std::vector<FlagSpec>& known)
    : command_(command) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") help_ = true;
  }
  if (help_) return;

  for (int i = first; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0) {
      throw CliError(command + ": unexpected argument '" + flag +
                     "'; expected flags as --name value (see convt-lab " + command + " --help)");
    }
    bool is_known = false;
    for (const FlagSpec& f : known) is_known = is_known || f.name == flag;
    if (!is_known) {
      throw CliError(command + ": unknown flag '" + flag + "'; expected one of " +
                     join_flags(known));
    }
    if (values_.count(flag)) {
      throw CliError(flag + ": given twice; expected at most once");
    }
    if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0) {
      std::string found =
          i + 1 < argc ? "'" + std::string(argv[i + 1]) + "'" : "the end of the line";
      std::string placeholder;
      for (const FlagSpec& f : known) placeholder = f.name == flag ? f.value : placeholder;
      throw CliError(flag + ": expected a value (" + placeholder + "), found " + found);
    }
    values_[flag] = argv[++i];
  }
}

int Args::usage_status(const std::string& usage) const {
  if (help_) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (values_.empty()) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  return -1;
}

std::string Args::get(const std::string& flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::string() : it->second;
}

std::string Args::require(const std::string& flag, const std::string& what) const {
  if (!has(flag)) {
    throw CliError(command_ + ": missing " + flag + " " + what + " (see convt-lab " + command_ +
                   " --help)");
  }
  return get(flag);
}

Pair Args::pair(const std::string& flag, Pair fallback, int min_value) const {
  return has(flag) ? parse_pair(flag, get(flag), min_value) : fallback;
}

int64_t Args::count(const std::string& flag, int64_t fallback, int64_t max_value) const {
  if (!has(flag)) return fallback;
  int64_t v = parse_digits(get(flag), max_value);
  if (v < 1) {
    throw CliError(flag + ": expected a positive integer up to " + std::to_string(max_value) +
                   ", found '" + get(flag) + "'");
  }
  return v;
}

Pair parse_pair(const std::string& flag, const std::string& text, int min_value) {
  std::string kind = min_value >= 1 ? "a positive integer" : "a non-negative integer";
  auto fail = [&]() {
    return CliError(flag + ": expected " + kind + " or H,W pair (at most " +
                    std::to_string(kMaxPairValue) + "), found '" + text + "'");
  };
  size_t comma = text.find(',');
  std::string h_text = text.substr(0, comma);
  std::string w_text = comma == std::string::npos ? h_text : text.substr(comma + 1);
  int64_t h = parse_digits(h_text, kMaxPairValue);
  int64_t w = parse_digits(w_text, kMaxPairValue);
  if (h < min_value || w < min_value) throw fail();
  return Pair(static_cast<int>(h), static_cast<int>(w));
}

}  // namespace convt::cli
