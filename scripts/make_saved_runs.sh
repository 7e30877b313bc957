#!/bin/sh
# Makes the training runs of one of lesson 8's saved runs (assets/runs/<name>/, read by
# app/logic/saved_run.h): `convt-lab train` in stages (--steps, then --resume to the next stop),
# and after each stage G's samples from the run's own fixed z (GanTrainer::latent_batch(64,
# seed + 12345), the z of `train`'s samples_epoch_NNN.png) as a PNG grid (8 columns, pixels 2x2,
# 1 pixel between tiles). Training is deterministic for a seed on one thread, and --resume
# continues exactly, so the stages give the same log as one run to the last stop.
#
#   scripts/make_saved_runs.sh NAME "TRAIN FLAGS" STOP1 STOP2 ...
#   e.g. scripts/make_saved_runs.sh divergence "--lr 1e-2 --seed 1" 20 60 140 160
#
# Writes the whole run (with its checkpoint) to $WORK_DIR/NAME/ (default /tmp/convt_saved_runs),
# and copies log.csv and the grids (samples_step_NNNNN.png) to assets/runs/NAME/ (replacing the
# grids there); run.json there
# is written by hand (the command, what to look for). LAB=path/to/convt-lab overrides build/app/convt-lab.
set -eu
LAB=${LAB:-build/app/convt-lab}
name=$1
flags=$2
shift 2
work=${WORK_DIR:-/tmp/convt_saved_runs}/$name
out=assets/runs/$name
seed=$(echo "$flags" | sed -n 's/.*--seed \([0-9]*\).*/\1/p')
seed=${seed:-0}
rm -rf "$work"
mkdir -p "$work" "$out"
rm -f "$out"/samples_step_*.png  # grids of earlier stops must not stay beside the new ones
first=1
for stop in "$@"; do
  if [ $first = 1 ]; then
    # shellcheck disable=SC2086  # $flags is a list of flags
    nice "$LAB" train --model dcgan20 --data digits $flags --steps "$stop" --threads 1 \
      --out "$work" 2>>"$work/train.err" || echo "train stopped with status $? (see $work/train.err)"
    first=0
  else
    nice "$LAB" train --data digits --resume --steps "$stop" --threads 1 --out "$work" \
      2>>"$work/train.err" || echo "train stopped with status $? (see $work/train.err)"
  fi
  grid=$(printf 'samples_step_%05d.png' "$stop")
  nice "$LAB" sample --checkpoint "$work/checkpoint.safetensors" --n 64 --seed $((seed + 12345)) \
    --threads 1 --out "$work/$grid" --score
  cp "$work/$grid" "$out/$grid"
done
cp "$work/log.csv" "$out/log.csv"
tail -c 400 "$work/train.err"
echo
