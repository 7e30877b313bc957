// Whether the fast backend (convt::fast, im2col + GEMM) is linked in. Internal to src/nn.
#pragma once

#include "convt/fast/fast_ops.h"

#ifndef CONVT_NN_HAVE_FAST
#define CONVT_NN_HAVE_FAST 1
#endif
