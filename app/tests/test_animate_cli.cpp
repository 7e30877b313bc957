// `convt-lab animate`, run as a user would: a short stepper GIF decoded back with giflib, an MP4
// when the build has FFmpeg, a time-lapse of a run's grids, refusals of bad input (exit 2,
// nothing written), and Ctrl-C (no file, no temporary left). No display needed (EGL).
#include <gif_lib.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "convt/io/png.h"
#include "export/animation_writer.h"
#include "lab_process.h"

namespace {

namespace fs = std::filesystem;

// A decoded GIF: its size, and each frame's descriptor and the composed picture (RGB) after it.
struct DecodedGif {
  int width = 0, height = 0;
  std::vector<GifImageDesc> frames;
  std::vector<std::vector<uint8_t>> pictures;  // width * height * 3 each
  std::vector<int> delays;                     // 1/100 s
};

DecodedGif decode_gif(const fs::path& path) {
  DecodedGif d;
  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  if (gif == nullptr) return d;
  if (DGifSlurp(gif) != GIF_OK) {
    DGifCloseFile(gif, &error);
    return d;
  }
  d.width = gif->SWidth;
  d.height = gif->SHeight;
  std::vector<uint8_t> canvas(static_cast<size_t>(d.width) * d.height * 3, 0);
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& im = gif->SavedImages[i];
    GraphicsControlBlock gcb;
    DGifSavedExtensionToGCB(gif, i, &gcb);
    const ColorMapObject* map = im.ImageDesc.ColorMap ? im.ImageDesc.ColorMap : gif->SColorMap;
    for (int y = 0; y < im.ImageDesc.Height; ++y)
      for (int x = 0; x < im.ImageDesc.Width; ++x) {
        const int index = im.RasterBits[y * im.ImageDesc.Width + x];
        if (index == gcb.TransparentColor) continue;
        const size_t at =
            (static_cast<size_t>(im.ImageDesc.Top + y) * d.width + im.ImageDesc.Left + x) * 3;
        canvas[at] = map->Colors[index].Red;
        canvas[at + 1] = map->Colors[index].Green;
        canvas[at + 2] = map->Colors[index].Blue;
      }
    d.frames.push_back(im.ImageDesc);
    d.pictures.push_back(canvas);
    d.delays.push_back(gcb.DelayTime);
  }
  DGifCloseFile(gif, &error);
  return d;
}

size_t count_colour(const std::vector<uint8_t>& rgb, uint8_t r, uint8_t g, uint8_t b) {
  size_t n = 0;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3)
    n += rgb[i] == r && rgb[i + 1] == g && rgb[i + 2] == b;
  return n;
}

class AnimateCli : public convt::test::LabRunDir {
 protected:
  // Every file in the run directory but the command log.
  std::vector<std::string> written() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string n = e.path().filename().string();
      if (n != "cmd.log" && n != "run") names.push_back(n);
    }
    return names;
  }
  void expect_refused(const std::string& args, const std::vector<std::string>& needles) {
    const CmdResult r = run(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    for (const std::string& n : needles)
      EXPECT_NE(r.out.find(n), std::string::npos) << args << "\n" << r.out;
    EXPECT_EQ(written(), std::vector<std::string>{}) << args;
  }
};

TEST_F(AnimateCli, AShortStepperGifDecodesToItsFramesSizeAndWhiteCells) {
  // What an export killed by SIGKILL left (its process, pid above any pid_max, is gone).
  std::fclose(std::fopen((dir_ / "gan.gif.partial-99999999").c_str(), "w"));
  const CmdResult r =
      run("animate stepper --preset gan --from 0 --to 8 --size 320x240 --out gan.gif");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("wrote gan.gif: 9 frames, 320x240, 12 fps"), std::string::npos) << r.out;
  const DecodedGif gif = decode_gif(dir_ / "gan.gif");
  ASSERT_EQ(gif.frames.size(), 9u);  // events 0..8 done, both ends shown
  EXPECT_EQ(gif.width, 320);
  EXPECT_EQ(gif.height, 240);
  // Nothing scattered yet: the canvas and output cells hold 0, the colour map's white centre,
  // exact in the palette.
  EXPECT_GT(count_colour(gif.pictures[0], 247, 247, 247), 200u);
  // Each event moves the highlight and adds to a cell: every later frame changes something,
  // stored as a rectangle smaller than the frame.
  for (size_t i = 1; i < gif.frames.size(); ++i) {
    EXPECT_NE(gif.pictures[i], gif.pictures[i - 1]) << "frame " << i;
    EXPECT_LT(gif.frames[i].Width * gif.frames[i].Height, 320 * 240) << "frame " << i;
  }
  EXPECT_EQ(gif.delays.front(), 8);
  EXPECT_EQ(gif.delays.back(), 8 + 150);  // held before the loop restarts
  EXPECT_EQ(written(),
            std::vector<std::string>{"gan.gif"});  // no temporary left, nor the stale one
}

