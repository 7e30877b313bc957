#include "logic/lessons_model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "convt/io/assets.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/tensor.h"
#include "convt/train/masks.h"
#include "logic/cnn_model.h"
#include "logic/panel_table.h"
#include "logic/saved_run.h"
#include "logic/training_session.h"

namespace convt::lab {

// ---- Lesson files ------------------------------------------------------------------------------

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A value as the error messages show it: its JSON, cut to 60 characters.
std::string shown(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// The names `get` gives for the values of `all`: the enum names a lesson file may use.
template <class T, class Name>
std::vector<std::string> names_of(const std::vector<T>& all, Name get) {
  std::vector<std::string> names;
  for (const T& x : all) names.push_back(get(x));
  return names;
}

// One JSON object of a lesson file, read key by key. Every read names the key's JSON path in its
// errors (`file`: show_me[2].training.saved_run: ...); done() refuses the keys no read asked for.
class ObjectReader {
 public:
  // Throws LessonError when `j` is not an object. `path`: "" for the file's top level.
  ObjectReader(const json& j, std::string file, std::string path)
      : j_(j), file_(std::move(file)), path_(std::move(path)) {
    if (!j.is_object()) {
      throw LessonError(file_ + ": " + (path_.empty() ? "the file" : path_) +
                        ": expected an object { ... }, found " + shown(j));
    }
  }

  std::string path_of(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw LessonError(file_ + ": " + path_of(key) + ": " + message);
  }

  // The value of `key`, or nullptr when absent. Makes `key` known to done().
  const json* find(const char* key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }

  // A string; `required`: present and not empty.
  void text(const char* key, std::string& out, bool required) {
    const json* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "missing (expected a string that is not empty)");
      return;
    }
    if (!v->is_string() || (required && v->get_ref<const std::string&>().empty())) {
      fail(key, std::string("expected a string") + (required ? " that is not empty" : "") +
                    ", found " + shown(*v));
    }
    out = v->get<std::string>();
  }

  // An array of strings, none empty; `required`: present with at least one.
  void texts(const char* key, std::vector<std::string>& out, bool required) {
    const json* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "missing (expected an array of strings, at least one)");
      return;
    }
    if (!v->is_array() || (required && v->empty())) {
      fail(key, std::string("expected an array of strings") + (required ? ", at least one" : "") +
                    ", found " + shown(*v));
    }
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      const json& e = (*v)[i];
      if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
        fail(std::string(key) + "[" + std::to_string(i) + "]",
             "expected a string that is not empty, found " + shown(e));
      }
      out.push_back(e.get<std::string>());
    }
  }

  // An integer in lo..hi; without hi, up to the largest value T holds.
  template <class T>
  void integer(const char* key, T& out, int64_t lo, std::optional<int64_t> hi = std::nullopt) {
    const json* v = find(key);
    if (v == nullptr) return;
    const uint64_t t_max = std::numeric_limits<T>::max();
    const int64_t top = hi ? *hi : static_cast<int64_t>(std::min<uint64_t>(t_max, INT64_MAX));
    const bool in_range =
        v->is_number_integer() &&
        (v->is_number_unsigned()
             ? v->get<uint64_t>() <= static_cast<uint64_t>(top) && v->get<int64_t>() >= lo
             : v->get<int64_t>() >= lo && v->get<int64_t>() <= top);
    if (!in_range) {
      const std::string range = hi ? " from " + std::to_string(lo) + " to " + std::to_string(*hi)
                                   : " >= " + std::to_string(lo);
      fail(key, "expected an integer" + range + ", found " + shown(*v));
    }
    out = static_cast<T>(v->get<int64_t>());
  }

  // A number >= 0.
  void number(const char* key, float& out) {
    const json* v = find(key);
    if (v == nullptr) return;
    if (!v->is_number() || v->get<double>() < 0.0) {
      fail(key, "expected a number >= 0, found " + shown(*v));
    }
    out = v->get<float>();
  }

  void boolean(const char* key, bool& out) {
    const json* v = find(key);
    if (v == nullptr) return;
    if (!v->is_boolean()) fail(key, "expected true or false, found " + shown(*v));
    out = v->get<bool>();
  }

  // A string that is one of `names`; returns its index, or -1 when absent.
  int one_of(const char* key, const std::vector<std::string>& names, const std::string& what) {
    const json* v = find(key);
    if (v == nullptr) return -1;
    if (v->is_string()) {
      const auto it = std::find(names.begin(), names.end(), v->get<std::string>());
      if (it != names.end()) return static_cast<int>(it - names.begin());
      fail(key, "no " + what + " " + shown(*v) + " (have: " + joined(names) + ")");
    }
    fail(key, "expected a " + what + " name (" + joined(names) + "), found " + shown(*v));
  }

  // Throws LessonError for the first key that no read asked for.
  void done() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(known_.begin(), known_.end(), it.key()) == known_.end()) {
        fail(it.key(), "unknown key (expected one of: " + joined(known_) + ")");
      }
    }
  }

 private:
  const json& j_;
  std::string file_;
  std::string path_;
  std::vector<std::string> known_;
};

