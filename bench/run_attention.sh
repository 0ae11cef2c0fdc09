#!/usr/bin/env bash
# The attention benchmark and its peers, side by side in one run:
#   tfm fused and unfused (attention_bench, Google Benchmark, median of 3),
#   PyTorch scaled_dot_product_attention and unfused, IREE (llvm-cpu), and
#   oneDNN sgemm on the Q K^T shapes;
# then bench/results/attention_table.md and bench/attention.png.
#
#   bench/run_attention.sh [gbench filter]
# Peers install here only: Debian's libdnnl-dev and python3-venv, and PyTorch,
# IREE and matplotlib from PyPI into bench/.venv (PyTorch's wheel is a few GB).
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-.}"

source bench/side_by_side.sh
need_debs libdnnl-dev python3-venv
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --upgrade pip
  bench/.venv/bin/pip install torch numpy matplotlib iree-base-compiler iree-base-runtime
fi
unset OPENBLAS_CORETYPE  # halves OpenBLAS (PERF.md); PyTorch may use it
# One OpenMP thread per core, pinned (tfm's compiled code and PyTorch both
# run on LLVM's or GNU's OpenMP runtime).
export OMP_PROC_BIND=close OMP_PLACES=cores

cmake --build build --target attention_bench
mkdir -p bench/results build/bench
clang++-19 -O2 -std=c++20 bench/peers/onednn_sgemm.cpp -ldnnl -o build/bench/onednn_sgemm

# Steal time (the st column) and load through the run: how much the shared
# host took from the two cores while the figures were taken.
vmstat -n 10 > bench/results/vmstat.log &
vmstat_pid=$!
trap 'kill $vmstat_pid 2>/dev/null' EXIT

echo "== tfm (fused, unfused)"
build/bin/attention_bench --benchmark_filter="$filter" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out=bench/results/attention_tfm.json --benchmark_out_format=json
echo "== PyTorch"
bench/.venv/bin/python bench/peers/attention_torch.py > bench/results/attention_torch.json
echo "== IREE"
bench/.venv/bin/python bench/peers/attention_iree.py bench/.venv/bin build/bench/iree \
  > bench/results/attention_iree.json
echo "== oneDNN sgemm"
for t in 1 2; do OMP_NUM_THREADS=$t build/bench/onednn_sgemm > bench/results/onednn_sgemm_$t.json; done

bench/.venv/bin/python bench/report_attention.py bench/results bench/attention.png \
  | tee bench/results/attention_table.md
