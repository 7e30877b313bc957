#!/bin/sh
# The README's "after 1, 3 and 10 minutes" grids: dcgan20 on the built-in digits with the
# default preset and with the notes' preset, each trained in stages on 2 threads
# (`train --seconds 60`, then `--resume --seconds 120`, then `--resume --seconds 420`: wall time
# of each invocation, so 1, 3 and 10 minutes in all), and after each stage 64 samples of z seed
# 1 as a PNG grid and the quality score of 1,000 samples of z seed 7 (`sample --score`; G_ema for
# the default preset, which keeps one, G for the notes'). Run it on a quiet machine: the figures
# are the machine's speed as much as the recipe's.
#
#   scripts/make_training_grids.sh [SEED (1)] [THREADS (2)]
#
# Writes docs/dcgan20_train_{1,3,10}min_{default,notes}.png and prints one line per stage:
#   preset minutes steps score confident smallest-class-share
# The runs themselves go to $WORK_DIR (default /tmp/convt_training_grids).
# LAB=path/to/convt-lab overrides build/app/convt-lab; PRESETS="default" runs one preset only.
set -eu
LAB=${LAB:-build/app/convt-lab}
seed=${1:-1}
threads=${2:-2}
work=${WORK_DIR:-/tmp/convt_training_grids}
rm -rf "$work"
mkdir -p "$work" docs
for preset in ${PRESETS:-default notes}; do
  run=$work/$preset
  minutes=0
  for stage in 1 3 10; do
    seconds=$(( (stage - minutes) * 60 ))
    # A resumed run keeps the checkpoint's preset and seed (train refuses them on --resume).
    first="--preset $preset --seed $seed"
    [ $minutes -gt 0 ] && first="--resume"
    "$LAB" train --model dcgan20 --data digits $first --threads "$threads" --seconds $seconds \
      --out "$run" >> "$run.log" 2>&1
    minutes=$stage
    "$LAB" sample --checkpoint "$run/checkpoint.safetensors" --n 64 --seed 1 \
      --out "docs/dcgan20_train_${stage}min_${preset}.png" > /dev/null 2>&1
    score=$("$LAB" sample --checkpoint "$run/checkpoint.safetensors" --n 1000 --seed 7 --score \
      --out "$work/score.npy" 2>&1 | grep 'quality score')
    steps=$(tail -n 1 "$run/log.csv" | cut -d, -f1)
    # "quality score 6.62 (1..10), confident (p >= 0.9) 60.4%, histogram 0:43 1:59 ..."
    echo "$score" | awk -v p=$preset -v m=$stage -v s="$steps" '{
      smallest = 1e9
      for (i = 1; i <= NF; ++i) if ($i ~ /^[0-9]:[0-9]+$/) {
        split($i, kv, ":"); if (kv[2] + 0 < smallest) smallest = kv[2] + 0
      }
      conf = $9; sub(/,$/, "", conf)
      printf "%s %2d min: %5d steps, score %s, confident %s, smallest class %.1f%%\n",
             p, m, s, $3, conf, smallest / 10 }'
  done
done
