// The lessons panel: the list of lessons on the left; the chosen lesson on the right
// (question, a few paragraphs, formulas, lesson 2's matrix view) with its Show me buttons, each of
// which asks lab::Navigator::show_me to set up another panel and switch to it.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "logic/panel_table.h"
#include "panels/lessons_panel.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::find_panel;

namespace {

// ---- Drawing -----------------------------------------------------------------------------------

// Lessons are full of numbers ("1.39", "0.69"): wrapped at spaces only, never inside one; and
// at most about 100 characters a line, however wide the window.
void wrapped(std::string_view text, const ImVec4* colour = nullptr) {
  widgets::wrapped_at_spaces(text, colour, ImGui::GetFontSize() * 48.0f);
}

std::string number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v == 0.0f ? 0.0f : v));
  return buf;
}

// A matrix as a grid of numbers with row and column labels; non-zero cells tinted by value.
void draw_matrix(const char* caption, const lab::Matrix& m, const std::vector<std::string>& rows,
                 const std::vector<std::string>& cols, float cell_w) {
  ImGui::BeginGroup();
  ImGui::TextUnformatted(caption);
  const float font = ImGui::GetFontSize();
  const float cell_h = font + 6.0f;
  const float label_w = rows.empty() ? 0.0f : font * 2.6f;
  const float label_h = cols.empty() ? 0.0f : cell_h;
  float vmax = 0.0f;
  for (float v : m.values) vmax = std::max(vmax, std::fabs(v));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const ImU32 grid = ImGui::GetColorU32(ImGuiCol_Separator);
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  auto centred = [&](ImVec2 a, ImVec2 b, const std::string& s, ImU32 colour) {
    const ImVec2 size = ImGui::CalcTextSize(s.c_str());
    draw->AddText(ImVec2((a.x + b.x - size.x) / 2, (a.y + b.y - size.y) / 2), colour, s.c_str());
  };
  for (int c = 0; c < m.cols && c < static_cast<int>(cols.size()); ++c) {
    const ImVec2 a(p0.x + label_w + c * cell_w, p0.y);
    centred(a, ImVec2(a.x + cell_w, a.y + cell_h), cols[static_cast<size_t>(c)], dim);
  }
  for (int r = 0; r < m.rows; ++r) {
    const float y = p0.y + label_h + r * cell_h;
    if (r < static_cast<int>(rows.size())) {
      centred(ImVec2(p0.x, y), ImVec2(p0.x + label_w, y + cell_h), rows[static_cast<size_t>(r)],
              dim);
    }
    for (int c = 0; c < m.cols; ++c) {
      const ImVec2 a(p0.x + label_w + c * cell_w, y);
      const ImVec2 b(a.x + cell_w, y + cell_h);
      const float v = m.at(r, c);
      if (v != 0.0f && vmax > 0.0f) {
        const float t = 0.25f + 0.55f * std::fabs(v) / vmax;
        draw->AddRectFilled(a, b,
                            v > 0 ? IM_COL32(40, 110, 200, static_cast<int>(255 * t))
                                  : IM_COL32(200, 70, 60, static_cast<int>(255 * t)));
      }
      draw->AddRect(a, b, grid);
      centred(a, b, number(v), v == 0.0f ? dim : text);
    }
  }
  ImGui::Dummy(ImVec2(label_w + m.cols * cell_w, label_h + m.rows * cell_h));
  ImGui::EndGroup();
}

lab::Matrix as_matrix(const std::vector<float>& values, int rows, int cols) {
  lab::Matrix m;
  m.rows = rows;
  m.cols = cols;
  m.values = values;
  return m;
}

// "x00", "x01", ... for an (h, w) image flattened row by row.
std::vector<std::string> flat_labels(const char* name, int h, int w) {
  std::vector<std::string> labels;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) labels.push_back(name + std::to_string(y) + std::to_string(x));
  }
  return labels;
}

