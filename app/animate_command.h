// `convt-lab animate`: exported animations from the command line, without a display.
//   convt-lab animate stepper [--preset NAME] --out FILE.gif|.mp4 [--from K] [--to K] [--fps N]
//                     [--view scatter|gather|overlap] [--size WxH] [--scale PCT] [--theme NAME]
//   convt-lab animate timelapse RUN_DIR --out FILE.gif|.mp4 [--fps N] [--size WxH]
// Frames are drawn by the panels' code in a headless EGL context (gfx/offscreen.h) and written
// by export/animation_writer.h; progress on stderr; Ctrl-C stops and leaves no file.
#pragma once

#include <string>

namespace convt {

// Runs `convt-lab animate ...` (argv[1] == "animate"). Returns the exit status: 0 written,
// 1 interrupted (Ctrl-C, SIGTERM) or no headless OpenGL, 2 bad input; in every case but 0 no
// output file is left. Prints usage for --help (status 0).
int run_animate(int argc, char** argv);

// The usage texts: of `animate` (`what` empty), of `animate stepper`, of `animate timelapse`.
std::string animate_usage(const std::string& what);

}  // namespace convt
