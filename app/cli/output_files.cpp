#include "output_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "args.h"
#include "convt/io/npy.h"

namespace convt::cli {

namespace fs = std::filesystem;

const char* const kTraceCsvHeader =
    "step,n,ic,iy,ix,oc,ky,kx,oy,ox,x,w,product,out_before,out_after,cropped";

StagedOutputs::~StagedOutputs() {
  std::error_code ignored;
  for (const Staged& s : staged_) fs::remove(s.temp, ignored);
}

void StagedOutputs::check_path(const std::string& flag, const std::string& path) {
  if (path.empty()) throw CliError(flag + ": expected a file name, found ''");
  fs::path p(path);
  fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw CliError(flag + ": cannot create '" + path + "': folder '" + folder.string() +
                   "' does not exist");
  }
  if (fs::is_directory(p, ec)) {
    throw CliError(flag + ": '" + path + "' is a folder; expected a file name");
  }
  std::string normal = p.lexically_normal().string();
  for (const std::string& other : checked_) {
    if (other == normal) {
      throw CliError(flag + ": '" + path + "' is already the file of another output flag; " +
                     "expected a different file");
    }
  }
  checked_.push_back(normal);
}

std::string StagedOutputs::temp_path(const std::string& path) {
  std::string temp = path + ".partial-" + std::to_string(static_cast<long>(getpid()));
  staged_.push_back({temp, path});
  return temp;
}

void StagedOutputs::stage_npy(const std::string& path, const Tensor& t) {
  write_npy(temp_path(path), t);
}

void StagedOutputs::stage_trace_csv(const std::string& path, const TraceRecorder& rec) {
  std::string temp = temp_path(path);
  std::FILE* f = std::fopen(temp.c_str(), "w");
  if (!f) {
    throw CliError("--trace: cannot create '" + path + "': " + std::strerror(errno));
  }
  std::fprintf(f, "%s\n", kTraceCsvHeader);
  for (int64_t k = 0; k < rec.size(); ++k) {
    MacEvent e = rec.event(k);
    // %.9g prints every float so that it reads back to the same bits.
    std::fprintf(f, "%lld,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%d\n",
                 static_cast<long long>(e.step), e.n, e.ic, e.iy, e.ix, e.oc, e.ky, e.kx, e.oy,
                 e.ox, static_cast<double>(e.x), static_cast<double>(e.w),
                 static_cast<double>(e.product), static_cast<double>(e.out_before),
                 static_cast<double>(e.out_after), e.cropped ? 1 : 0);
  }
  bool failed = std::ferror(f) != 0;
  int saved_errno = errno;
  if (std::fclose(f) != 0 && !failed) {
    failed = true;
    saved_errno = errno;
  }
  if (failed) {
    throw CliError("--trace: cannot write '" + path + "': " + std::strerror(saved_errno));
  }
}

void StagedOutputs::commit() {
  std::vector<std::string> done;
  for (const Staged& s : staged_) {
    std::error_code ec;
    fs::rename(s.temp, s.final_path, ec);
    if (ec) {
      std::error_code ignored;
      for (const std::string& d : done) fs::remove(d, ignored);
      throw CliError("cannot move the finished output into place as '" + s.final_path +
                     "': " + ec.message() + "; no output was written");
    }
    done.push_back(s.final_path);
  }
  staged_.clear();
}

}  // namespace convt::cli
