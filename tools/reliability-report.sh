#!/usr/bin/env bash
# Runs the reliability tests (kills, faults, write failures, hostile and special files, sandboxed fuzzing of
# every reader, bad command lines) and regenerates docs/RELIABILITY.md from what they recorded.
#   bash tools/reliability-report.sh [FUZZ_ITERATIONS]
# CI runs the tests with the default of 120 inputs per reader; the published report uses 10000
# (about an hour on a 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
export RESNETSHARP_RELIABILITY_LOG="$log"
export RESNETSHARP_FUZZ_ITERATIONS="${1:-120}"
status=0
start=$(date +%s)
dotnet test tests/ResNetSharp.Tests --filter "Category=Reliability" 2>&1 | grep -v "NNPACK" | tail -5 || status=$?
minutes=$(( ($(date +%s) - start + 59) / 60 ))
python3 tools/reliability_report.py "$log" "$RESNETSHARP_FUZZ_ITERATIONS" "$minutes" > docs/RELIABILITY.md
rm -f "$log"
echo "wrote docs/RELIABILITY.md"
exit $status