// An enum value by the name `name_of` gives it; false (and `out` kept) when absent.
template <class E>
bool read_enum(ObjectReader& r, const char* key, const std::vector<E>& all,
               const char* (*name_of)(E), const std::string& what, E& out) {
  const int i = r.one_of(key, names_of(all, name_of), what);
  if (i >= 0) out = all[static_cast<size_t>(i)];
  return i >= 0;
}

// A string naming one of `names`; kept when absent.
void read_name(ObjectReader& r, const char* key, const std::vector<std::string>& names,
               const std::string& what, std::string& out) {
  const int i = r.one_of(key, names, what);
  if (i >= 0) out = names[static_cast<size_t>(i)];
}

StepperTarget read_stepper(const json& j, const std::string& file, const std::string& path) {
  ObjectReader r(j, file, path);
  StepperTarget t;
  const std::vector<std::string> presets =
      names_of(stepper_presets(), [](const StepperPreset& p) { return p.name; });
  read_name(r, "preset", presets, "stepper preset", t.preset);
  if (t.preset.empty()) r.fail("preset", "missing (expected one of: " + joined(presets) + ")");
  r.integer("step", t.step, -1);
  r.integer("oc", t.oc, 0, StepperLimits::kMaxCOut - 1);
  r.integer("y", t.y, -1);
  r.integer("x", t.x, -1);
  using V = StepperSecondView;
  V view = V::kGather;
  if (read_enum(r, "view", {V::kGather, V::kOverlap, V::kOutput}, second_view_name, "stepper view",
                view)) {
    t.view = view;
  }
  r.done();
  return t;
}

// The network table's model names (assets/models/*.json and the built-in ones).
std::vector<std::string> formula_model_names() {
  FormulaView view;
  load_formula_models(view);
  return names_of(view.models, [](const ModelSpec& m) { return m.name; });
}

FormulaTarget read_formula(const json& j, const std::string& file, const std::string& path) {
  ObjectReader r(j, file, path);
  FormulaTarget t;
  if (const json* params = r.find("params")) {
    ObjectReader p(*params, file, r.path_of("params"));
    for (const FormulaParamRange& range : formula_param_ranges()) {
      p.integer(range.name, t.params.*range.field, range.lo, range.hi);
    }
    p.done();
  }
  if (r.find("model") != nullptr) {  // read the models only when a lesson names one
    read_name(r, "model", formula_model_names(), "network table model", t.model);
  }
  r.done();
  return t;
}