void draw_matrix_view(lab::LessonsView& view) {
  if (!view.matrix) {
    try {
      view.matrix = lab::conv_matrix_view();
    } catch (const std::exception& e) {
      wrapped(std::string("matrix view: ") + e.what(), &widgets::palette().caution);
      return;
    }
  }
  const lab::ConvMatrixView& v = *view.matrix;
  ImGui::TextDisabled(
      "THE MATRIX VIEW  %dx%d input, 2x2 kernel [[1, 2], [3, 4]], stride %d: every column below "
      "is the core's output for a unit image (a single 1)",
      v.H, v.W, v.stride);
  const float cell = ImGui::GetFontSize() * 1.9f;
  draw_matrix("C: conv2d, y = C x  (4 x 9)", v.C, flat_labels("y", v.H_out, v.W_out),
              flat_labels("x", v.H, v.W), cell);
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  draw_matrix("T: conv_transpose2d  (9 x 4)", v.T, flat_labels("x", v.H, v.W),
              flat_labels("y", v.H_out, v.W_out), cell);
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  ImGui::BeginGroup();
  ImGui::TextUnformatted("Not an inverse:");
  draw_matrix("x", as_matrix(v.x, v.H, v.W), {}, {}, cell);
  ImGui::SameLine();
  draw_matrix("C x", as_matrix(v.Cx, v.H_out, v.W_out), {}, {}, cell * 1.3f);
  ImGui::SameLine();
  draw_matrix("C^T C x", as_matrix(v.TCx, v.H, v.W), {}, {}, cell * 1.3f);
  ImGui::EndGroup();
  if (v.max_diff_from_transpose == 0.0f) {
    wrapped(
        "T is exactly C^T (largest difference 0): row y00 of C is column y00 of T. The "
        "convolution sends 9 numbers to 4, so no matrix can bring x back: C^T C x has x's "
        "shape, not its values.",
        &widgets::palette().formula);
  } else {
    wrapped("T differs from C^T by up to " + number(v.max_diff_from_transpose) +
                ": this should not happen (report it).",
            &widgets::palette().caution);
  }
}

// ---- Exercises ---------------------------------------------------------------------------------

// A grid of cells (the answer's, or one shown with the question). `values`: numbers to print
// (empty: none). `state`: the answer's cells (kCells 0/1, kCounts the count), nullptr for a
// shown grid. After a check, `expected` colours each cell: right, wrong, or missed.
// Returns the index of a clicked cell, or -1.
int draw_cell_grid(const char* id, int h, int w, const std::vector<float>& values,
                   const std::vector<int>* state, const std::vector<int>* expected,
                   bool counts, int mark_y, int mark_x) {
  const float font = ImGui::GetFontSize();
  float widest = 0.0f;
  for (float v : values) widest = std::max(widest, ImGui::CalcTextSize(number(v).c_str()).x);
  const float cell = std::max({font * 1.7f, values.empty() ? 0.0f : font * 2.0f, widest + font * 0.6f});
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const widgets::Palette& pal = widgets::palette();
  const ImU32 grid = ImGui::GetColorU32(ImGuiCol_Separator);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 chosen = IM_COL32(40, 110, 200, 210);
  int clicked = -1;
  ImGui::PushID(id);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const size_t i = static_cast<size_t>(y) * w + x;
      const ImVec2 a(p0.x + x * cell, p0.y + y * cell), b(a.x + cell, a.y + cell);
      ImGui::SetCursorScreenPos(a);
      ImGui::PushID(static_cast<int>(i));
      if (state != nullptr && expected == nullptr &&
          ImGui::InvisibleButton("c", ImVec2(cell, cell))) {
        clicked = static_cast<int>(i);
      }
      ImGui::PopID();
      const int mine = state != nullptr ? (*state)[i] : 0;
      if (expected != nullptr) {
        const int want = (*expected)[i];
        if (mine != want && (counts || mine != 0)) {  // a wrong click or count
          draw->AddRectFilled(a, b, ImGui::GetColorU32(pal.error));
        } else if (mine != want) {  // a missed cell: crossed out
          const ImU32 missed = ImGui::GetColorU32(pal.caution);
          const float inset = cell * 0.2f;
          draw->AddLine(ImVec2(a.x + inset, a.y + inset), ImVec2(b.x - inset, b.y - inset), missed, 2.5f);
          draw->AddLine(ImVec2(a.x + inset, b.y - inset), ImVec2(b.x - inset, a.y + inset), missed, 2.5f);
        } else if (want != 0 && !counts) {
          draw->AddRectFilled(a, b, ImGui::GetColorU32(pal.good));
        }
      } else if (state != nullptr && !counts && mine != 0) {
        draw->AddRectFilled(a, b, chosen);
      } else if (state != nullptr && ImGui::IsMouseHoveringRect(a, b)) {
        draw->AddRectFilled(a, b, ImGui::GetColorU32(ImGuiCol_FrameBgHovered));
      }
      draw->AddRect(a, b, grid);
      std::string label;
      if (!values.empty()) label = number(values[i]);
      if (counts && state != nullptr) {
        // After the check, a wrong cell (red) shows the right count; the reasons say yours.
        label = std::to_string(expected != nullptr ? (*expected)[i] : mine);
      }
      if (!label.empty()) {
        const ImVec2 size = ImGui::CalcTextSize(label.c_str());
        draw->AddText(ImVec2((a.x + b.x - size.x) / 2, (a.y + b.y - size.y) / 2), text,
                      label.c_str());
      }
      if (y == mark_y && x == mark_x) {
        draw->AddRect(ImVec2(a.x + 1, a.y + 1), ImVec2(b.x - 1, b.y - 1),
                      ImGui::GetColorU32(pal.accent), 0.0f, 0, 3.0f);
      }
    }
  }
  ImGui::PopID();
  ImGui::SetCursorScreenPos(p0);
  ImGui::Dummy(ImVec2(w * cell, h * cell));
  return clicked;
}

