#!/usr/bin/env bash
# The training dashboard's throughput against the engine's, side by side in one run:
#   bench train (the engine alone) / the dashboard window training T s / bench train again /
#   the command line's train for T s on the same preset,
# each at batch 64 (the dashboard's default preset) on N threads, then the ratio of the
# dashboard's samples/s (steps x 64 / its training seconds) to the mean of the two benches.
# The window runs under Xvfb on its interactive schedule (logic/frame_scheduler.h) and reports
# its frame rate and its UI thread's share of a core.
#   usage: scripts/bench_dashboard.sh [SECONDS (60)] [THREADS (2)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
threads=${2:-2}
exe=$PWD/build/app/convt-lab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
bench() { "$exe" bench train --model dcgan20 --batch 64 --steps 60 --threads "$threads" | tail -1 |
          awk '{print $2}'; }
b1=$(bench)
line=$(xvfb-run -a -s '-screen 0 1280x800x24' "$exe" --screenshot shot.png --panel training \
         --train-seconds "$seconds" --train-threads "$threads" | grep 'trained')
b2=$(bench)
# The command line's `train` on the same data and preset (EMA of G included, which bench train
# leaves out): samples/s over the steps' own time, from its log.csv (step, ..., seconds).
"$exe" train --model dcgan20 --data digits --out cli --batch 64 --seconds "$seconds" \
  --threads "$threads" >/dev/null 2>&1
cli=$(awk -F, 'NR > 1 { t += $10; n = $1 } END { printf "%.1f", n * 64 / t }' cli/log.csv)
echo "bench train before: $b1 samples/s"
echo "dashboard: $line"
echo "bench train after:  $b2 samples/s"
echo "train (command line, same preset): $cli samples/s"
steps=$(sed -E 's/.*trained ([0-9]+) steps in ([0-9.]+) s.*/\1/' <<<"$line")
secs=$(sed -E 's/.*trained ([0-9]+) steps in ([0-9.]+) s.*/\2/' <<<"$line")
awk -v s="$steps" -v t="$secs" -v b1="$b1" -v b2="$b2" -v c="$cli" 'BEGIN {
  d = s * 64 / t; printf "dashboard %.1f samples/s over its run = %.2f of the engine (%.1f)\n",
  d, d / ((b1 + b2) / 2), (b1 + b2) / 2
  printf "dashboard / command-line train = %.2f\n", d / c }'
