#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. Release build (warnings as errors), all tests (core + CLI + headless app under Xvfb);
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build of the core, core tests;
#   3. ThreadSanitizer build of the training worker's snapshot exchange and of the CNN panel's
#      live classifier training (the core and the app's GL-free logic only), their tests.
set -euo pipefail
cd "$(dirname "$0")"
# --with-reference: PyTorch (Debian's python3-torch), which runs the "As PyTorch" scripts' tests.
scripts/setup.sh --with-reference
jobs=$(nproc)
# New build directories use Ninja (setup.sh installs it): it schedules the compile and link
# steps better than make (a clean build here: about a minute less). An existing directory
# keeps its generator (CMake reads this variable only when it creates one).
export CMAKE_GENERATOR="${CMAKE_GENERATOR:-Ninja}"

echo "== Release build"
# No benchmarks (never run by ctest; about 20 s of compiling): configure with
# -DCONVT_BUILD_BENCH=ON to build them.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCONVT_WERROR=ON -DCONVT_BUILD_BENCH=OFF >/dev/null
cmake --build build -j"$jobs"
echo "== Tests (app tests in a virtual X server)"
# -noreset: by default Xvfb resets itself whenever its last client disconnects, and a test that
# connects during that reset fails with "X11: Failed to open display" (about 1 connection in 150
# with two tests at a time here; it failed CI once). With it, the server stays up throughout.
xvfb-run -a -s '-screen 0 1280x800x24 -noreset' \
  ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

# The sanitizer builds keep line tables only (-g1: the stacks keep their file:line) and build no
# benchmarks (they never run here). AddressSanitizer compiles at -O1, its documented setting:
# about half the compile time of -O2, for a few seconds more of tests. ThreadSanitizer stays at
# -O2: its tests train, and at -O1 they took 30% longer than the compile time saved.
sanitizer_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVT_BUILD_BENCH=OFF -DCONVT_WERROR=ON)

echo "== Sanitizer build (address, undefined) of the core"
cmake -S . -B build-asan "${sanitizer_flags[@]}" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DCONVT_SANITIZE=ON -DCONVT_BUILD_APP=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -L core --timeout 900

echo "== ThreadSanitizer build of the training workers and their snapshot exchanges"
# Only the two test executables and what they link (core + app/logic, no GUI). halt_on_error:
# the first data race fails the test that raced, with both stacks in the output.
cmake -S . -B build-tsan "${sanitizer_flags[@]}" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
  -DCONVT_TSAN=ON -DCONVT_BUILD_GUI=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target app_test_training_session app_test_classifier_live
# Leaves out app.SessionFiles.* (which file a run is saved to: checked in the Release phase, no
# exchange of their own, and half of this phase's time) and the live classifier's learning test
# (a whole training run, 40 s here; its start, stop and weight exchange have tests of their own).
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R '^app\.' \
  -E '^app\.(SessionFiles\.|ClassifierLiveTest\.AShortRunLearns)' \
  --timeout 900
