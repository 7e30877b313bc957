#include "logic/cell_text.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace convt::lab {
namespace {

// "1.2e+03" -> "1.2e3", "1e-05" -> "1e-5"; texts without an exponent are returned as they are.
std::string compact_exponent(const std::string& text) {
  const size_t e = text.find('e');
  if (e == std::string::npos) return text;
  std::string out = text.substr(0, e + 1);
  size_t i = e + 1;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    if (text[i] == '-') out += '-';
    ++i;
  }
  while (i + 1 < text.size() && text[i] == '0') ++i;  // leading zeros, keeping the last digit
  return out + text.substr(i);
}

// "0.42" -> ".42", "-0.4" -> "-.4"; other texts are returned as they are.
std::string without_leading_zero(const std::string& text) {
  const size_t zero = text[0] == '-' ? 1 : 0;
  if (text.compare(zero, 2, "0.") != 0) return text;
  return text.substr(0, zero) + text.substr(zero + 1);
}

}  // namespace

std::string format_number(float value) {
  if (value == 0.0f) value = 0.0f;  // no "-0.00"
  const float size = std::fabs(value);
  const bool exponent = (size > 0.0f && size < 0.005f) || size >= 100000.0f;
  char buf[48];
  std::snprintf(buf, sizeof buf, exponent ? "%.2e" : "%.2f", static_cast<double>(value));
  return buf;
}

std::string format_text(const char* format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return text;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0.0) || seconds > 1e7) return "--";
  const long t = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  }
  return buf;
}

std::string format_cell(const char* format, float value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, static_cast<double>(value));
  const std::string text = buf;
  return text == "-0" ? "0" : text;
}

std::string fit_cell_text(float value, const char* format, float max_width,
                          const TextWidth& width) {
  const std::string asked = format_cell(format, value);
  if (width(asked) <= max_width) return asked;
  for (const char* shorter : {"%.3g", "%.2g", "%.1g", "%.0e"}) {
    const std::string text = compact_exponent(format_cell(shorter, value));
    if (width(text) <= max_width) return text;
    const std::string bare = without_leading_zero(text);
    if (bare != text && width(bare) <= max_width) return bare;
  }
  return kCellTextTooWide;
}

bool cell_text_shortened(const std::string& shown, const char* format, float value) {
  return !shown.empty() && shown != format_cell(format, value);
}

}  // namespace convt::lab