TEST_F(AnimateCli, AnMp4WhenTheBuildHasFfmpegElseAClearRefusal) {
  const CmdResult r =
      run("animate stepper --preset notes --to 4 --size 320x240 --fps 10 --out notes.mp4");
  if (!convt::exporting::mp4_supported()) {
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("cannot write MP4"), std::string::npos) << r.out;
    EXPECT_EQ(written(), std::vector<std::string>{});
    return;
  }
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string mp4 = convt::test::read_text(dir_ / "notes.mp4");
  ASSERT_GT(mp4.size(), 1000u);
  EXPECT_EQ(mp4.substr(4, 4), "ftyp");  // an ISO media file
  EXPECT_NE(mp4.find("moov"), std::string::npos);
}

TEST_F(AnimateCli, ATimelapseShowsEachGridOfARun) {
  fs::create_directories(dir_ / "run");
  for (int e = 1; e <= 3; ++e) {
    char name[64];
    std::snprintf(name, sizeof name, "samples_epoch_%03d.png", e);
    convt::write_png_grid((dir_ / "run" / name).string(),
                          convt::Tensor({4, 1, 8, 8}, -1.0f + 0.6f * static_cast<float>(e)), 2, 3);
  }
  const CmdResult r = run("animate timelapse run --out run.gif --size 320x240 --fps 2");
  ASSERT_EQ(r.status, 0) << r.out;
  const DecodedGif gif = decode_gif(dir_ / "run.gif");
  ASSERT_EQ(gif.frames.size(), 3u);
  EXPECT_EQ(gif.delays.front(), 50);
  EXPECT_NE(gif.pictures[1], gif.pictures[0]);
}

TEST_F(AnimateCli, AFormulaSweepShowsOneValueAFrame) {
  const CmdResult r =
      run("animate formula --param stride --from 1 --to 3 --size 640x400 --out stride.gif");
  ASSERT_EQ(r.status, 0) << r.out;
  const DecodedGif gif = decode_gif(dir_ / "stride.gif");
  ASSERT_EQ(gif.frames.size(), 3u);
  EXPECT_EQ(gif.width, 640);
  EXPECT_EQ(gif.delays.front(), 50);  // 2 values a second by default
  EXPECT_NE(gif.pictures[1], gif.pictures[0]);
  EXPECT_NE(gif.pictures[2], gif.pictures[1]);
  fs::remove(dir_ / "stride.gif");
  expect_refused("animate formula --param wiggle --out f.gif",
                 {"--param", "stride", "found 'wiggle'"});
  expect_refused("animate formula --param stride --to 9 --out f.gif",
                 {"--to", "from 1 to 6", "found '9'"});
}

