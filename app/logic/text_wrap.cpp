#include "logic/text_wrap.h"

namespace convt::lab {

std::vector<std::string> wrap_at_spaces(std::string_view text, float max_width,
                                        const std::function<float(std::string_view)>& width_of) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (;;) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view paragraph = text.substr(start, end - start);
    std::string line;
    bool line_has_word = false;
    size_t i = 0;
    do {
      size_t j = paragraph.find(' ', i);
      if (j == std::string_view::npos) j = paragraph.size();
      const std::string_view word = paragraph.substr(i, j - i);
      std::string candidate = line_has_word ? line + " " + std::string(word) : std::string(word);
      if (line_has_word && width_of(candidate) > max_width) {
        lines.push_back(std::move(line));
        line = std::string(word);
      } else {
        line = std::move(candidate);
      }
      line_has_word = true;
      i = j + 1;
    } while (i <= paragraph.size());
    lines.push_back(std::move(line));
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace convt::lab