TrainingTarget read_training(const json& j, const std::string& file, const std::string& path) {
  ObjectReader r(j, file, path);
  TrainingTarget t;
  read_name(r, "preset", training_preset_names(), "training preset", t.preset);
  r.number("lr_g", t.lr_g);
  r.number("lr_d", t.lr_d);
  using A = TrainingTarget::Action;
  read_enum(r, "action", {A::kNone, A::kStepA, A::kStart}, TrainingTarget::action_name,
            "training action", t.action);
  if (const json* run = r.find("saved_run")) {
    const std::vector<std::string> runs = list_saved_runs();
    if (!run->is_string()) r.fail("saved_run", "expected a saved run's name, found " + shown(*run));
    if (std::find(runs.begin(), runs.end(), run->get<std::string>()) == runs.end()) {
      r.fail("saved_run",
             "no saved run " + shown(*run) + " in assets/runs/ (have: " + joined(runs) + ")");
    }
    t.saved_run = run->get<std::string>();
  }
  r.integer("smoothing", t.smoothing, 1, 100);  // the panel's slider
  r.done();
  return t;
}

LatentTarget read_latent(const json& j, const std::string& file, const std::string& path) {
  ObjectReader r(j, file, path);
  LatentTarget t;
  r.integer("seed", t.seed, 0);
  r.integer("steps", t.steps, 3, 16);  // the panel's slider
  r.boolean("slerp", t.slerp);
  r.done();
  return t;
}

CompletionTarget read_completion(const json& j, const std::string& file, const std::string& path) {
  ObjectReader r(j, file, path);
  CompletionTarget t;
  read_name(r, "region",
            names_of(std::vector<MaskKind>{MaskKind::bottom_half, MaskKind::left_half,
                                           MaskKind::random_square, MaskKind::everything},
                     [](MaskKind k) { return std::string(mask_name(k)); }),
            "completion region", t.region);
  using S = CompletionShow;
  read_enum(r, "show", {S::kBoth, S::kTiedOnly, S::kUntiedOnly}, completion_show_name,
            "completion show", t.show);
  using C = CompletionSection;
  read_enum(r, "section", {C::kRefine, C::kBlankCanvas}, completion_section_name,
            "completion section", t.section);
  r.integer("heldout_digit", t.heldout_digit, -1, 999);  // the 1000 held-out digits
  r.integer("refine_passes", t.refine_passes, 0, CompletionModel::kMaxPasses);
  r.integer("blank_seed", t.blank_seed, -1);
  r.done();
  return t;
}

CnnTarget read_cnn(const json& j, const std::string& file, const std::string& path) {
  ObjectReader r(j, file, path);
  CnnTarget t;
  read_name(
      r, "kernel",
      names_of(cnn_kernel_presets(), [](const KernelPreset& p) { return std::string(p.name); }),
      "CNN kernel preset", t.kernel);
  r.integer("digit", t.digit, 0, 9999);  // the built-in 28x28 digits
  r.integer("stride", t.stride, 1, 4);   // the CNN panel's ranges (CnnModel)
  r.integer("padding", t.padding, 0, 4);
  r.boolean("relu", t.relu);
  r.boolean("pool", t.pool);
  r.integer("y", t.y, -1);
  r.integer("x", t.x, -1);
  r.done();
  return t;
}

// The panels a Show me can set up, by the key of their settings (ShowMe's members).
// The panels a Show me can set up: the keys of their settings (ShowMe's members).
constexpr const char* kTargetPanels[] = {"stepper", "formula",    "training",
                                         "latent",  "completion", "cnn"};

ShowMe read_show_me(const json& j, const std::string& file, const std::string& path) {
  ObjectReader r(j, file, path);
  ShowMe s;
  r.text("label", s.label, true);
  r.text("panel", s.panel, true);
  if (!find_panel(s.panel)) {
    r.fail("panel", "no panel \"" + s.panel + "\" (have: " + panel_names() + ")");
  }
  r.text("look_for", s.look_for, true);
  const json empty = json::object();
  const json* settings = &empty;  // the target panel's: absent keeps every default
  for (const std::string key : kTargetPanels) {
    const json* v = r.find(key.c_str());
    if (v == nullptr) continue;
    if (key != s.panel) {
      r.fail(key, "settings for the " + key + " panel, but this Show me opens \"" + s.panel +
                      "\" (expected only \"" + s.panel + "\": { ... })");
    }
    settings = v;
  }
  const std::string at = r.path_of(s.panel);
  if (s.panel == "stepper") s.stepper = read_stepper(*settings, file, at);
  if (s.panel == "formula") s.formula = read_formula(*settings, file, at);
  if (s.panel == "training") s.training = read_training(*settings, file, at);
  if (s.panel == "latent") s.latent = read_latent(*settings, file, at);
  if (s.panel == "completion") s.completion = read_completion(*settings, file, at);
  if (s.panel == "cnn") s.cnn = read_cnn(*settings, file, at);
  r.done();
  return s;
}

