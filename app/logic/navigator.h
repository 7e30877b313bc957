// The links between panels, in one place and without GL. A panel that opens another (a lesson's
// Show me, the latent explorer's "Step through this", a banner's "Back to ...", the Panels
// menu) sends a request here; the navigator sets up the target panel's state in AppState,
// switches the tab, and leaves the banner that says where the student came from. Panels draw
// their own state and reach another panel's only through these requests.
//
//   show_me(lesson, i)            lessons()[lesson].show_me[i]: stepper, formula, training,
//                                 latent or completion, set up as the lesson says
//   open_stepper_on_slice(...)    the stepper replaying one slice of G's ConvT layer
//   open_stepper_on_cnn_pixel(...) the stepper replaying one window of the CNN panel's conv2d
//   open_stepper_on_inside_channel(...) the same for a channel of the classifier or D
//   open_saved_run(name)          a saved run (assets/runs/<name>) read-only in the dashboard
//   start_lesson_run(target)      the dashboard's form and run as a lesson's target asks
//   go_back()                     the banner's "Back to ..."
//
// Unit-tested without a window (app/tests/test_navigator.cpp, test_lessons_show_me.cpp).
#pragma once

#include <string>

#include "logic/exercises.h"
#include "logic/lessons_model.h"
#include "logic/panel_table.h"

namespace convt {
struct AppState;
}

namespace convt::lab {

struct StepperSlice;
class TrainingSession;

class Navigator {
 public:
  // Requests change `state`, which must outlive the navigator.
  explicit Navigator(AppState& state) : state_(state) {}

  // Opens panel `id` (the Panels menu, Ctrl+1..8): its tab is selected on the next frame.
  void open_panel(PanelId id);

  // Applies lessons()[lesson].show_me[index]: sets up the target panel (stepper preset, step,
  // selection and view; formula parameters and network table; training form and run, or a
  // saved run; latent seed and interpolation; completion region, models and input; the CNN
  // panel's kernel, digit and stages; Other generators' rgb32 back on the smileys), opens it
  // with a banner back to the lesson, and makes `lesson` the current one. Returns false, with
  // `note` saying why, when the target panel does not exist in this build; the state is then
  // unchanged. `note` also receives what happened to a training run the Show me replaced.
  // Throws std::out_of_range for a bad lesson or index, std::logic_error for a target that
  // names an unknown stepper, training or kernel preset, SavedRunError for a bad saved run.
  bool show_me(int lesson, int index, std::string* note = nullptr);

  // "Step through this": loads `slice` (the real weights and input of one ConvT layer of G,
  // `layer_name` as G names it, e.g. "3 ConvTranspose2d") into the stepper, selects the chosen
  // output pixel, and opens the stepper with a banner back to the latent explorer. Returns ""
  // on success, else why the stepper cannot show the slice (stepper_fit(); nothing changed).
  std::string open_stepper_on_slice(const StepperSlice& slice, const std::string& layer_name);

  // The CNN panel's "Step through this": loads the window of output pixel (oy, ox), channel c,
  // of the CNN panel's conv2d into the stepper (load_cnn_window_into_stepper: the real picture
  // values and kernel), selects its one output pixel, and opens the stepper with a banner back
  // to the CNN panel. Returns "" on success, else why not (nothing changed).
  std::string open_stepper_on_cnn_pixel(int c, int oy, int ox);

  // "Inside the classifier"'s "Step through this": loads inside_channel_slice(...) of the CNN
  // panel's drawing (network 0 the classifier, 1 D; `row` an index into that pass's map rows)
  // into the stepper (the real kernel on the real window of that Conv2d's input), and opens
  // the stepper with a banner back to the CNN panel. Returns "" on success, else why not
  // (nothing changed).
  std::string open_stepper_on_inside_channel(int network, int row, int channel);

  // Lesson 2's "Where does this pixel land?" after its check: loads the exercise's
  // conv_transpose2d into the stepper (input 0 but for the asked pixel, 1; kernel of ones, so the
  // canvas shows that pixel's stamp alone, cropped taps included), sets the position just
  // before that pixel's first scatter-add and plays its kernel_size^2 events (about 6 s), with
  // a banner back to lesson `lesson`. Returns "" on success, else why the stepper cannot show
  // it (nothing changed). `e` must be a kLandingCells exercise.
  std::string play_landing_stamp(const Exercise& e, int lesson);

  // Opens saved run `name` (assets/runs/<name>) read-only in the training dashboard, pausing
  // and saving the live run first (lab::open_saved_run); does not switch the tab. Throws
  // SavedRunError (nothing changed) for a bad saved run.
  void open_saved_run(const std::string& name, std::string* note = nullptr);

  // Sets the training dashboard up as `target` asks (lab::start_lesson_run): its form, and a
  // new run or a saved run; does not switch the tab. Throws std::logic_error for an unknown
  // preset.
  void start_lesson_run(const TrainingTarget& target, std::string* note = nullptr);

  // The banner's "Back to ...": reopens the panel (and lesson) it names and drops the banner.
  void go_back();

  // The training dashboard's session (nullptr before the dashboard or a link created it), for
  // the latent explorer's "Follow training".
  TrainingSession* training_session() const;

 private:
  void apply_stepper(const StepperTarget& target);
  void apply_formula(const FormulaTarget& target);
  void apply_latent(const LatentTarget& target);
  void apply_completion(const CompletionTarget& target);
  void apply_cnn(const CnnTarget& target);
  void apply_experiments();

  AppState& state_;
};

}  // namespace convt::lab
