// Output files of a CLI run, all or nothing: each is first written under a temporary name beside
// its final path, and only when every computation and every write has succeeded are they renamed
// into place. If anything fails, the temporaries are removed and no output file is left behind.
#pragma once

#include <string>
#include <vector>

#include "convt/recorder.h"
#include "convt/tensor.h"

namespace convt::cli {

class StagedOutputs {
 public:
  StagedOutputs() = default;
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;
  ~StagedOutputs();  // removes whatever was staged and not committed

  // Checks, before any work, that `path` (given by `flag`) can be created: not empty, its folder
  // exists, not a folder itself, not the same as another output. Throws CliError naming the flag.
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
};

// The CSV header: the fields of convt::MacEvent, in order.
extern const char* const kTraceCsvHeader;

}  // namespace convt::cli
