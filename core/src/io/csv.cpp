#include "convt/io/csv.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace convt {

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

CsvWriter::CsvWriter(const std::string& path, std::vector<std::string> columns, bool append)
    : path_(path), columns_(std::move(columns)) {
  std::string header;
  for (size_t i = 0; i < columns_.size(); ++i) header += (i ? "," : "") + csv_escape(columns_[i]);
  bool write_header = true;
  if (append) {
    std::ifstream existing(path);
    std::string first;
    if (existing && std::getline(existing, first) && !first.empty()) {
      if (first != header) {
        throw std::runtime_error(path + ": cannot append: expected the header '" + header +
                                 "', found '" + first + "'");
      }
      write_header = false;
    }
  }
  file_ = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (!file_) {
    throw std::runtime_error(path + ": cannot open for writing (" + std::strerror(errno) + ")");
  }
  if (write_header) write_line(header);
}

CsvWriter::~CsvWriter() {
  if (file_) std::fclose(file_);
}

void CsvWriter::write_line(const std::string& line) {
  if (std::fputs((line + "\n").c_str(), file_) < 0 || std::fflush(file_) != 0) {
    throw std::runtime_error(path_ + ": write failed (" + std::strerror(errno) + ")");
  }
}

void CsvWriter::write_row(const std::vector<std::string>& values) {
  if (values.size() != columns_.size()) {
    throw std::invalid_argument(path_ + ": expected " + std::to_string(columns_.size()) +
                                " values per row, found " + std::to_string(values.size()));
  }
  std::string line;
  for (size_t i = 0; i < values.size(); ++i) line += (i ? "," : "") + csv_escape(values[i]);
  write_line(line);
}

void CsvWriter::write_row(const std::vector<double>& values) {
  std::vector<std::string> text;
  text.reserve(values.size());
  char buf[32];
  for (double v : values) {
    std::snprintf(buf, sizeof buf, "%.9g", v);
    text.emplace_back(buf);
  }
  write_row(text);
}

}  // namespace convt
