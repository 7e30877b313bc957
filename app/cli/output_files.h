// Output files of a CLI run, all or nothing: each is first written under a temporary name beside
// its final path, and only when every computation and every write has succeeded are they renamed
// into place. If anything fails, the temporaries are removed and no output file is left behind;
// while a StagedOutputs lives, SIGINT and SIGTERM remove them too before the process ends.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "convt/recorder.h"
#include "convt/tensor.h"

namespace convt::cli {

class StagedOutputs {
 public:
  StagedOutputs();  // installs the SIGINT / SIGTERM handler that removes the temporaries
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;
  ~StagedOutputs();  // removes whatever was staged and not committed; restores the handlers

  // Checks, before any work, that `path` (given by `flag`) can be created: not empty, its folder
  // exists, not a folder or another special file (a device, FIFO, socket) itself, not the same as
  // another output. Throws CliError naming the flag. Also removes the "<path>.partial-<pid>"
  // temporaries that processes which no longer run left beside it.
  void check_path(const std::string& flag, const std::string& path);

  // Writes `t` as .npy under a temporary name for `path`.
  void stage_npy(const std::string& path, const Tensor& t);
  // Writes the trace as CSV (header, then one row per event) under a temporary name for `path`.
  void stage_trace_csv(const std::string& path, const TraceRecorder& rec);

  // Renames every staged file to its final path. If a rename fails, the outputs already renamed
  // are removed too, and CliError is thrown.
  void commit();

 private:
  std::string temp_path(const std::string& path);

  struct Staged {
    std::string temp, final_path;
  };
  std::vector<Staged> staged_;
  std::vector<std::string> checked_;  // every output path, to refuse duplicates
  void (*previous_int_)(int) = nullptr;
  void (*previous_term_)(int) = nullptr;
};

// Removes the "<name>.partial-<pid>[.tmp-<pid>]" files beside `path` whose process is gone: what
// a run killed by SIGKILL (or a power cut) leaves. Files of running processes stay.
void remove_stale_temps(const std::filesystem::path& path);

// The CSV header: the fields of convt::MacEvent, in order.
extern const char* const kTraceCsvHeader;

}  // namespace convt::cli
