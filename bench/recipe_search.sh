#!/usr/bin/env bash
# Tries training recipes for the time-to-accuracy benchmark: each line of RECIPES is one `resnet train`
# option set, with FIXED added (default: bf16 + channels-last); each runs until test top-1 reaches
# TARGET or its epochs end (STOP=0: always all epochs). Prints, per recipe, the epoch and wall time
# (from process start) at which the target was first reached, the best and final top-1, the steps, the
# median epoch's training images/s and the load average before and after (other work on the machine
# inflates wall times; images/s under a known load can be re-measured on an idle machine).
#   RESNETSHARP_CLI="bash .gpu/run.sh" bash bench/recipe_search.sh DATA_DIR TARGET < recipes.txt
#   FIXED="--device cpu" STOP=0 bash bench/recipe_search.sh /usr/share/datasets/fashion-mnist 0.90 < bench/recipes/cpu90.txt
set -uo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: recipe_search.sh DATA_DIR TARGET < recipes}
target=${2:-0.95}
resnet=${RESNETSHARP_CLI:-${RESNET:-dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll}}
run=${RUN_DIR:-$(mktemp -d)}
fixed=${FIXED---precision bf16 --channels-last}
stop=$([ "${STOP:-1}" = 0 ] && echo 0 || echo "$target")
mkdir -p "$run"
results=()
n=0
while read -r recipe; do
  [ -z "$recipe" ] && continue
  n=$((n + 1))
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  $resnet train --data-dir "$data" $fixed --target-top1 "$stop" --quiet -o "$run/r$n" $recipe > "$run/r$n.log" 2>&1
  rc=$?
  wall=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
  load="$load_before -> $(cut -d' ' -f1 /proc/loadavg)"
  steps=$(grep -o '[0-9,]* steps on' "$run/r$n.log" | head -1 | tr -d ', ' | sed 's/stepson//')
  summary=$(python3 - "$run/r$n/epochs.csv" "$target" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
top1 = [float(r["top1"]) for r in rows]
hit = next((r for r in rows if float(r["top1"]) >= float(sys.argv[2])), None)
epochs = " ".join(f"{t:.4f}" for t in top1)
first = f"epoch {hit['epoch']} at {float(hit['seconds']):.1f} s of training" if hit else "not reached"
rates = sorted(float(r["train_images_per_second"]) for r in rows if r.get("train_images_per_second"))
rate = f"{rates[len(rates) // 2]:,.0f} train img/s (median epoch)" if rates else ""
print(f"{first} | best {max(top1):.4f}, final {top1[-1]:.4f} | {rate} | {epochs}")
PY
)
  results+=("| $recipe | rc $rc | ${steps:-?} | ${wall} s from process start | $load | $summary |")
  echo "${results[-1]}"
  tail -n 3 "$run/r$n.log"
done
echo
echo "| recipe | exit | steps | wall | load (1 min) | first reached | top-1 | throughput | per-epoch top-1 |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
