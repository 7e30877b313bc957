// The number a heatmap cell shows when the caller's format is too wide for the cell: a shorter
// form of the same value, so a cell with a number never goes silently blank (the stepper's
// 1.9e+02 in a 20-pixel cell). No GL, no ImGui: the width of a text is passed in.
#pragma once

#include <functional>
#include <string>

namespace convt::lab {

// A value in running text and tables (the stepper's events and contributions): two decimals
// ("2.00", "-0.42"), unless that would hide it: a value that is not 0 but under 0.005 in size,
// or 100000 and over, is written with 3 significant digits in exponent form ("0.00231" ->
// "2.31e-03", not "0.00"). Never "-0.00". NaN and infinities as printf writes them.
std::string format_number(float value);

// printf into a std::string (up to 511 characters; longer text is cut): the panels' sentences
// with numbers in them.
std::string format_text(const char* format, ...) __attribute__((format(printf, 1, 2)));

// A duration in progress lines (the CLI's ETA, the dashboard's elapsed time), rounded to the
// second: "4m05s" under an hour, "2h03m" from an hour; "--" for a negative, NaN or absurd
// (over 10^7 s) value, as an ETA before the first step.
std::string format_duration(double seconds);

// A text's width in pixels as it will be drawn (ImGui's CalcTextSize in the app).
using TextWidth = std::function<float(const std::string&)>;

// `value` printed with the printf `format` ("%.2g", "%.0f"), with "-0" written "0".
std::string format_cell(const char* format, float value);

// The text for `value` in a cell where at most `max_width` pixels of text fit: the first of these
// whose width(text) <= max_width:
//   1. format_cell(format, value), as the caller asked;
//   2. 3, 2, then 1 significant digits ("%.3g", "%.2g", "%.1g": 1234.5 -> "1.23e3", "1.2e3",
//      "1e3"), each followed, for |value| < 1, by the same without its leading zero ("-0.42" ->
//      "-.42");
//   3. 1 significant digit in exponent form ("%.0e": 0.00012 -> "1e-4");
// exponents written compactly ("e+03" -> "e3", "e-05" -> "e-5"), none of them "-0"; else
// kCellTextTooWide ("..", returned even when it does not fit either: the caller decides whether
// to draw it). The cell's tooltip should then give the full value. NaN and infinities print as
// "nan" or "-nan" (glibc), "inf", "-inf" (then "..").
std::string fit_cell_text(float value, const char* format, float max_width, const TextWidth& width);

// Whether fit_cell_text() gave something other than format_cell(format, value): the cell then
// shows a shortened number ("" never counts as shortened).
bool cell_text_shortened(const std::string& shown, const char* format, float value);

// The ".." shown when no form of the number fits.
inline constexpr const char* kCellTextTooWide = "..";

}  // namespace convt::lab
