#include "convt/io/assets.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#ifndef CONVT_SOURCE_DIR
#define CONVT_SOURCE_DIR "."
#endif

namespace convt {

namespace {

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Directory of /proc/self/exe, "" if unknown.
std::string executable_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string exe(buf, static_cast<size_t>(n));
  const size_t slash = exe.rfind('/');
  return slash == std::string::npos ? "" : exe.substr(0, slash);
}

}  // namespace

std::vector<std::string> asset_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("CONVT_ASSET_DIR"); env && *env) dirs.emplace_back(env);
  if (std::string exe_dir = executable_dir(); !exe_dir.empty()) {
    dirs.push_back(exe_dir + "/../../assets");
    dirs.push_back(exe_dir + "/../share/convt-lab");  // cmake --install: P/bin, P/share/convt-lab
  }
  dirs.emplace_back(CONVT_SOURCE_DIR "/assets");
  return dirs;
}

std::string asset_path(const std::string& relative) {
  std::string tried;
  for (const std::string& dir : asset_search_dirs()) {
    const std::string path = dir + "/" + relative;
    if (is_regular_file(path)) return path;
    tried += "\n  " + path;
  }
  throw std::runtime_error("asset '" + relative + "' not found; tried:" + tried +
                           "\n---> HINT: set CONVT_ASSET_DIR to the project's assets/ directory");
}

std::string asset_dir() {
  const std::string relative = "models/dcgan20.json";
  const std::string path = asset_path(relative);
  // "P/bin/../share/convt-lab" -> "P/share/convt-lab"
  return std::filesystem::path(path.substr(0, path.size() - relative.size() - 1))
      .lexically_normal()
      .string();
}

}  // namespace convt