// Two curves of one run in one plot (ImGui's PlotLines, drawn twice over the same frame).
void plot_pair(const char* id, const std::vector<float>& a, const std::vector<float>& b,
               const char* caption, float lo, float hi, ImVec2 size) {
  const ImVec2 at = ImGui::GetCursorPos();
  ImGui::PlotLines(id, a.data(), static_cast<int>(a.size()), 0, caption, lo, hi, size);
  ImGui::SetCursorPos(at);
  ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_PlotLines, widgets::palette().caution);
  ImGui::PlotLines((std::string(id) + "b").c_str(), b.data(), static_cast<int>(b.size()), 0,
                   nullptr, lo, hi, size);
  ImGui::PopStyleColor(2);
}

// Lesson 8: each run's curves, its samples' diversity, and the student's pick for it.
void draw_runs(const lab::Exercise& e, lab::ExerciseAnswer& answer, bool revealed) {
  const float font = ImGui::GetFontSize();
  const ImVec2 plot(font * 17.0f, font * 4.5f);
  // Two runs a row, in a table so that both of a row start at the same height.
  if (!ImGui::BeginTable("runs", 2, ImGuiTableFlags_SizingFixedFit)) return;
  for (size_t i = 0; i < e.runs.size(); ++i) {
    const lab::ShownRun& run = e.runs[i];
    ImGui::TableNextColumn();
    ImGui::BeginGroup();
    ImGui::PushID(static_cast<int>(i));
    ImGui::Text("%s  (%lld steps)", run.label.c_str(), static_cast<long long>(run.steps));
    float hi = 0.0f;
    for (float v : run.loss_g) hi = std::max(hi, std::isfinite(v) ? v : 0.0f);
    for (float v : run.loss_d) hi = std::max(hi, std::isfinite(v) ? v : 0.0f);
    // The top quarter is left free for the caption, so no curve runs under it.
    plot_pair("##loss", run.loss_g, run.loss_d, "loss_G, loss_D (orange)", 0.0f,
              1.35f * std::max(1.5f, hi), plot);
    plot_pair("##d", run.d_real, run.d_fake, "D(x), D(G(z)) (orange)", -0.02f, 1.35f, plot);
    if (run.sample_diversity >= 0.0f) {
      ImGui::Text("samples' diversity %.3f (real digits %.3f)", run.sample_diversity,
                  run.real_diversity);
    }
    int& pick = answer.cells[i];
    const bool right = revealed && pick == e.expected_cells[i];
    if (revealed) {
      ImGui::PushStyleColor(ImGuiCol_Text, right ? widgets::palette().good : widgets::palette().error);
    }
    ImGui::SetNextItemWidth(font * 10.0f);
    ImGui::BeginDisabled(revealed);
    if (ImGui::BeginCombo("this run is", pick >= 0 ? e.choices[static_cast<size_t>(pick)].c_str() : "(pick one)")) {
      for (int c = 0; c < static_cast<int>(e.choices.size()); ++c) {
        if (ImGui::Selectable(e.choices[static_cast<size_t>(c)].c_str(), pick == c)) pick = c;
      }
      ImGui::EndCombo();
    }
    ImGui::EndDisabled();
    if (revealed) ImGui::PopStyleColor();
    // A line of no height after the combo: otherwise its frame padding becomes the row's text
    // baseline and the next column's first line starts that much lower.
    ImGui::Dummy(ImVec2(0.0f, 0.0f));
    ImGui::PopID();
    ImGui::EndGroup();
  }
  ImGui::EndTable();
}

