#!/bin/sh
# Makes the "You against D" exercise's assets (assets/exercises/you_vs_d/, read by
# app/logic/exercises.h): one dcgan20 run on the built-in digits (default preset without the
# averaged G, seed 5, one thread: deterministic), stopped at each of the steps below; at each
# stop, D's tensors (scripts/export_discriminator.py) and 64 samples of G (`convt-lab sample`, z
# seed 7, the 8-column grid of 2x2 pixels with 1 pixel between tiles that saved runs use).
#
#   scripts/make_you_vs_d.sh            (about 30 minutes on one core)
#
# The steps must match kYouVsDSteps in app/logic/exercises.h. Work files in $WORK_DIR (default
# /tmp/convt_you_vs_d). LAB=path/to/convt-lab overrides build/app/convt-lab.
set -eu
LAB=${LAB:-build/app/convt-lab}
work=${WORK_DIR:-/tmp/convt_you_vs_d}
out=assets/exercises/you_vs_d
rm -rf "$work"
mkdir -p "$work" "$out"
first=1
for step in 100 500 3000; do
  if [ $first = 1 ]; then
    # The default preset of then, spelt out: batch 64, Adam lr 2e-4, betas 0.5 / 0.999.
    nice "$LAB" train --model dcgan20 --data digits --seed 5 --threads 1 --ema-decay 0 \
      --batch 64 --lr 2e-4 --beta1 0.5 --beta2 0.999 --steps "$step" --out "$work/run" \
      2>>"$work/train.err"
    first=0
  else
    nice "$LAB" train --data digits --threads 1 --steps "$step" --resume --out "$work/run" \
      2>>"$work/train.err"
  fi
  name=$(printf 'step_%05d' "$step")
  python3 scripts/export_discriminator.py "$work/run/checkpoint.safetensors" "$out/d_$name.safetensors"
  "$LAB" sample --checkpoint "$work/run/checkpoint.safetensors" --n 64 --seed 7 --threads 1 \
    --out "$out/fakes_$name.png" --score
done
