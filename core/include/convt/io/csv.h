// A small CSV writer for training logs (one row per step): a header line, then rows of numbers
// or text, flushed after every row so `tail -f` and a crash both see complete lines.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace convt {

class CsvWriter {
 public:
  // Opens `path`. append == false: truncates it and writes the header. append == true (resuming):
  // keeps the existing rows if the file's first line is exactly this header; a missing or empty
  // file gets the header; a different header throws std::runtime_error (expected vs found).
  // Throws std::runtime_error naming the path if it cannot be opened.
  CsvWriter(const std::string& path, std::vector<std::string> columns, bool append = false);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // One row; values.size() must equal the number of columns (std::invalid_argument otherwise).
  // Numbers are written with %.9g (float32 round-trips); text is quoted when it holds , " or \n.
  void write_row(const std::vector<double>& values);
  void write_row(const std::vector<std::string>& values);

  const std::vector<std::string>& columns() const { return columns_; }
  const std::string& path() const { return path_; }

 private:
  void write_line(const std::string& line);

  std::string path_;
  std::vector<std::string> columns_;
  std::FILE* file_ = nullptr;
};

// A CSV field, quoted ("a ""b""") when it holds a comma, a quote or a line break.
std::string csv_escape(const std::string& field);

}  // namespace convt
