// The stepper's keyboard through Dear ImGui's own input state: each test frame sets the keys a
// user holds (io.KeysDown through the key map, as the GLFW backend does, and typed characters
// through the input queue), runs NewFrame / handle_stepper_keys / EndFrame, and checks the
// stepper against the button the key names. No window or GL is needed.
#include <gtest/gtest.h>
#include <imgui.h>

#include <functional>
#include <vector>

#include "logic/stepper_model.h"
#include "panels/stepper_panels.h"

namespace {

using convt::lab::StepperModel;
using convt::lab::StepperView;

class StepperKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);              // NewFrame needs a built font atlas
    for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;  // key index = ImGuiKey
    model_.load_preset(convt::lab::stepper_presets().front());
    frame({});  // a first frame with nothing held
  }
  void TearDown() override { ImGui::DestroyContext(); }

  // One frame with `keys` held (pressed this frame if they were not held the last), `shift`,
  // and `typed` characters in the input queue; `extra` draws widgets in the same frame.
  void frame(std::vector<int> keys, bool shift = false, const char* typed = "",
             const std::function<void()>& extra = {}) {
    ImGuiIO& io = ImGui::GetIO();
    for (bool& down : io.KeysDown) down = false;
    for (int k : keys) io.KeysDown[io.KeyMap[k]] = true;
    io.KeyShift = shift;
    io.AddInputCharactersUTF8(typed);
    ImGui::NewFrame();
    ImGui::Begin("test");
    if (extra) extra();
    ImGui::End();
    convt::panels::handle_stepper_keys(model_, view_);
    ImGui::EndFrame();
  }
  // Presses and releases a key (two frames), as a tap of the key.
  void tap(int key, bool shift = false) {
    frame({key}, shift);
    frame({}, shift);
  }

  StepperModel model_;
  StepperView view_;
};

TEST_F(StepperKeys, ArrowsHomeEndAndSpaceDoWhatTheirButtonsDo) {
  const int64_t n = model_.event_count();
  ASSERT_GT(n, 4);
  ASSERT_EQ(model_.position(), 0);
  tap(ImGuiKey_RightArrow);
  EXPECT_EQ(model_.position(), 1);
  tap(ImGuiKey_RightArrow);
  EXPECT_EQ(model_.position(), 2);
  tap(ImGuiKey_LeftArrow);
  EXPECT_EQ(model_.position(), 1);
  tap(ImGuiKey_RightArrow, /*shift=*/true);  // one input pixel: its whole block of events
  EXPECT_EQ(model_.position(), model_.next_block_position(1));
  tap(ImGuiKey_End);
  EXPECT_EQ(model_.position(), n);
  tap(ImGuiKey_Home);
  EXPECT_EQ(model_.position(), 0);
  EXPECT_FALSE(view_.playing);
  tap(ImGuiKey_Space);
  EXPECT_TRUE(view_.playing);
  tap(ImGuiKey_Space);
  EXPECT_FALSE(view_.playing);
}

TEST_F(StepperKeys, AHeldKeyStepsOnceThenRepeatsOnlyAfterTheDelay) {
  frame({ImGuiKey_RightArrow});
  frame({ImGuiKey_RightArrow});  // 1/60 s later: below ImGui's key-repeat delay
  EXPECT_EQ(model_.position(), 1);
}

TEST_F(StepperKeys, PlusAndMinusChangeTheSpeedWithinItsRange) {
  const float start = view_.events_per_second;
  frame({}, false, "+");
  EXPECT_FLOAT_EQ(view_.events_per_second, start * 1.5f);
  frame({}, false, "-");
  EXPECT_FLOAT_EQ(view_.events_per_second, start);
  for (int i = 0; i < 40; ++i) frame({}, false, "+");
  EXPECT_EQ(view_.events_per_second, StepperView::kMaxEventsPerSecond);
  for (int i = 0; i < 60; ++i) frame({}, false, "-");
  EXPECT_EQ(view_.events_per_second, StepperView::kMinEventsPerSecond);
}

// While a text field is being edited, the keys type into it and the stepper does not move.
TEST_F(StepperKeys, NoKeyStepsWhileATextFieldHasFocus) {
  char text[32] = "";
  auto field = [&] {
    ImGui::SetKeyboardFocusHere();
    ImGui::InputText("cell value", text, sizeof text);
  };
  for (int i = 0; i < 4; ++i) frame({}, false, "", field);  // focus lands a frame or two later
  ASSERT_TRUE(ImGui::GetIO().WantTextInput);
  frame({ImGuiKey_RightArrow}, false, "+", field);
  frame({}, false, "", field);
  frame({ImGuiKey_Space}, false, "", field);
  EXPECT_EQ(model_.position(), 0);
  EXPECT_FALSE(view_.playing);
  EXPECT_EQ(view_.events_per_second, StepperView().events_per_second);
}

}  // namespace
