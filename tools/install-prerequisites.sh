#!/usr/bin/env bash
# Installs what the main job (`resnet train` on Fashion-MNIST) needs on a Debian machine beyond the .NET SDK:
#   - libstdc++ from GCC 13 or newer: TorchSharp 0.107's native library needs GLIBCXX_3.4.32.
#     Debian 12 ships GCC 12's, so it is taken from Debian 13 (trixie), from the same mirror as the
#     machine's own apt sources, through a one-off source list; those sources stay as they are.
#   - the real Fashion-MNIST files (dataset-fashion-mnist), the default training data;
#   - libgomp1, the OpenMP runtime USearch's native library (the image index) links against.
# What only the tests need is in tools/install-test-prerequisites.sh.
# Safe to run again: it installs only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt_etc=${APT_ETC:-/etc/apt}

has_glibcxx_3_4_32() {
  local lib
  lib=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  [ -n "$lib" ] && grep -qa 'GLIBCXX_3\.4\.32' "$lib"
}

# The machine's Debian mirror, as "URI|KEYRING": the first apt source of type deb for a release suite
# (not -security, -updates or -backports), from deb822 *.sources files or one-line sources.list / *.list.
debian_mirror() {
  local f
  {
    for f in "$apt_etc"/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk '
        function flush() {
          if (deb && release && uri != "") { print uri "|" (keyring ~ /^\// ? keyring : ""); done = 1; exit }
          deb = 0; release = 0; uri = ""; keyring = ""
        }
        /^[[:space:]]*$/ { flush(); next }
        /^[[:space:]]*#/ { next }
        tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
        tolower($1) == "uris:" { uri = $2 }
        tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i !~ /-/) release = 1 }
        tolower($1) == "signed-by:" { keyring = $2 }
        END { if (!done) flush() }
      ' "$f"
    done
    for f in "$apt_etc"/sources.list "$apt_etc"/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      awk '
        $1 == "deb" {
          i = 2; keyring = ""
          if ($i ~ /^\[/) {
            for (; i <= NF; i++) {
              if ($i ~ /signed-by=/) { keyring = $i; sub(/.*signed-by=/, "", keyring); sub(/\]$/, "", keyring) }
              if ($i ~ /\]$/) { i++; break }
            }
          }
          if ($(i + 1) !~ /-/) { print $i "|" keyring; exit }
        }
      ' "$f"
    done
  } | head -n 1
}

apt-get update -qq

if ! has_glibcxx_3_4_32; then
  if ! grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then
    echo "install-prerequisites: libstdc++ lacks GLIBCXX_3.4.32 and this is not Debian; install libstdc++ from GCC 13 or newer" >&2
    exit 1
  fi
  mirror=$(debian_mirror)
  uri=${mirror%%|*}
  keyring=${mirror#*|}
  if [ -z "$uri" ]; then
    echo "install-prerequisites: no Debian release source in $apt_etc to take the mirror from" >&2
    exit 1
  fi
  echo "install-prerequisites: libstdc++ lacks GLIBCXX_3.4.32; installing libstdc++6 from Debian 13 (trixie) at $uri"
  work=$(mktemp -d)
  chmod 755 "$work"
  mkdir -p "$work/lists/partial"
  echo "deb ${keyring:+[signed-by=$keyring] }$uri trixie main" > "$work/trixie.list"
  opts=(-o "Dir::State::Lists=$work/lists" -o "Dir::Etc::SourceList=$work/trixie.list"
        -o "Dir::Etc::SourceParts=$apt_etc/sources.list.d")
  apt-get "${opts[@]}" update -qq
  apt-get "${opts[@]}" install -y -qq --no-install-recommends -t trixie libstdc++6 >/dev/null
  rm -rf "$work"
  has_glibcxx_3_4_32 || { echo "install-prerequisites: libstdc++ still lacks GLIBCXX_3.4.32" >&2; exit 1; }
fi

missing=()
for p in dataset-fashion-mnist libgomp1; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-prerequisites: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-prerequisites: done"