// A grayscale image in [-1, 1], each pixel a px x px square, at the cursor (advances it).
void draw_picture(const float* img, int h, int w, float px) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 a = ImGui::GetCursorScreenPos();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int v = std::clamp(static_cast<int>((img[y * w + x] + 1.0f) * 127.5f + 0.5f), 0, 255);
      draw->AddRectFilled(ImVec2(a.x + x * px, a.y + y * px),
                          ImVec2(a.x + (x + 1) * px, a.y + (y + 1) * px), IM_COL32(v, v, v, 255));
    }
  }
  ImGui::Dummy(ImVec2(w * px, h * px));
}

// "You against D": the 16 digits, drawn pixel by pixel; a click marks one as fake (red frame).
// After the check: each one's truth and D's probability that it is real, the student's marks
// coloured right or wrong.
void draw_digit_grid(const lab::Exercise& e, std::vector<int>& marks, bool revealed) {
  const float font = ImGui::GetFontSize();
  const int n = e.image_size;
  const float px = std::max(2.0f, std::floor(font * 0.2f));
  const float tile = n * px, gap = font * 0.6f, label_h = revealed ? font * 2.3f : 0.0f;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const widgets::Palette& pal = widgets::palette();
  for (int c = 0; c < e.grid_h * e.grid_w; ++c) {
    const int row = c / e.grid_w, col = c % e.grid_w;
    const ImVec2 a(p0.x + col * (tile + gap), p0.y + row * (tile + gap + label_h));
    ImGui::SetCursorScreenPos(a);
    draw_picture(e.images.data() + static_cast<size_t>(c) * n * n, n, n, px);
    ImGui::SetCursorScreenPos(a);
    ImGui::PushID(c);
    if (!revealed && ImGui::InvisibleButton("digit", ImVec2(tile, tile))) {
      marks[static_cast<size_t>(c)] = 1 - marks[static_cast<size_t>(c)];
    }
    ImGui::PopID();
    const bool marked = marks[static_cast<size_t>(c)] != 0;
    const bool fake = e.expected_cells[static_cast<size_t>(c)] != 0;
    if (marked || revealed) {
      const ImVec4 frame = !revealed ? pal.error : (marked == fake ? pal.good : pal.error);
      draw->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(a.x + tile + 2, a.y + tile + 2),
                    ImGui::GetColorU32(frame), 0.0f, 0, marked ? 3.0f : 1.0f);
    }
    if (revealed) {
      char line[48];
      std::snprintf(line, sizeof line, "%s\nD(x) %.2f", fake ? "fake" : "real",
                    static_cast<double>(e.d_real_prob[static_cast<size_t>(c)]));
      draw->AddText(ImVec2(a.x, a.y + tile + 2), ImGui::GetColorU32(ImGuiCol_Text), line);
    }
  }
  ImGui::SetCursorScreenPos(p0);
  ImGui::Dummy(ImVec2(e.grid_w * (tile + gap), e.grid_h * (tile + gap + label_h)));
  ImGui::TextDisabled(revealed ? "thick frame: you said fake; green: you were right"
                               : "click a digit to mark it fake (click again to unmark)");
}

