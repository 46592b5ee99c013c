#!/usr/bin/env bash
# Draws the README's figures (docs/figures/*.png), one of each kind the trainer makes, from
# short runs of models/: ring (points and their reconstructions), sdss_colors (a table's
# reconstructions with its column names, the latent space coloured by temperature, the loss),
# fashion_stacked (an image grid, the latent space coloured by class). About a minute on
# 2 cores. Usage: scripts/readme_figures.sh [build dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=$root/docs/figures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# figure MODEL EPOCHS: compile, train EPOCHS epochs with the log, draw into $work/MODEL/pics.
figure() {
  local model=$1 epochs=$2 dir=$work/$1
  mkdir -p "$dir"
  "$build/aec" compile "$root/models/$model.yaml" -o "$dir/trainer" >/dev/null
  (cd "$dir" && ./trainer train --epochs "$epochs" --save w.npz --log log.csv >/dev/null &&
    ./trainer plot --weights w.npz --log log.csv --samples 6 --out pics >/dev/null)
}

figure ring 30
figure sdss_colors 8
figure fashion_stacked 3
cp "$work/ring/pics/reconstructions.png" "$out/points.png"
cp "$work/sdss_colors/pics/reconstructions.png" "$out/table.png"
cp "$work/sdss_colors/pics/latent.png" "$out/latent_colorbar.png"
cp "$work/sdss_colors/pics/loss.png" "$out/loss.png"
cp "$work/fashion_stacked/pics/reconstructions.png" "$out/images.png"
cp "$work/fashion_stacked/pics/latent.png" "$out/latent_classes.png"
echo "wrote $(ls "$out" | wc -l) figures to $out"
