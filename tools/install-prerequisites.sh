#!/usr/bin/env bash
# Installs what ResNetSharp needs on a Debian machine beyond the .NET SDK:
#   - libstdc++ from GCC 13 or newer: TorchSharp 0.107's native library needs GLIBCXX_3.4.32.
#     Debian 12 ships GCC 12's, so it is taken from Debian 13 through a one-off source list;
#     the machine's own apt sources stay as they are.
#   - the real Fashion-MNIST files (dataset-fashion-mnist), the default training data;
#   - torch + torchvision 0.14 (python3-torchvision), the reference for conformance tests;
#   - the ONNX checker (python3-onnx);
#   - libgomp1, the OpenMP runtime USearch's native library (the image index) links against.
# Safe to run again: it installs only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

has_glibcxx_3_4_32() {
  local lib
  lib=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  [ -n "$lib" ] && grep -qa 'GLIBCXX_3\.4\.32' "$lib"
}

apt-get update -qq

if ! has_glibcxx_3_4_32; then
  echo "install-prerequisites: libstdc++ lacks GLIBCXX_3.4.32; installing libstdc++6 from Debian 13 (trixie)"
  work=$(mktemp -d)
  chmod 755 "$work"
  mkdir -p "$work/lists/partial"
  echo "deb http://deb.debian.org/debian trixie main" > "$work/trixie.list"
  opts=(-o "Dir::State::Lists=$work/lists" -o "Dir::Etc::SourceList=$work/trixie.list"
        -o "Dir::Etc::SourceParts=/etc/apt/sources.list.d")
  apt-get "${opts[@]}" update -qq
  apt-get "${opts[@]}" install -y -qq --no-install-recommends -t trixie libstdc++6 >/dev/null
  rm -rf "$work"
  has_glibcxx_3_4_32 || { echo "install-prerequisites: libstdc++ still lacks GLIBCXX_3.4.32" >&2; exit 1; }
fi

wanted=(dataset-fashion-mnist python3-torchvision python3-onnx libgomp1)
missing=()
for p in "${wanted[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-prerequisites: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-prerequisites: done"
