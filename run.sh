#!/usr/bin/env bash
# Installs what is missing, builds (Release) and opens ConvT Lab on the built-in digits.
# Extra arguments go to convt-lab, e.g. ./run.sh --screenshot shot.png --panel playground
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
# New build directories use Ninja (setup.sh installs it); an existing one keeps its generator.
export CMAKE_GENERATOR="${CMAKE_GENERATOR:-Ninja}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target convt-lab
exec ./build/app/convt-lab "$@"