void draw_answer(lab::ExerciseSession& session) {
  const lab::Exercise& e = session.exercise();
  lab::ExerciseAnswer& answer = session.answer();
  const auto& feedback = session.feedback();
  switch (e.form) {
    case lab::AnswerForm::kCells:
    case lab::AnswerForm::kCounts: {
      if (e.image_size > 0) {
        draw_digit_grid(e, answer.cells, feedback.has_value());
        break;
      }
      const bool counts = e.form == lab::AnswerForm::kCounts;
      ImGui::BeginGroup();
      ImGui::TextUnformatted(e.grid_label.c_str());
      const int i = draw_cell_grid("answer", e.grid_h, e.grid_w, {}, &answer.cells,
                                   feedback ? &e.expected_cells : nullptr, counts, e.mark_y,
                                   e.mark_x);
      if (feedback && counts) {
        ImGui::TextColored(widgets::palette().error, "red: your count was wrong (the right one shown)");
      } else if (feedback) {
        ImGui::TextColored(widgets::palette().good, "right");
        ImGui::SameLine();
        ImGui::TextColored(widgets::palette().error, "wrong");
        ImGui::SameLine();
        ImGui::TextColored(widgets::palette().caution, "X missed");
      }
      if (i >= 0) {
        int& v = answer.cells[static_cast<size_t>(i)];
        if (!counts) {
          v = 1 - v;
        } else {
          const auto& values = e.count_values;
          auto it = std::find(values.begin(), values.end(), v);
          v = (it == values.end() || it + 1 == values.end()) ? values.front() : *(it + 1);
        }
      }
      ImGui::EndGroup();
      break;
    }
    case lab::AnswerForm::kNumber: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s", answer.text.c_str());
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
      ImGui::BeginDisabled(feedback.has_value());
      if (ImGui::InputText("your answer", buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue)) {
        answer.text = buf;
        session.submit();
      } else {
        answer.text = buf;
      }
      ImGui::EndDisabled();
      break;
    }
    case lab::AnswerForm::kMatch:
      draw_runs(e, answer, feedback.has_value());
      break;
    case lab::AnswerForm::kChoice:
      ImGui::BeginDisabled(feedback.has_value());
      for (int c = 0; c < static_cast<int>(e.choices.size()); ++c) {
        ImGui::PushID(c);
        if (ImGui::RadioButton(e.choices[static_cast<size_t>(c)].c_str(), answer.choice == c)) {
          answer.choice = c;
        }
        ImGui::PopID();
      }
      ImGui::EndDisabled();
      break;
  }
}

