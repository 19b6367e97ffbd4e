#!/usr/bin/env bash
# Runs the reliability tests (kills, faults, write failures, fuzzing, bad command lines) and regenerates
# docs/RELIABILITY.md from what they recorded.
#   bash tools/reliability-report.sh [FUZZ_ITERATIONS]      (default 120 per reader; CI uses the default)
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
export RESNETSHARP_RELIABILITY_LOG="$log"
export RESNETSHARP_FUZZ_ITERATIONS="${1:-120}"
status=0
dotnet test tests/ResNetSharp.Tests --filter "Category=Reliability" 2>&1 | grep -v "NNPACK" | tail -5 || status=$?
python3 tools/reliability_report.py "$log" "$RESNETSHARP_FUZZ_ITERATIONS" > docs/RELIABILITY.md
rm -f "$log"
echo "wrote docs/RELIABILITY.md"
exit $status
