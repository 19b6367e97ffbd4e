#!/usr/bin/env bash
# Packs the four NuGet packages, checks what they say about themselves and what they depend on, installs
# the resnet .NET tool from the local folder into a temporary tool path and runs it (summary, doctor --json),
# and builds and runs Consumer/ (a project outside the repository's build) against the local packages.
# Prints one line per check and then "N passed, N failed"; exits non-zero when any check failed.
#   bash tests/Packages/check.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
here=tests/Packages
work=$(mktemp -d -t resnetsharp-packages-XXXXXX)
# A version of its own, so NuGet's global package folder never serves packages from an earlier run.
version="0.1.0-check.$(date +%Y%m%d%H%M%S).$$"
cleanup() {
  rm -rf "$work"
  for id in resnetsharp resnetsharp.imaging resnetsharp.inference resnetsharp.serving; do rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$id/$version"; done
}
trap cleanup EXIT
passed=0
failed=0
check() {  # name, then a command; prints its output only when it fails
  local name=$1; shift
  local log="$work/check-$((passed + failed)).log"
  if "$@" > "$log" 2>&1; then
    passed=$((passed + 1)); echo "ok: $name"
  else
    failed=$((failed + 1)); echo "FAIL: $name"; tail -n 30 "$log" | sed 's/^/  /'
  fi
}

feed="$work/feed"
check "dotnet pack makes ResNetSharp, ResNetSharp.Imaging, ResNetSharp.Inference, ResNetSharp.Serving and the ResNetSharp.Cli tool" \
  dotnet pack -c Release -o "$feed" -p:Version="$version" -nologo -v:q

nuspec() { unzip -p "$feed/$1.$version.nupkg" "$1.nuspec"; }
metadata() {  # every package: licence, readme (inside the package), description, tags, repository commit
  local id=$1 spec
  spec=$(nuspec "$id") || return 1
  for want in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<description>' '<tags>resnet' '<repository type="git"'; do
    grep -qF "$want" <<< "$spec" || { echo "$id: nuspec lacks $want"; return 1; }
  done
  local files; files=$(unzip -l "$feed/$id.$version.nupkg") || return 1
  grep -q ' README.md$' <<< "$files" || { echo "$id: no README.md in the package"; return 1; }
}
for id in ResNetSharp ResNetSharp.Imaging ResNetSharp.Inference ResNetSharp.Serving ResNetSharp.Cli ResNetSharp.Cli.linux-x64; do
  check "$id: licence, readme, description, tags, repository" metadata "$id"
done
library_symbols_and_docs() {
  local id
  for id in ResNetSharp ResNetSharp.Imaging ResNetSharp.Inference ResNetSharp.Serving; do
    [ -f "$feed/$id.$version.snupkg" ] || { echo "$id: no symbol package"; return 1; }
    unzip -l "$feed/$id.$version.nupkg" > "$work/files.txt" || return 1
    grep -q "lib/net10.0/$id.xml" "$work/files.txt" || { echo "$id: no XML docs"; return 1; }
  done
}
check "library packages carry XML docs and symbol packages" library_symbols_and_docs
backend_left_to_user() {
  local spec; spec=$(nuspec ResNetSharp)
  grep -q 'id="TorchSharp"' <<< "$spec" && ! grep -qi 'id="TorchSharp-\|id="libtorch' <<< "$spec"
}
check "ResNetSharp depends on TorchSharp alone (the user picks TorchSharp-cpu or TorchSharp-cuda-linux)" backend_left_to_user
inference_without_torch() {
  local spec; spec=$(nuspec ResNetSharp.Inference)
  grep -q 'id="Microsoft.ML.OnnxRuntime"' <<< "$spec" && ! grep -qi 'id="[^"]*torch' <<< "$spec"
}
check "ResNetSharp.Inference depends on ONNX Runtime and not on TorchSharp" inference_without_torch
serving_without_torch() {
  local spec; spec=$(nuspec ResNetSharp.Serving)
  grep -q 'id="ResNetSharp.Inference"' <<< "$spec" && grep -q 'name="Microsoft.AspNetCore.App"' <<< "$spec" && ! grep -qi 'id="[^"]*torch' <<< "$spec"
}
check "ResNetSharp.Serving depends on ResNetSharp.Inference and ASP.NET Core, not on TorchSharp" serving_without_torch

tools="$work/tools"
check "dotnet tool install ResNetSharp.Cli from the local feed gives resnet" \
  dotnet tool install ResNetSharp.Cli --tool-path "$tools" --add-source "$feed" --version "$version"
check "the installed resnet runs (summary --model resnet18 --json)" \
  bash -c "'$tools/resnet' summary --model resnet18 --json | grep -q '\"parameters\": 11689512'"
doctor_json() {
  "$tools/resnet" doctor --json > "$work/doctor.json" || { cat "$work/doctor.json"; return 1; }
  python3 - "$work/doctor.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for key in ["verdict", "canTrain", "problems", "runtime", "libTorch", "cpu", "kernelLibraries", "cuda", "glibcxx", "datasets", "caches", "trainingStep"]:
    assert key in report, f"doctor --json lacks {key}"
assert report["canTrain"] and report["libTorch"]["loaded"] and report["trainingStep"]["passed"], report["verdict"]
assert "/tools/" in report["libTorch"]["path"] or "/.store/" in report["libTorch"]["path"], report["libTorch"]["path"]
print(report["verdict"])
PY
}
check "the installed resnet doctor --json is valid and says training runs, with the tool's own libtorch" doctor_json

consumer() {
  cp -r "$here/Consumer" "$work/consumer"
  cat > "$work/consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="resnetsharp-local" value="$feed" />
  </packageSources>
</configuration>
CONFIG
  dotnet run --project "$work/consumer/Consumer.csproj" -c Release -p:ResNetSharpVersion="$version" -nologo
}
check "a project outside the repository references the local packages, trains two steps and matches ONNX Runtime" consumer

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
