// MP4 through FFmpeg's libraries (built only with CONVT_HAVE_FFMPEG): RGB frames converted to
// YUV 4:2:0 by libswscale, encoded by libavcodec (H.264 if it has an encoder, else MPEG-4 part
// 2), muxed by libavformat. The API sequence is FFmpeg's doc/examples/mux.c.
#include "export/animation_writer.h"

#if CONVT_HAVE_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}
#endif

#include <algorithm>
#include <cmath>

namespace convt::exporting {

using lab::AnimationError;

#if CONVT_HAVE_FFMPEG

namespace {

const AVCodec* find_video_encoder() {
  if (const AVCodec* h264 = avcodec_find_encoder(AV_CODEC_ID_H264)) return h264;
  return avcodec_find_encoder(AV_CODEC_ID_MPEG4);
}

std::string av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

class Mp4Writer final : public AnimationWriter {
 public:
  Mp4Writer(const std::string& path, int width, int height, int fps);
  ~Mp4Writer() override;
  void add_frame(const uint8_t* rgb, int delay_cs) override;

 private:
  void close() override;
  void check(int result, const char* what) const {
    if (result < 0) {
      throw AnimationError("writing " + temp_ + " (for " + path_ + "): " + what + ": " +
                           av_error(result));
    }
  }
  void encode(AVFrame* frame);  // nullptr: drain
  void release();

  int fps_ = 12;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* codec_ = nullptr;
  AVStream* stream_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  SwsContext* sws_ = nullptr;
  int64_t next_pts_ = 0;
};

Mp4Writer::Mp4Writer(const std::string& path, int width, int height, int fps)
    : AnimationWriter(path, width, height), fps_(fps) {
  try {
    const AVCodec* codec = find_video_encoder();
    if (codec == nullptr)
      throw AnimationError("--out " + path + ": libavcodec has no H.264 or MPEG-4 encoder");
    check(avformat_alloc_output_context2(&format_, nullptr, "mp4", temp_.c_str()), "mp4 muxer");
    stream_ = avformat_new_stream(format_, nullptr);
    codec_ = avcodec_alloc_context3(codec);
    if (stream_ == nullptr || codec_ == nullptr) throw AnimationError("out of memory (FFmpeg)");
    // 4:2:0 needs even sizes: an odd last column / row is left out.
    codec_->width = width & ~1;
    codec_->height = height & ~1;
    codec_->time_base = AVRational{1, fps};
    codec_->framerate = AVRational{fps, 1};
    codec_->pix_fmt = AV_PIX_FMT_YUV420P;
    codec_->gop_size = 2 * fps;
    codec_->color_range = AVCOL_RANGE_MPEG;
    codec_->colorspace = AVCOL_SPC_BT709;
    codec_->color_primaries = AVCOL_PRI_BT709;
    codec_->color_trc = AVCOL_TRC_BT709;
    if (codec->id == AV_CODEC_ID_H264) {
      av_opt_set(codec_->priv_data, "preset", "medium", 0);
      av_opt_set(codec_->priv_data, "tune", "animation", 0);  // flat areas, sharp edges
      av_opt_set(codec_->priv_data, "crf", "20", 0);
    } else {
      codec_->flags |= AV_CODEC_FLAG_QSCALE;
      codec_->global_quality = FF_QP2LAMBDA * 3;
    }
    if (format_->oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    check(avcodec_open2(codec_, codec, nullptr), "opening the encoder");
    check(avcodec_parameters_from_context(stream_->codecpar, codec_), "stream parameters");
    stream_->time_base = codec_->time_base;
    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
    if (frame_ == nullptr || packet_ == nullptr) throw AnimationError("out of memory (FFmpeg)");
    frame_->format = codec_->pix_fmt;
    frame_->width = codec_->width;
    frame_->height = codec_->height;
    check(av_frame_get_buffer(frame_, 0), "frame buffer");
    sws_ =
        sws_getContext(codec_->width, codec_->height, AV_PIX_FMT_RGB24, codec_->width,
                       codec_->height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr);
    if (sws_ == nullptr) throw AnimationError("libswscale: no RGB -> YUV 4:2:0 conversion");
    const int* coefficients = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(sws_, coefficients, 1, coefficients, 0, 0, 1 << 16, 1 << 16);
    check(avio_open(&format_->pb, temp_.c_str(), AVIO_FLAG_WRITE), "creating the file");
    check(avformat_write_header(format_, nullptr), "mp4 header");
  } catch (...) {
    release();
    throw;
  }
}

Mp4Writer::~Mp4Writer() { release(); }

void Mp4Writer::release() {
  if (format_ != nullptr && format_->pb != nullptr) avio_closep(&format_->pb);
  sws_freeContext(sws_);
  sws_ = nullptr;
  av_packet_free(&packet_);
  av_frame_free(&frame_);
  avcodec_free_context(&codec_);
  avformat_free_context(format_);
  format_ = nullptr;
}

void Mp4Writer::encode(AVFrame* frame) {
  check(avcodec_send_frame(codec_, frame), "encoding a frame");
  while (true) {
    const int r = avcodec_receive_packet(codec_, packet_);
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
    check(r, "encoding a frame");
    av_packet_rescale_ts(packet_, codec_->time_base, stream_->time_base);
    packet_->stream_index = stream_->index;
    check(av_interleaved_write_frame(format_, packet_), "writing a frame");
  }
}

void Mp4Writer::add_frame(const uint8_t* rgb, int delay_cs) {
  check(av_frame_make_writable(frame_), "frame buffer");
  const uint8_t* source[1] = {rgb};
  const int stride[1] = {3 * width_};
  sws_scale(sws_, source, stride, 0, codec_->height, frame_->data, frame_->linesize);
  const long repeats = std::max(1L, std::lround(delay_cs * fps_ / 100.0));
  for (long i = 0; i < repeats; ++i) {
    frame_->pts = next_pts_++;
    encode(frame_);
  }
}

void Mp4Writer::close() {
  encode(nullptr);
  check(av_write_trailer(format_), "mp4 trailer");
  check(avio_closep(&format_->pb), "closing the file");
}

}  // namespace

bool mp4_supported() { return find_video_encoder() != nullptr; }

std::string mp4_codec_name() {
  const AVCodec* codec = find_video_encoder();
  if (codec == nullptr) return "";
  return codec->id == AV_CODEC_ID_H264 ? std::string("h264 (") + codec->name + ")"
                                       : std::string(codec->name);
}

std::unique_ptr<AnimationWriter> open_mp4_writer(const std::string& path, int width, int height,
                                                 int fps) {
  return std::make_unique<Mp4Writer>(path, width, height, fps);
}

#else  // no FFmpeg in this build

bool mp4_supported() { return false; }
std::string mp4_codec_name() { return ""; }
std::unique_ptr<AnimationWriter> open_mp4_writer(const std::string& path, int, int, int) {
  throw AnimationError("--out " + path + ": this build cannot write MP4");
}

#endif

}  // namespace convt::exporting