void draw_exercise(lab::ExerciseSession& session, int lesson, bool* scroll_here,
                   lab::Navigator& nav, std::string& stamp_note) {
  const std::vector<lab::ExerciseKind> kinds = lab::exercise_kinds(lesson);
  if (kinds.empty()) return;
  session.open(lesson, session.lesson() == lesson ? session.kind_index() : 0);
  const widgets::Palette& pal = widgets::palette();
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::TextDisabled("PREDICT, THEN SEE  (the core computes the answer)");
  if (*scroll_here) {
    ImGui::SetScrollHereY(0.0f);
    *scroll_here = false;
  }
  for (int k = 0; k < static_cast<int>(kinds.size()); ++k) {
    if (k > 0) ImGui::SameLine();
    ImGui::PushID(k);
    if (ImGui::RadioButton(lab::exercise_title(kinds[static_cast<size_t>(k)]).c_str(),
                           session.kind_index() == k)) {
      session.open(lesson, k);
    }
    ImGui::PopID();
  }
  if (!session.has_exercise()) {  // its assets are missing: say which, keep the lesson
    wrapped(session.message(), &pal.caution);
    if (ImGui::Button("Try again")) session.new_one();
    return;
  }
  const lab::Exercise& e = session.exercise();
  wrapped(e.prompt);
  for (size_t g = 0; g < e.shown.size(); ++g) {
    const lab::ShownGrid& shown = e.shown[g];
    if (g > 0) ImGui::SameLine(0.0f, ImGui::GetFontSize() * 1.5f);
    ImGui::BeginGroup();
    ImGui::TextUnformatted(shown.label.c_str());
    if (shown.picture) {
      draw_picture(shown.values.data(), shown.h, shown.w, std::max(2.0f, std::floor(ImGui::GetFontSize() * 0.2f)));
    } else {
      draw_cell_grid(shown.label.c_str(), shown.h, shown.w, shown.values, nullptr, nullptr, false,
                     shown.mark_y, shown.mark_x);
    }
    ImGui::EndGroup();
  }
  if (!e.shown.empty() && e.form != lab::AnswerForm::kNumber && e.form != lab::AnswerForm::kChoice) {
    ImGui::SameLine(0.0f, ImGui::GetFontSize() * 1.5f);
  }
  draw_answer(session);

  const auto& feedback = session.feedback();
  ImGui::BeginDisabled(feedback.has_value());
  if (ImGui::Button("Check")) session.submit();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("New one")) session.new_one();
  const lab::KindScore now = session.session_score(), kept = session.progress().total();
  ImGui::TextDisabled("this session %d / %d right, streak %d  |  all sessions %d / %d, best streak %d",
                      now.right, now.tried, session.session_streak(), kept.right, kept.tried,
                      session.progress().best_streak);
  ImGui::SameLine();
  if (ImGui::SmallButton("Reset progress")) session.reset_progress();
  if (!session.message().empty()) wrapped(session.message(), &pal.caution);
  if (feedback) {
    wrapped(feedback->verdict, feedback->right ? &pal.good : &pal.error);
    for (const std::string& r : feedback->reasons) wrapped("  " + r);
    for (const std::string& r : e.reveal) wrapped(r, &pal.formula);
    if (e.kind == lab::ExerciseKind::kLandingCells) {
      // The stamp plays: the same scatter-adds, one tap at a time, in the stepper.
      if (ImGui::Button("Play the stamp in the stepper")) {
        stamp_note = nav.play_landing_stamp(e, lesson);
      }
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("Opens the stepper on this setting and plays pixel (%d, %d)'s %d "
                          "scatter-adds, one tap at a time",
                          e.at_y, e.at_x, e.kernel_size * e.kernel_size);
      }
      if (!stamp_note.empty()) wrapped(stamp_note, &pal.error);
    }
  }
}

// The question, the paragraphs, the formulas and lesson 2's matrix view.
void draw_lesson_text(lab::LessonsView& view, const lab::Lesson& lesson) {
  wrapped(lesson.question, &widgets::palette().accent);
  ImGui::Spacing();
  for (const std::string& p : lesson.paragraphs) {
    wrapped(p);
    ImGui::Spacing();
  }
  if (!lesson.formulas.empty()) {
    const float line = ImGui::GetTextLineHeightWithSpacing();
    const float height = line * static_cast<float>(lesson.formulas.size()) +
                         2.0f * ImGui::GetStyle().WindowPadding.y;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, widgets::palette().banner_bg);
    ImGui::BeginChild("formulas", ImVec2(0.0f, height), true,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_HorizontalScrollbar);
    for (const std::string& f : lesson.formulas) {
      ImGui::TextColored(widgets::palette().formula, "%s", f.c_str());
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }
  if (lesson.matrix_view) {
    ImGui::Spacing();
    draw_matrix_view(view);
  }
}

// The Show me buttons, each with what to look for; a press asks the navigator.
void draw_show_me(lab::LessonsView& view, lab::Navigator& nav, const lab::Lesson& lesson,
                  int index) {
  ImGui::Spacing();
  ImGui::Separator();
  widgets::push_wrap_at_visible_edge();
  ImGui::TextDisabled(
      "SHOW ME  (opens the panel, set up to show it; come back with the Lessons tab)");
  ImGui::PopTextWrapPos();
  for (size_t i = 0; i < lesson.show_me.size(); ++i) {
    const lab::ShowMe& s = lesson.show_me[i];
    const bool available = find_panel(s.panel).has_value();
    ImGui::PushID(static_cast<int>(i));
    ImGui::BeginDisabled(!available);
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.20f, 0.42f, 0.70f, 1.0f));
    const bool pressed = ImGui::Button(s.label.c_str());
    ImGui::PopStyleColor();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginGroup();
    wrapped(available ? s.look_for : "(the " + s.panel + " panel is not in this build yet)");
    ImGui::EndGroup();
    ImGui::PopID();
    if (pressed) {
      view.note.clear();
      try {
        nav.show_me(index, static_cast<int>(i), &view.note);
      } catch (const std::exception& e) {
        view.note = e.what();
      }
    }
  }
  if (!view.note.empty()) wrapped(view.note, &widgets::palette().caution);
}

