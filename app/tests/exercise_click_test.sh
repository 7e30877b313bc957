#!/usr/bin/env bash
# Answers an exercise in a real window as a student would, with the mouse (xdotool):
# lesson 2's "Where does this pixel land?" (exercise seed 1: conv_transpose2d k3 s1 p0, 2x2 ->
# 4x4, pixel (0, 1)), clicks output cell (0, 1), presses Check, then Esc to quit. The kept progress
# ($XDG_CONFIG_HOME/convt-lab/exercises.json) must then hold one try of that kind, not right
# (pixel (0, 1) writes 9 cells). Coordinates: the 1280x800 window with the lesson scrolled to its
# exercise (docs/screenshot-exercise.png shows the same layout).
# Usage: exercise_click_test.sh CONVT_LAB_EXE   (needs DISPLAY, e.g. xvfb-run)
set -euo pipefail
exe=$1
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/app.log" ] && cat "$tmp/app.log" >&2; exit 1; }
command -v xdotool >/dev/null || fail "xdotool is not installed (scripts/setup.sh installs it)"

XDG_CONFIG_HOME="$tmp/config" "$exe" --size 1280x800 --lesson 2 --exercise 1 --exercise-seed 1 \
  >"$tmp/app.log" 2>&1 &
pid=$!
wid=$(timeout 30 xdotool search --sync --onlyvisible --pid "$pid" | head -1) || fail "no window"
sleep 2  # the first frames: fonts, layout, the scroll down to the exercise
click() {
  xdotool mousemove --window "$wid" "$1" "$2"
  sleep 0.3
  xdotool click --window "$wid" 1
  sleep 0.5
}
click 477 603  # output cell (0, 1)
click 357 717  # Check
xdotool key --window "$wid" Escape
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$pid" 2>/dev/null && fail "Esc did not quit"
wait "$pid" || fail "exit status $?"
pid=
progress="$tmp/config/convt-lab/exercises.json"
[ -f "$progress" ] || fail "no $progress: the Check click did not count"
cat "$progress"
grep -q '"landing_cells"' "$progress" || fail "no landing_cells entry"
tr -d ' \n' <"$progress" | grep -q '"landing_cells":{"right":0,"tried":1}' ||
  fail "expected one wrong try of landing_cells"
echo "PASS"
