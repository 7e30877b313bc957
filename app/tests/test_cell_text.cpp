// The heatmap cells' number when the caller's format is too wide (app/logic/cell_text.h): a
// shorter form of the same value that fits, never an empty cell. Widths are counted in characters
// here (every character 1 wide), so the expected texts follow from the rule by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "logic/cell_text.h"

namespace {

using convt::lab::cell_text_shortened;
using convt::lab::fit_cell_text;
using convt::lab::format_cell;
using convt::lab::format_duration;
using convt::lab::kCellTextTooWide;

float chars(const std::string& text) { return static_cast<float>(text.size()); }

// Text and tables: two decimals, but never "0.00" for a weight that is not zero.
TEST(CellText, FormatNumberKeepsSmallValuesVisible) {
  using convt::lab::format_number;
  EXPECT_EQ(format_number(2.0f), "2.00");
  EXPECT_EQ(format_number(-0.42f), "-0.42");
  EXPECT_EQ(format_number(0.0f), "0.00");
  EXPECT_EQ(format_number(-0.0f), "0.00");
  EXPECT_EQ(format_number(0.00231f), "2.31e-03");
  EXPECT_EQ(format_number(-0.002f), "-2.00e-03");
  EXPECT_EQ(format_number(0.006f), "0.01");  // visible with two decimals
  EXPECT_EQ(format_number(12345.0f), "12345.00");
  EXPECT_EQ(format_number(123456.0f), "1.23e+05");
}

TEST(CellText, FormatDurationRoundsToTheSecondAndSwitchesToHoursAtAnHour) {
  EXPECT_EQ(format_duration(0), "0m00s");
  EXPECT_EQ(format_duration(245.4), "4m05s");
  EXPECT_EQ(format_duration(3599.4), "59m59s");
  EXPECT_EQ(format_duration(3599.6), "1h00m");
  EXPECT_EQ(format_duration(7380), "2h03m");
  EXPECT_EQ(format_duration(-1), "--");  // an ETA before the first step
  EXPECT_EQ(format_duration(std::nan("")), "--");
  EXPECT_EQ(format_duration(2e7), "--");
}

TEST(CellText, FormatCellWritesMinusZeroAsZero) {
  EXPECT_EQ(format_cell("%.0f", -0.3f), "0");
  EXPECT_EQ(format_cell("%.2g", -0.0f), "0");
  EXPECT_EQ(format_cell("%.2f", -0.25f), "-0.25");
}

TEST(CellText, KeepsTheCallersFormatWhenItFits) {
  EXPECT_EQ(fit_cell_text(-0.42f, "%.2g", 5, chars), "-0.42");
  EXPECT_EQ(fit_cell_text(3.14159f, "%.2f", 4, chars), "3.14");
  EXPECT_FALSE(cell_text_shortened("-0.42", "%.2g", -0.42f));
}

TEST(CellText, TooWideDecimalsLoseDigitsFirst) {
  EXPECT_EQ(fit_cell_text(3.14159f, "%.4f", 4, chars), "3.14");  // "3.1416" is 6 wide
  EXPECT_EQ(fit_cell_text(3.14159f, "%.4f", 3, chars), "3.1");
  EXPECT_EQ(fit_cell_text(3.14159f, "%.4f", 1, chars), "3");
}

TEST(CellText, SmallMagnitudesDropTheLeadingZero) {
  EXPECT_EQ(fit_cell_text(-0.42f, "%.2g", 4, chars), "-.42");
  EXPECT_EQ(fit_cell_text(-0.42f, "%.2g", 3, chars), "-.4");
  EXPECT_EQ(fit_cell_text(0.42f, "%.2g", 2, chars), ".4");
}

TEST(CellText, LargeMagnitudesUseACompactExponent) {
  // "%.2g" writes 1234.5 as "1.2e+03" (7 wide): the cell gets "1.2e3", or "1e3" in less room.
  EXPECT_EQ(fit_cell_text(1234.5f, "%.2g", 6, chars), "1.23e3");
  EXPECT_EQ(fit_cell_text(1234.5f, "%.2g", 5, chars), "1.2e3");
  EXPECT_EQ(fit_cell_text(1234.5f, "%.2g", 3, chars), "1e3");
  EXPECT_EQ(fit_cell_text(-98765.0f, "%.2g", 5, chars), "-1e5");
  EXPECT_EQ(fit_cell_text(123.4f, "%.2g", 3, chars), "123");  // no exponent needed
}

TEST(CellText, TinyMagnitudesUseANegativeExponent) {
  EXPECT_EQ(fit_cell_text(0.00012f, "%.2g", 4, chars), "1e-4");
  EXPECT_EQ(fit_cell_text(-3e-7f, "%.3f", 5, chars), "-3e-7");  // "-0.000" is 6 wide
}

TEST(CellText, NothingFitsGivesTheMarkNotAnEmptyCell) {
  EXPECT_EQ(fit_cell_text(-98765.0f, "%.2g", 2, chars), kCellTextTooWide);
  EXPECT_EQ(fit_cell_text(-0.42f, "%.2g", 0, chars), kCellTextTooWide);
  EXPECT_EQ(fit_cell_text(std::numeric_limits<float>::infinity(), "%.2g", 2, chars),
            kCellTextTooWide);
  EXPECT_TRUE(cell_text_shortened(kCellTextTooWide, "%.2g", -98765.0f));
}

// Over many values and widths: the text is never empty, fits whenever it is not the mark, and
// reads back (strtod) as the value to within its last shown digit.
TEST(CellText, EveryTextFitsAndReadsBackNearTheValue) {
  for (int e = -8; e <= 8; ++e) {
    for (float mantissa : {1.0f, -1.0f, 2.5f, -4.2f, 9.99f, -9.99f}) {
      const float value = mantissa * std::pow(10.0f, static_cast<float>(e));
      for (int room = 0; room <= 10; ++room) {
        const std::string text = fit_cell_text(value, "%.2g", static_cast<float>(room), chars);
        ASSERT_FALSE(text.empty()) << value << " in " << room;
        if (text == kCellTextTooWide) continue;
        EXPECT_LE(chars(text), static_cast<float>(room)) << text;
        const double back = std::strtod(text.c_str(), nullptr);
        // One significant digit is the least any form keeps: within half of the leading digit's
        // unit (plus rounding of 9.99 up to 10).
        EXPECT_NEAR(back, value,
                    0.51 * std::pow(10.0, std::floor(std::log10(std::fabs(value)))) + 1e-12)
            << text << " for " << value << " in " << room;
      }
    }
  }
}

}  // namespace
