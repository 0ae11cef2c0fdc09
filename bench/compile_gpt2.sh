#!/usr/bin/env bash
# Times compiling GPT-2 small (bench/gpt2_small/model.cpp): the model source
# with clang++ (what tfmc does to trace it, alone), and tfmc from the source
# to an object file, with peak memory. Prints a Markdown table row per run.
#
#   bench/compile_gpt2.sh [runs]     (default 3; needs build/bin/tfmc)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=bench/gpt2_small/model.cpp
echo "| run | C++ compile of the model source (s) | its peak memory (MiB) | tfmc source -> .o (s) | tfmc peak memory (MiB) | object (KiB) |"
echo "| --- | --- | --- | --- | --- | --- |"
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$tmp/cxx.t" clang++-19 -std=c++20 -O0 -g0 -Idsl/include -Iruntime/abi/include \
    "$src" dsl/generator/generator_main.cpp -o "$tmp/gen"
  /usr/bin/time -f "%e %M" -o "$tmp/tfmc.t" build/bin/tfmc "$src" -o "$tmp/gpt2.o" --no-cache
  read -r cxx_s cxx_kb < "$tmp/cxx.t"
  read -r tfmc_s tfmc_kb < "$tmp/tfmc.t"
  size_kb=$(( $(stat -c %s "$tmp/gpt2.o") / 1024 ))
  echo "| $i | $cxx_s | $((cxx_kb / 1024)) | $tfmc_s | $((tfmc_kb / 1024)) | $size_kb |"
done
