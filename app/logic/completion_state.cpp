#include "logic/completion_state.h"

#include <algorithm>
#include <exception>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "convt/train/completion.h"

namespace convt::lab {

namespace {

constexpr int kSize = CompletionModel::kSize;

}  // namespace

const char* completion_show_name(CompletionShow show) {
  switch (show) {
    case CompletionShow::kBoth:
      return "both";
    case CompletionShow::kTiedOnly:
      return "tied_only";
    case CompletionShow::kUntiedOnly:
      return "untied_only";
  }
  return "?";
}

const char* completion_section_name(CompletionSection section) {
  switch (section) {
    case CompletionSection::kRefine:
      return "refine";
    case CompletionSection::kBlankCanvas:
      return "blank_canvas";
  }
  return "?";
}

void completion_load(CompletionState& s) {
  s.started = true;
  for (Tying t : kBothTyings) {
    const int i = static_cast<int>(t);
    std::string path;
    try {
      path = asset_path(kCompletionCheckpoint[i]);
    } catch (const std::exception&) {
      // Not shipped or not found: load() names the path and keeps the error for the panel.
      s.model.load(t, std::string("assets/") + kCompletionCheckpoint[i]);
      continue;
    }
    s.model.load(t, path);
    try {
      s.model.load_log(t, asset_path(kCompletionLog[i]));
    } catch (const std::exception&) {
      s.model.load_log(t, std::string("assets/") + kCompletionLog[i]);
    }
  }
  try {
    const Dataset digits = load_builtin_digits(kSize);
    s.heldout = split_holdout(digits, 10).second;
    s.digit = std::clamp(s.digit, 0, static_cast<int>(s.heldout.size()) - 1);
    if (!s.drawn) s.model.set_canvas(s.heldout.images, s.digit);
  } catch (const std::exception& e) {
    s.data_error = std::string("No held-out digits (draw your own instead): ") + e.what();
    s.heldout = Dataset();
    s.drawn = true;
  }
}

void completion_pick_digit(CompletionState& s, int digit) {
  if (s.heldout.size() == 0) return;
  s.digit = std::clamp(digit, 0, static_cast<int>(s.heldout.size()) - 1);
  s.drawn = false;
  s.model.set_canvas(s.heldout.images, s.digit);
}

void completion_open(CompletionState& s, const CompletionRequest& r) {
  if (!s.started) completion_load(s);
  s.model.set_region(r.region);
  s.show = r.show;
  s.section = r.section;
  s.select_section = true;
  if (r.blank) {
    s.model.clear_canvas();
    s.drawn = true;
  } else if (r.heldout_digit >= 0) {
    completion_pick_digit(s, r.heldout_digit);
  }
  if (r.refine_passes > 0) {
    s.refine_passes = std::clamp(r.refine_passes, 1, CompletionModel::kMaxPasses);
  }
  if (r.blank_seed >= 0) s.blank_seed = static_cast<uint64_t>(r.blank_seed);
}

}  // namespace convt::lab
