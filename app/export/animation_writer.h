// Writing an animation file, frame by frame, with well-kept libraries: GIF with giflib, MP4 with
// FFmpeg's libavcodec / libavformat / libswscale (H.264 when the build of libavcodec has an
// encoder for it, else MPEG-4 part 2), the latter only when CMake found them
// (CONVT_WITH_FFMPEG; mp4_supported()).
//
// All or nothing: frames go to "<path>.partial-<pid>" in the same folder, and finish() renames
// it to `path`; a writer destroyed before finish() (an error, a Cancel, Ctrl-C) removes it.
//
// GIF: the fixed palette of export/gif_palette.h; each frame after the first holds only the
// rectangle that changed, its unchanged pixels transparent (disposal "do not dispose"), so a
// stepper run of 626 frames stays a few MB. It loops forever.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "logic/animation_schedule.h"

namespace convt::exporting {

// Whether this build can write MP4 (FFmpeg's libraries were found at configure time).
bool mp4_supported();
// The MP4 video codec this build would use: "h264 (libx264)", "mpeg4", or "" when none.
std::string mp4_codec_name();

// Checks, before any work, that an animation can be written to `path`: a .gif or .mp4 name
// (.mp4 only when mp4_supported()), in a folder that exists, not itself a folder or another
// special file. Throws lab::AnimationError naming --out, what was expected and what was found.
void check_animation_path(const std::string& path);

class AnimationWriter {
 public:
  // Opens an animation of width x height pixels at `fps` (1..50) for `path`, its format from
  // the extension (.gif, .mp4). Throws lab::AnimationError naming the path: another extension,
  // .mp4 in a build without FFmpeg, a folder that does not exist, a file that cannot be created.
  static std::unique_ptr<AnimationWriter> open(const std::string& path, int width, int height,
                                               int fps);
  virtual ~AnimationWriter();
  AnimationWriter(const AnimationWriter&) = delete;
  AnimationWriter& operator=(const AnimationWriter&) = delete;

  // Appends a frame: width * height * 3 bytes of RGB8, row 0 at the top, shown `delay_cs`
  // hundredths of a second (MP4: repeated round(delay_cs * fps / 100) times, at least once).
  // Throws lab::AnimationError on a write error.
  virtual void add_frame(const uint8_t* rgb, int delay_cs) = 0;
  // Completes the file and renames it to path(). Throws lab::AnimationError; the temporary
  // is then removed.
  void finish();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }
  int width() const { return width_; }
  int height() const { return height_; }

 protected:
  AnimationWriter(std::string path, int width, int height);
  virtual void close() = 0;  // flushes and closes the temporary file; throws on failure

  std::string path_, temp_;
  int width_ = 0, height_ = 0;
  bool finished_ = false;
};

}  // namespace convt::exporting