Lesson read_lesson(const json& j, const std::string& file) {
  ObjectReader r(j, file, "");
  Lesson l;
  r.text("title", l.title, true);
  r.text("question", l.question, true);
  r.texts("paragraphs", l.paragraphs, true);
  r.texts("formulas", l.formulas, false);
  r.boolean("matrix_view", l.matrix_view);
  const json* show_me = r.find("show_me");
  if (show_me == nullptr) r.fail("show_me", "missing (expected an array of Show me, at least one)");
  if (!show_me->is_array() || show_me->empty()) {
    r.fail("show_me", "expected an array of Show me, at least one, found " + shown(*show_me));
  }
  for (size_t i = 0; i < show_me->size(); ++i) {
    l.show_me.push_back(read_show_me((*show_me)[i], file, "show_me[" + std::to_string(i) + "]"));
  }
  r.done();
  return l;
}

// The Lesson that stands in for lesson `number` when its file could not be used.
Lesson unloaded(int number, const std::string& file, const std::string& error) {
  Lesson l;
  l.title = "Lesson " + std::to_string(number) + " could not be loaded";
  l.file = file;
  l.load_error = error;
  return l;
}

}  // namespace

const char* TrainingTarget::action_name(Action action) {
  switch (action) {
    case Action::kNone:
      return "none";
    case Action::kStepA:
      return "step_a";
    case Action::kStart:
      return "start";
  }
  return "?";
}

Lesson load_lesson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw LessonError(path + ": cannot open (expected a lesson file, JSON)");
  std::stringstream text;
  text << in.rdbuf();
  json j;
  try {
    j = json::parse(text.str());
  } catch (const json::exception& e) {
    throw LessonError(path + ": not valid JSON (" + e.what() + ")");
  }
  Lesson l = read_lesson(j, path);
  l.file = fs::path(path).filename().string();
  return l;
}

std::vector<Lesson> load_lessons(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  if (ec || files.empty()) {
    return {unloaded(1, "",
                     dir + ": " +
                         (ec ? "cannot read the folder (" + ec.message() + ")"
                             : "no lesson files (expected NN-name.json)"))};
  }
  std::sort(files.begin(), files.end());
  std::vector<Lesson> all;
  for (const fs::path& f : files) {
    try {
      all.push_back(load_lesson(f.string()));
    } catch (const std::exception& e) {
      all.push_back(unloaded(static_cast<int>(all.size()) + 1, f.filename().string(), e.what()));
    }
  }
  return all;
}

std::string lessons_dir() {
  for (const std::string& d : asset_search_dirs()) {
    std::error_code ec;
    const fs::path dir = fs::path(d) / "lessons";
    if (fs::is_directory(dir, ec)) return dir.lexically_normal().string();
  }
  return "";
}

const std::vector<Lesson>& lessons() {
  static const std::vector<Lesson> all = [] {
    const std::string dir = lessons_dir();
    std::vector<Lesson> v;
    if (dir.empty()) {
      v.push_back(unloaded(1, "",
                           "no lessons/ folder in any of: " + joined(asset_search_dirs()) +
                               " (set CONVT_ASSET_DIR)"));
    } else {
      v = load_lessons(dir);
    }
    for (const Lesson& l : v) {
      if (!l.load_error.empty()) std::fprintf(stderr, "convt-lab: %s\n", l.load_error.c_str());
    }
    return v;
  }();
  return all;
}

