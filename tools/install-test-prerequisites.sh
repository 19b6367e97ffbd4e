#!/usr/bin/env bash
# Installs what the tests need beyond the main job's prerequisites (tools/install-prerequisites.sh, run first):
#   - torch + torchvision 0.14 (python3-torchvision), the reference for conformance tests;
#   - the ONNX checker (python3-onnx);
#   - headless Chromium and its driver (chromium, chromium-driver) for the web page's browser test
#     (Serving/WebPageBrowserTests).
# Safe to run again: it installs only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
bash "$(dirname "$0")/install-prerequisites.sh"

missing=()
for p in python3-torchvision python3-onnx chromium chromium-driver; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-prerequisites: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-test-prerequisites: done"
