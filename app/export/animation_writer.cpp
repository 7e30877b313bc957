#include "export/animation_writer.h"

#include <fcntl.h>
#include <gif_lib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "convt/io/atomic_file.h"
#include "export/gif_palette.h"

namespace convt::exporting {

namespace fs = std::filesystem;
using lab::AnimationError;

std::unique_ptr<AnimationWriter> open_mp4_writer(const std::string& path, int width, int height,
                                                 int fps);  // mp4_writer.cpp

AnimationWriter::AnimationWriter(std::string path, int width, int height)
    : path_(std::move(path)), width_(width), height_(height) {
  temp_ = path_ + ".partial-" + std::to_string(::getpid());
}

AnimationWriter::~AnimationWriter() {
  if (!finished_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AnimationWriter::finish() {
  try {
    close();
  } catch (...) {
    std::error_code ec;
    fs::remove(temp_, ec);
    finished_ = true;
    throw;
  }
  std::error_code ec;
  fs::rename(temp_, path_, ec);
  finished_ = true;
  if (ec) {
    fs::remove(temp_, ec);
    throw AnimationError("cannot rename " + temp_ + " to " + path_ + ": " + ec.message());
  }
}

namespace {

std::string gif_error(int code) {
  const char* text = GifErrorString(code);
  return text ? text : "giflib error " + std::to_string(code);
}

class GifWriter final : public AnimationWriter {
 public:
  GifWriter(const std::string& path, int width, int height);
  ~GifWriter() override;
  void add_frame(const uint8_t* rgb, int delay_cs) override;

 private:
  void close() override;
  void write_header();  // screen, palette, loop
  void check(int result, const char* what) const;
  void put_frame(int left, int top, int w, int h, const std::vector<uint8_t>& indices,
                 int delay_cs);

  GifFileType* gif_ = nullptr;
  GifPalette palette_;
  std::vector<uint8_t> previous_, current_, rect_;
  bool first_ = true;
};

GifWriter::GifWriter(const std::string& path, int width, int height)
    : AnimationWriter(path, width, height) {
  // Created here, not by EGifOpenFileName, which makes files only its owner can read (0600):
  // an animation is for showing, so the usual 0666 less the umask, as every other output.
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    throw AnimationError("cannot create " + temp_ + " (for " + path_ +
                         "): " + std::strerror(errno));
  }
  int error = 0;
  gif_ = EGifOpenFileHandle(fd, &error);  // closes fd when the file is closed
  if (gif_ == nullptr) {
    ::close(fd);
    throw AnimationError("cannot create " + temp_ + " (for " + path_ + "): " + gif_error(error));
  }
  try {
    write_header();
  } catch (...) {
    EGifCloseFile(gif_, &error);
    gif_ = nullptr;
    throw;
  }
}

void GifWriter::write_header() {
  EGifSetGifVersion(gif_, true);
  GifColorType colours[GifPalette::kSize];
  for (int i = 0; i < GifPalette::kSize; ++i) {
    const Rgb8 c = palette_.colours()[static_cast<size_t>(i)];
    colours[i] = {c.r, c.g, c.b};
  }
  ColorMapObject* map = GifMakeMapObject(GifPalette::kSize, colours);
  const int result = EGifPutScreenDesc(gif_, width_, height_, 8, 0, map);
  GifFreeMapObject(map);
  check(result, "screen descriptor");
  // NETSCAPE2.0: loop forever.
  unsigned char loop[3] = {1, 0, 0};
  check(EGifPutExtensionLeader(gif_, APPLICATION_EXT_FUNC_CODE), "loop extension");
  check(EGifPutExtensionBlock(gif_, 11, "NETSCAPE2.0"), "loop extension");
  check(EGifPutExtensionBlock(gif_, 3, loop), "loop extension");
  check(EGifPutExtensionTrailer(gif_), "loop extension");
  previous_.resize(static_cast<size_t>(width_) * height_);
  current_.resize(previous_.size());
}

GifWriter::~GifWriter() {
  if (gif_ != nullptr) {
    int error = 0;
    EGifCloseFile(gif_, &error);
  }
}

void GifWriter::check(int result, const char* what) const {
  if (result != GIF_OK) {
    throw AnimationError("writing " + temp_ + " (for " + path_ + "): " + what + ": " +
                         gif_error(gif_ ? gif_->Error : 0));
  }
}

void GifWriter::put_frame(int left, int top, int w, int h, const std::vector<uint8_t>& indices,
                          int delay_cs) {
  GraphicsControlBlock gcb;
  gcb.DisposalMode = DISPOSE_DO_NOT;
  gcb.UserInputFlag = false;
  gcb.DelayTime = delay_cs;
  gcb.TransparentColor = GifPalette::kTransparent;
  GifByteType extension[4];
  const size_t length = EGifGCBToExtension(&gcb, extension);
  check(EGifPutExtension(gif_, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension),
        "frame delay");
  check(EGifPutImageDesc(gif_, left, top, w, h, false, nullptr), "frame descriptor");
  for (int y = 0; y < h; ++y) {
    check(EGifPutLine(gif_, const_cast<GifPixelType*>(indices.data()) + static_cast<size_t>(y) * w,
                      w),
          "frame pixels");
  }
}

void GifWriter::add_frame(const uint8_t* rgb, int delay_cs) {
  const int w = width_, h = height_;
  palette_.map(rgb, current_.size(), current_.data());
  if (first_) {
    first_ = false;
    put_frame(0, 0, w, h, current_, delay_cs);
    previous_.swap(current_);
    return;
  }
  // The rectangle that changed; its unchanged pixels transparent.
  int x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (int y = 0; y < h; ++y) {
    const uint8_t* a = previous_.data() + static_cast<size_t>(y) * w;
    const uint8_t* b = current_.data() + static_cast<size_t>(y) * w;
    for (int x = 0; x < w; ++x) {
      if (a[x] == b[x]) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = y;
    }
  }
  if (x1 < 0) {  // the same picture: one transparent pixel keeps the frame (and its delay)
    put_frame(0, 0, 1, 1, std::vector<uint8_t>{GifPalette::kTransparent}, delay_cs);
    return;
  }
  const int rw = x1 - x0 + 1, rh = y1 - y0 + 1;
  rect_.resize(static_cast<size_t>(rw) * rh);
  for (int y = 0; y < rh; ++y) {
    const size_t row = static_cast<size_t>(y0 + y) * w + x0;
    for (int x = 0; x < rw; ++x) {
      const uint8_t v = current_[row + x];
      rect_[static_cast<size_t>(y) * rw + x] =
          v == previous_[row + x] ? GifPalette::kTransparent : v;
    }
  }
  put_frame(x0, y0, rw, rh, rect_, delay_cs);
  previous_.swap(current_);
}

void GifWriter::close() {
  int error = 0;
  GifFileType* gif = gif_;
  gif_ = nullptr;
  if (EGifCloseFile(gif, &error) != GIF_OK) {
    throw AnimationError("writing " + temp_ + " (for " + path_ + "): " + gif_error(error));
  }
}

}  // namespace

void check_animation_path(const std::string& path) {
  const auto format = lab::animation_format_for(path);
  if (!format) {
    throw AnimationError("--out: expected a file name ending in .gif or .mp4, found '" + path +
                         "'");
  }
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    throw AnimationError("--out: expected an existing folder for '" + path +
                         "', found no folder '" + parent.string() + "'");
  }
  const fs::file_status status = fs::status(path, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    throw AnimationError("--out: expected a file name, found " + file_kind(status) + ": '" + path +
                         "'");
  }
  if (*format == lab::AnimationFormat::kMp4 && !mp4_supported()) {
    throw AnimationError("--out " + path +
                         ": this build cannot write MP4 (FFmpeg's libavcodec, libavformat and "
                         "libswscale were not found when it was configured; install "
                         "libavcodec-dev libavformat-dev libswscale-dev and rebuild), write a "
                         ".gif instead");
  }
}

std::unique_ptr<AnimationWriter> AnimationWriter::open(const std::string& path, int width,
                                                       int height, int fps) {
  check_animation_path(path);
  if (width < 2 || height < 2) {
    throw AnimationError("expected an animation of at least 2 x 2 pixels, found " +
                         std::to_string(width) + " x " + std::to_string(height));
  }
  if (lab::animation_format_for(path) == lab::AnimationFormat::kMp4) {
    return open_mp4_writer(path, width, height, fps);
  }
  return std::make_unique<GifWriter>(path, width, height);
}

}  // namespace convt::exporting
