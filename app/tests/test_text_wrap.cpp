// logic/text_wrap.h: lines break at spaces only, so a number such as "1.39" is never split (Dear
// ImGui's wrap breaks after '.'). Widths here: 1 per character.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logic/text_wrap.h"

namespace {

using convt::lab::wrap_at_spaces;
using Lines = std::vector<std::string>;

float chars(std::string_view s) { return static_cast<float>(s.size()); }

TEST(WrapAtSpaces, ShortTextIsOneLine) {
  EXPECT_EQ(wrap_at_spaces("loss_D near 1.39", 40.0f, chars), Lines{"loss_D near 1.39"});
  EXPECT_EQ(wrap_at_spaces("", 40.0f, chars), Lines{""});
}

// "settle near 1.39 and 0.69" at width 14: ImGui would put "settle near 1." on the first line
// (14 characters); this keeps 1.39 whole on the next.
TEST(WrapAtSpaces, NumbersAreNeverSplitAtTheirPoint) {
  const Lines lines = wrap_at_spaces("settle near 1.39 and 0.69", 14.0f, chars);
  EXPECT_EQ(lines, (Lines{"settle near", "1.39 and 0.69"}));
  for (const std::string& line : lines) EXPECT_LE(line.size(), 14u) << line;
}

TEST(WrapAtSpaces, EveryLineFitsAndNoWordIsLost) {
  const std::string text = "score 1.55 / 10, 0% confident; the real images by 0.344 per pixel";
  for (float width : {12.0f, 20.0f, 33.0f}) {  // the longest word, "confident;", is 10
    const Lines lines = wrap_at_spaces(text, width, chars);
    std::string joined;
    for (const std::string& line : lines) {
      EXPECT_LE(static_cast<float>(line.size()), width) << '"' << line << "\" at " << width;
      joined += (joined.empty() ? "" : " ") + line;
    }
    EXPECT_EQ(joined, text) << width;
  }
}

TEST(WrapAtSpaces, AWordWiderThanTheLineGetsALineOfItsOwn) {
  EXPECT_EQ(wrap_at_spaces("see assets/runs/divergence/log.csv now", 10.0f, chars),
            (Lines{"see", "assets/runs/divergence/log.csv", "now"}));
}

TEST(WrapAtSpaces, NewlinesEndLines) {
  EXPECT_EQ(wrap_at_spaces("a b\n\nc", 40.0f, chars), (Lines{"a b", "", "c"}));
}

}  // namespace