TEST_F(AnimateCli, ALatentWalkGoesFromAToBAndBack) {
  const CmdResult r = run("animate latent --frames 4 --size 320x240 --fps 5 --out walk.gif");
  ASSERT_EQ(r.status, 0) << r.out;
  const DecodedGif gif = decode_gif(dir_ / "walk.gif");
  ASSERT_EQ(gif.frames.size(), 7u);  // t = 0, 1/3, 2/3, 1, 2/3, 1/3, 0
  EXPECT_EQ(gif.delays.front(), 20);
  EXPECT_NE(gif.pictures[1], gif.pictures[0]);  // G(z) moves
  EXPECT_NE(gif.pictures[3], gif.pictures[0]);
  // The way back passes the same z: the same picture but for the caption "(B -> A)".
  size_t differ = 0;
  for (size_t i = 0; i < gif.pictures[2].size(); ++i) differ += gif.pictures[2][i] != gif.pictures[4][i];
  EXPECT_GT(differ, 0u);
  EXPECT_LT(differ, gif.pictures[2].size() / 20) << "more than the caption changed";
  fs::remove(dir_ / "walk.gif");
  expect_refused("animate latent --frames 1 --out w.gif", {"--frames", "2 to 500", "found '1'"});
  expect_refused("animate latent --mode curvy --out w.gif", {"--mode", "slerp or lerp", "found 'curvy'"});
  expect_refused("animate latent --checkpoint nope.safetensors --out w.gif",
                 {"--checkpoint", "nope.safetensors"});
}

TEST_F(AnimateCli, BadInputIsRefusedWithExitTwoAndNothingWritten) {
  const std::string base = "animate stepper --preset gan ";
  expect_refused(base + "--out x.gif --fps 0", {"--fps", "1 to 50", "found '0'"});
  expect_refused(base + "--out x.gif --fps fast", {"--fps", "found 'fast'"});
  expect_refused(base + "--out x.gif --size 10x10", {"--size", "320x240", "found '10x10'"});
  expect_refused(base + "--out x.gif --size big", {"--size", "found 'big'"});
  expect_refused(base + "--out x.gif --view diagonal",
                 {"--view", "scatter, gather or overlap", "found 'diagonal'"});
  expect_refused(base + "--out x.gif --to 700", {"--to", "625", "found '700'"});
  expect_refused(base + "--out x.gif --from 9 --to 8", {"--to", "from 9 to 625", "found '8'"});
  expect_refused(base + "--out x.png", {"--out", ".gif or .mp4", "found 'x.png'"});
  expect_refused(base + "--out nowhere/x.gif", {"--out", "nowhere"});
  expect_refused(base + "--out x.gif --speed 3", {"unknown flag '--speed'"});
  expect_refused(base, {"missing --out"});
  expect_refused("animate stepper --preset nope --out x.gif", {"--preset", "gan", "found 'nope'"});
  expect_refused("animate wiggle", {"expected stepper, timelapse, formula or latent", "found 'wiggle'"});
  expect_refused("animate timelapse missing_run --out x.gif", {"missing_run", "found nothing"});
  expect_refused("animate timelapse --out x.gif", {"expected RUN_DIR"});
}

TEST_F(AnimateCli, HelpListsTheFlags) {
  const CmdResult r = run("animate stepper --help");
  EXPECT_EQ(r.status, 0);
  for (const char* flag : {"--from", "--to", "--fps", "--view", "--size", "--out"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  EXPECT_EQ(run("animate timelapse --help").status, 0);
}

TEST_F(AnimateCli, CtrlCStopsTheExportAndLeavesNoFile) {
  // The whole GAN run (626 frames): stopped as soon as its temporary file exists, long before
  // the end.
  const fs::path log = dir_ / "cmd.log", rc = dir_ / "rc";
  const std::string script =
      "cd '" + dir_.string() + "' && ('" + CONVT_LAB_EXE +
      "' animate stepper --preset gan --size 320x240 --out gan.gif > '" + log.string() +
      "' 2>&1 & pid=$!; i=0; while [ $i -lt 3000 ] && ! ls gan.gif.partial-* >/dev/null 2>&1; "
      "do sleep 0.01; i=$((i+1)); done; kill -INT $pid; wait $pid; echo $? > '" +
      rc.string() + "')";
  std::system(script.c_str());
  const std::string out = convt::test::read_text(log);
  EXPECT_EQ(convt::test::read_text(rc), "1\n") << out;
  EXPECT_NE(out.find("interrupted (Ctrl-C)"), std::string::npos) << out;
  fs::remove(rc);
  EXPECT_EQ(written(), std::vector<std::string>{}) << out;
}

}  // namespace
