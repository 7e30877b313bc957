// Diagnoses of a GAN run from its metric streams, in plain words, each with the evidence that
// triggered it (the notes' "expected training behaviour"): healthy training has loss_D near
// 2 ln 2 ~ 1.39 and loss_G near ln 2 ~ 0.69 at equilibrium, D(x) and D(G(z)) near 0.5.
//
//   D too strong      loss_D heading to 0, D(x) -> 1, D(G(z)) -> 0: G gets no useful gradient
//   G loss exploding  loss_G large and rising: within the window, or over the whole run while
//                     still rising
//   mode collapse     the fixed-z samples all look alike (their diversity far below the real
//                     images'), or the class histogram piles into one class; partial: the
//                     diversity well below the real images', or classes never drawn
//   oscillating       loss_G swinging up and down by a lot with no net progress
//   NaN               a non-finite loss stopped training
//
// Plain functions of the stored curve points (app/logic/metric_series.h); no GL.
#pragma once

#include <string>
#include <vector>

#include "logic/metric_series.h"

namespace convt::lab {

struct Diagnosis {
  enum class Kind { kDTooStrong, kGLossExploding, kModeCollapse, kOscillating, kNaN };
  Kind kind;
  std::string title;       // "D is too strong"
  std::string evidence;    // the numbers that triggered it
  std::string suggestion;  // what to try
};

struct DiagnosisInput {
  const std::vector<CurvePoint>* points = nullptr;  // oldest first (MetricSeries::points())
  float sample_diversity = -1.0f;    // mean per-pixel std of the fixed-z samples; < 0: unknown
  float real_diversity = -1.0f;      // the same on real images; < 0: unknown
  std::vector<int> class_histogram;  // classifier's classes of the samples; empty: unknown
  std::string error;                 // the run's error message (TrainingError), if any
};

// The window the trend diagnoses look at: the last `n` points (at least 20 are needed).
constexpr size_t kDiagnosisWindow = 50;
// Mode collapse is only diagnosed after this many steps: an untrained G's samples look alike too.
constexpr int64_t kModeCollapseMinSteps = 1000;
// Samples whose diversity is under this fraction of the real images' are a partial collapse
// (under 0.3: a full one). Measured: real digits 0.34 per pixel, the shipped dcgan20 G 0.35 (64
// fixed-z samples); runs that drew a handful of near-copies 0.11-0.20.
constexpr float kPartialCollapseDiversity = 0.6f;

std::vector<Diagnosis> diagnose(const DiagnosisInput& in);

// Each test alone (diagnose() runs them all, mode collapse only after kModeCollapseMinSteps).
// Each returns whether it fires.
bool diagnose_d_too_strong(const std::vector<CurvePoint>& points, Diagnosis& out);
bool diagnose_g_exploding(const std::vector<CurvePoint>& points, Diagnosis& out);
bool diagnose_oscillating(const std::vector<CurvePoint>& points, Diagnosis& out);
bool diagnose_mode_collapse(float sample_diversity, float real_diversity,
                            const std::vector<int>& class_histogram, Diagnosis& out);
bool diagnose_nan(const std::vector<CurvePoint>& points, const std::string& error, Diagnosis& out);

}  // namespace convt::lab
