#!/usr/bin/env bash
# The training benchmark and its peers, side by side in one run: one step
# (forward, cross-entropy, backward, AdamW) of two decoder-only models,
#   tfm fused and unfused (train_bench, Google Benchmark, median of 3), and the
#   GPT-2 block's matmuls and attention alone (its time split);
#   PyTorch eager (with a profiled time split) and torch.compile;
#   JAX jax.jit of the whole step;
# on 1 and 2 threads, then bench/results/train_table.md.
#
#   bench/run_train.sh [--avx2] [gbench filter]
#
# --avx2 measures AVX2 code on an AVX-512 machine: tfm compiled for Zen 3
# (znver3), PyTorch's kernels and BLAS held to AVX2 (ATEN_CPU_CAPABILITY,
# MKL_ENABLE_INSTRUCTIONS, ONEDNN_MAX_CPU_ISA), the AVX2 FMA peak; the
# fused step against PyTorch eager and torch.compile (no JAX), 2 threads.
# Peers install here only: python3-venv from Debian, and PyTorch, JAX and
# NumPy from PyPI into bench/.venv (PyTorch's wheel is a few GB).
set -euo pipefail
cd "$(dirname "$0")/.."
avx2=0; [ "${1:-}" = "--avx2" ] && { avx2=1; shift; }
filter="${1:-.}"
tag=""; tfm_flags=(); thread_counts=(1 2)
if ((avx2)); then
  tag=_avx2; tfm_flags=(--cpu=znver3); thread_counts=(2)
  [ "$filter" = "." ] && filter='BM_TrainStep/.*/fused:1/threads:2'
  export ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 TFM_PEAK_ISA=avx2+fma
fi

source bench/side_by_side.sh
need_debs python3-venv
need_venv "torch, jax, numpy" torch jax numpy
side_by_side_environment

cmake --build build --target train_bench
mkdir -p bench/results
lscpu > bench/results/train_lscpu$tag.txt
vmstat -n 10 > bench/results/train_vmstat.log &
vmstat_pid=$!
trap 'kill $vmstat_pid 2>/dev/null' EXIT

echo "== tfm (fused, unfused, GPT-2 block parts)"
build/bin/train_bench "${tfm_flags[@]}" --benchmark_filter="$filter" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out=bench/results/train_tfm$tag.json --benchmark_out_format=json
# Each peer process sees only the cores it may use (XLA sizes its pool so).
for t in "${thread_counts[@]}"; do
  cpus=$( ((t == 1)) && echo 0 || echo 0,1)
  echo "== PyTorch eager and torch.compile, $t thread(s)"
  taskset -c "$cpus" bench/.venv/bin/python bench/peers/train_torch.py "$t" > bench/results/train_torch${tag}_$t.json
  ((avx2)) && continue
  echo "== JAX jax.jit, $t thread(s)"
  taskset -c "$cpus" bench/.venv/bin/python bench/peers/train_jax.py "$t" > bench/results/train_jax_$t.json
done

bench/.venv/bin/python bench/report_train.py bench/results "$tag" | tee bench/results/train_table$tag.md