// A lesson file that could not be loaded: what is wrong with it, where in the file, in place of
// the lesson (the other lessons are unaffected).
void draw_load_error(const lab::Lesson& lesson) {
  wrapped(lesson.load_error, &widgets::palette().error);
  ImGui::Spacing();
  wrapped(
      "The lessons are the files of assets/lessons/, one a lesson; its README.md describes "
      "the format. Correct the file and start convt-lab again.");
}

void draw_lesson(lab::LessonsView& view, lab::Navigator& nav, int index) {
  const std::vector<lab::Lesson>& all = lab::lessons();
  const lab::Lesson& lesson = all[static_cast<size_t>(index)];

  ImGui::TextDisabled("LESSON %d OF %zu", index + 1, all.size());
  ImGui::SetWindowFontScale(1.3f);
  wrapped(lesson.title);
  ImGui::SetWindowFontScale(1.0f);
  if (lesson.load_error.empty()) {
    draw_lesson_text(view, lesson);
    draw_show_me(view, nav, lesson, index);
  } else {
    draw_load_error(lesson);
  }

  draw_exercise(view.exercises, index, &view.scroll_to_exercise, nav, view.stamp_note);

  ImGui::Spacing();
  ImGui::BeginDisabled(index == 0);
  if (ImGui::Button("< Previous")) view.current = index - 1;
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(index + 1 >= static_cast<int>(all.size()));
  if (ImGui::Button("Next lesson >")) view.current = index + 1;
  ImGui::EndDisabled();
}

}  // namespace

void draw_lessons_panel(lab::LessonsView& view, lab::Navigator& nav) {
  const std::vector<lab::Lesson>& all = lab::lessons();
  view.current = std::clamp(view.current, 0, static_cast<int>(all.size()) - 1);

  // At most 40% of the window, so that a large UI scale leaves the lesson its room.
  const float list_width =
      std::min(ImGui::GetFontSize() * 19.0f, 0.4f * ImGui::GetContentRegionAvail().x);
  ImGui::BeginChild("lesson_list", ImVec2(list_width, 0.0f), true);
  ImGui::TextColored(widgets::palette().accent, "START HERE");
  wrapped(
      "Ten questions a student asks, in order, a screen each. Every lesson ends with Show "
      "me: it opens the panel that shows the answer, already set up. Come back here with the "
      "Lessons tab.");
  ImGui::Spacing();
  // Each title wraps inside its selectable row (ImGui's Selectable itself does not wrap).
  const float number_w = ImGui::CalcTextSize("10. ").x;
  for (int i = 0; i < static_cast<int>(all.size()); ++i) {
    const std::string& title = all[static_cast<size_t>(i)].title;
    const float wrap = ImGui::GetContentRegionAvail().x - number_w;
    const ImVec2 size = ImGui::CalcTextSize(title.c_str(), nullptr, false, wrap);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(i);
    if (ImGui::Selectable("##lesson", view.current == i, 0, ImVec2(0.0f, size.y))) {
      view.current = i;
    }
    ImGui::PopID();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImU32 colour = ImGui::GetColorU32(ImGuiCol_Text);
    const std::string number = std::to_string(i + 1) + ".";
    draw->AddText(pos, ImGui::GetColorU32(ImGuiCol_TextDisabled), number.c_str());
    draw->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(pos.x + number_w, pos.y), colour,
                  title.c_str(), nullptr, wrap);
  }
  ImGui::EndChild();
  ImGui::SameLine();
  // Scrolls sideways only when a figure is wider than the window (large UI scales).
  ImGui::BeginChild("lesson", ImVec2(0.0f, 0.0f), false, ImGuiWindowFlags_HorizontalScrollbar);
  draw_lesson(view, nav, view.current);
  ImGui::EndChild();
}

}  // namespace convt::panels
