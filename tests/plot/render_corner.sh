#!/usr/bin/env bash
# render_corner.sh NSBI WORKDIR — renders corner.svg of a synthetic three-parameter run with a
# reference overlay in headless Chromium and checks the PNG (png_pixels.py): the SVG's size, not
# blank, the sample and reference colours drawn. Exit 77 (CTest skip) when chromium is missing:
# install it with scripts/install-deps.sh --with-chromium.
set -euo pipefail
nsbi=$1 work=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "SKIP: no chromium (scripts/install-deps.sh --with-chromium installs it)"
  exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work/run"; cd "$work"
python3 - <<'PY'
import math, random
def write(path, n, shift, seed):
    r = random.Random(seed)
    with open(path, "w") as f:
        f.write("theta_1,theta_2,theta_3\n")
        for _ in range(n):
            a, b, c = (r.gauss(0, 1) for _ in range(3))
            f.write(f"{a + shift},{0.6 * a + 0.8 * b},{c - shift}\n")
write("run/posterior_samples.csv", 5000, 0.0, 1)
write("reference.csv", 5000, 0.4, 2)
PY
"$nsbi" plot run --reference reference.csv --out plots
svg=plots/corner.svg
width=$(sed -n 's/.*<svg[^>]* width="\([0-9]*\)".*/\1/p' "$svg")
height=$(sed -n 's/.*<svg[^>]* height="\([0-9]*\)".*/\1/p' "$svg")
[[ -n $width && -n $height ]] || { echo "no integer width/height in $svg"; exit 1; }
# Chromium may print GPU and D-Bus warnings on stderr; only the PNG counts.
timeout 120 "$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars \
  --screenshot="$work/corner.png" --window-size="$width,$height" "file://$work/$svg" > chromium.log 2>&1 || {
  echo "chromium failed:"; cat chromium.log; exit 1; }
python3 "$here/png_pixels.py" corner.png "$width" "$height" "#1f77b4" "#ff7f0e"