// ---- Matrix view -------------------------------------------------------------------------

Matrix transpose(const Matrix& m) {
  Matrix t;
  t.rows = m.cols;
  t.cols = m.rows;
  t.values.resize(m.values.size());
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) t.values[static_cast<size_t>(c) * t.cols + r] = m.at(r, c);
  }
  return t;
}

namespace {

// Runs `op` on each unit image e_j of (1, 1, H, W) and writes its flattened output as column j.
template <class Op>
Matrix columns_of(int H, int W, Op op) {
  Matrix m;
  m.cols = H * W;
  for (int j = 0; j < H * W; ++j) {
    Tensor e({1, 1, H, W});  // (N, C, H, W), all zeros
    e.values()[static_cast<size_t>(j)] = 1.0f;
    Tensor out;
    op(out, e);
    if (j == 0) {
      m.rows = static_cast<int>(out.numel());
      m.values.assign(static_cast<size_t>(m.rows) * m.cols, 0.0f);
    }
    for (int r = 0; r < m.rows; ++r) {
      m.values[static_cast<size_t>(r) * m.cols + j] = out.values()[static_cast<size_t>(r)];
    }
  }
  return m;
}

std::vector<float> multiply(const Matrix& m, const std::vector<float>& x) {
  std::vector<float> y(static_cast<size_t>(m.rows), 0.0f);
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) y[static_cast<size_t>(r)] += m.at(r, c) * x[c];
  }
  return y;
}

}  // namespace

Matrix conv2d_matrix(int H, int W, const std::vector<float>& kernel, int kH, int kW, int stride,
                     int padding) {
  const Tensor weight({1, 1, kH, kW}, kernel);  // (C_out, C_in, kH, kW)
  Conv2dParams p;
  p.stride = {stride, stride};
  p.padding = {padding, padding};
  return columns_of(
      H, W, [&](Tensor& out, const Tensor& e) { conv2d_forward(out, e, weight, nullptr, p); });
}

Matrix conv_transpose2d_matrix(int H, int W, const std::vector<float>& kernel, int kH, int kW,
                               int stride, int padding) {
  const Tensor weight({1, 1, kH, kW}, kernel);  // (C_in, C_out, kH, kW)
  ConvTranspose2dParams p;
  p.stride = {stride, stride};
  p.padding = {padding, padding};
  return columns_of(H, W, [&](Tensor& out, const Tensor& e) {
    conv_transpose2d_forward(out, e, weight, nullptr, p);
  });
}

ConvMatrixView conv_matrix_view() {
  ConvMatrixView v;
  v.kernel = {1.0f, 2.0f, 3.0f, 4.0f};
  v.C = conv2d_matrix(v.H, v.W, v.kernel, v.kernel_size, v.kernel_size, v.stride, v.padding);
  v.H_out = (v.H + 2 * v.padding - v.kernel_size) / v.stride + 1;
  v.W_out = (v.W + 2 * v.padding - v.kernel_size) / v.stride + 1;
  v.T = conv_transpose2d_matrix(v.H_out, v.W_out, v.kernel, v.kernel_size, v.kernel_size, v.stride,
                                v.padding);
  const Matrix Ct = transpose(v.C);
  v.max_diff_from_transpose = Ct.values.size() == v.T.values.size() ? 0.0f : INFINITY;
  for (size_t i = 0; i < Ct.values.size() && i < v.T.values.size(); ++i) {
    v.max_diff_from_transpose =
        std::max(v.max_diff_from_transpose, std::fabs(Ct.values[i] - v.T.values[i]));
  }
  v.x.resize(static_cast<size_t>(v.H) * v.W);
  for (size_t i = 0; i < v.x.size(); ++i) v.x[i] = static_cast<float>(i + 1);
  v.Cx = multiply(v.C, v.x);
  v.TCx = multiply(v.T, v.Cx);
  return v;
}

}  // namespace convt::lab
