#!/usr/bin/env bash
# The matmul benchmark and its peers, side by side in one run: BM_Matmul
# (tfm, Google Benchmark, median of 3), oneDNN's sgemm and PyTorch's matmul
# on the same shapes (bench/matmul_shapes.hpp), 1 and 2 threads, pinned; then
# bench/results/matmul_table.md.
#
#   bench/run_matmul.sh [--avx2]
#
# --avx2 measures AVX2 code on an AVX-512 machine: tfm compiled for
# Zen 3 (znver3), oneDNN limited to AVX2 (ONEDNN_MAX_CPU_ISA), PyTorch's AVX2
# kernels and BLAS (ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS), and the
# AVX2 FMA peak. Peers install here
# only: Debian's libdnnl-dev and python3-venv, PyTorch from PyPI into
# bench/.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
avx2=0; [ "${1:-}" = "--avx2" ] && avx2=1
source bench/side_by_side.sh
need_debs libdnnl-dev python3-venv
need_venv torch torch numpy
side_by_side_environment

cmake --build build --target matmul_bench
mkdir -p build/bench bench/results
clang++-19 -O2 -std=c++20 bench/peers/onednn_matmul.cpp -ldnnl -o build/bench/onednn_matmul
tag=$( ((avx2)) && echo _avx2 || echo "")
tfm_flags=(); ((avx2)) && tfm_flags=(--cpu=znver3)
((avx2)) && export ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2 TFM_PEAK_ISA=avx2+fma
lscpu > bench/results/matmul_lscpu$tag.txt
build/bin/matmul_bench --list_shapes > bench/results/matmul_shapes.jsonl

echo "== tfm"
build/bin/matmul_bench "${tfm_flags[@]}" --benchmark_filter="^BM_Matmul/" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_format=json --benchmark_out=bench/results/matmul_tfm$tag.json --benchmark_out_format=json
for t in 1 2; do
  cpus=$( ((t == 1)) && echo 0 || echo 0,1)
  echo "== oneDNN sgemm, $t thread(s)"
  OMP_NUM_THREADS=$t taskset -c "$cpus" build/bench/onednn_matmul < bench/results/matmul_shapes.jsonl \
    > bench/results/matmul_onednn${tag}_$t.json
  echo "== PyTorch matmul, $t thread(s)"
  taskset -c "$cpus" bench/.venv/bin/python bench/peers/matmul_torch.py "$t" \
    < bench/results/matmul_shapes.jsonl > bench/results/matmul_torch${tag}_$t.json
done
python3 bench/report_matmul.py bench/results "$tag" | tee bench/results/matmul_table$tag.md
