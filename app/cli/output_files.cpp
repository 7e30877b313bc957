#include "output_files.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "args.h"
#include "convt/io/atomic_file.h"
#include "convt/io/npy.h"

namespace convt::cli {

namespace fs = std::filesystem;

const char* const kTraceCsvHeader =
    "step,n,ic,iy,ix,oc,ky,kx,oy,ox,x,w,product,out_before,out_after,cropped";

namespace {

// The temporaries of the running command, for the SIGINT / SIGTERM handler: a run stopped in
// the middle of a long write (a trace of 10^8 events is gigabytes) must not leave them behind.
// Fixed arrays, because a signal handler may only read memory and call unlink().
constexpr int kMaxTemps = 32;
constexpr size_t kMaxTempPath = 4096;
char g_temps[kMaxTemps][kMaxTempPath];
volatile std::sig_atomic_t g_temp_count = 0;

extern "C" void remove_temps_and_stop(int signal_number) {
  for (int i = 0; i < g_temp_count; ++i) ::unlink(g_temps[i]);
  std::signal(signal_number, SIG_DFL);  // then end as the signal would have ended the process
  std::raise(signal_number);
}

void register_temp(const std::string& temp) {
  if (g_temp_count >= kMaxTemps || temp.size() >= kMaxTempPath) return;
  std::memcpy(g_temps[g_temp_count], temp.c_str(), temp.size() + 1);
  g_temp_count = g_temp_count + 1;  // the slot is complete before the handler can see it
}

// Whether process `pid` is gone (a temporary it left can be removed).
bool process_is_gone(long pid) { return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

}  // namespace

void remove_stale_temps(const fs::path& path) {
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const std::string prefix = path.filename().string() + ".partial-";
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    char* rest = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &rest, 10);
    const bool well_formed = rest != name.c_str() + prefix.size() &&
                             (*rest == '\0' || std::strncmp(rest, ".tmp-", 5) == 0);
    if (well_formed && pid > 0 && pid != static_cast<long>(getpid()) && process_is_gone(pid)) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

StagedOutputs::StagedOutputs() {
  g_temp_count = 0;
  previous_int_ = std::signal(SIGINT, remove_temps_and_stop);
  previous_term_ = std::signal(SIGTERM, remove_temps_and_stop);
}

StagedOutputs::~StagedOutputs() {
  std::error_code ignored;
  for (const Staged& s : staged_) {
    fs::remove(s.temp, ignored);
  }
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
  g_temp_count = 0;
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
  const fs::file_status status = fs::status(p, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status)) {
    // The output is written under a temporary name and renamed, which would put a regular file
    // where the device (/dev/full), FIFO or socket was.
    throw CliError(flag + ": '" + path + "' is " + file_kind(status) +
                   ", not a regular file; expected a regular file or a new name (special files "
                   "are never replaced)");
  }
  remove_stale_temps(p);
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
  register_temp(temp);
  register_temp(temp + ".tmp-" + std::to_string(static_cast<long>(getpid())));  // write_npy's own
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
  g_temp_count = 0;  // the temporaries are the outputs now
}

}  // namespace convt::cli
