#!/usr/bin/env bash
# Sets up tfm on Debian 12: installs the Debian packages it needs (by name),
# configures and builds into build/ with CMake, Ninja and clang++-19, then
# optionally runs the example or every test.
#
#   ./setup.sh          install + build
#   ./setup.sh run      install + build + run the examples (one compiled by tfmc)
#   ./setup.sh test     install + build + run every test (ctest)
#
# Idempotent: packages already installed are not touched, and an up-to-date
# build does nothing. Installing needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-build}"
case "$mode" in
  build|run|test) ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

packages=(
  # compiler toolchain: MLIR 19.1 and clang 19 (FileCheck, not, split-file and lit come with llvm-19-tools)
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19 libomp-19-dev
  # the sanitizer and libFuzzer runtimes (the asan preset, .ci/sanitized)
  libclang-rt-19-dev
  # build
  cmake ninja-build ccache
  # libraries of the DSL, runtime, examples (command lines), tests and benchmarks
  libboost-dev nlohmann-json3-dev libcli11-dev libgtest-dev libbenchmark-dev
  # the pinned formatter that CI checks the tree with
  clang-format-19
  # lit runs on python3
  python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root to install packages" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} Debian packages present"
fi

if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19
fi
cmake --build build

case "$mode" in
  run)
    echo
    echo "== build/bin/tfmc compiled examples/encoder_layer/model.cpp into build/examples/encoder_layer/encoder_layer.o + .h"
    echo "== running build/bin/encoder_layer"
    ./build/bin/encoder_layer
    echo
    echo "== running build/bin/seed_walkthrough: the worked example, step by step"
    ./build/bin/seed_walkthrough
    echo
    echo "== running build/bin/seed_walkthrough --train: training, then greedy and beam decoding"
    ./build/bin/seed_walkthrough --train --out build
    ;;
  test)
    cd build && ctest --output-on-failure -j2
    ;;
esac
