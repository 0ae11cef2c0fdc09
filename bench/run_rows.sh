#!/usr/bin/env bash
# The row-op benchmark and its peer, side by side in one run: BM_Rows (tfm
# with and without row fusion, Google Benchmark, median of 3) and PyTorch's
# own kernels on the same shapes, 1 and 2 threads, pinned; then
# bench/results/rows_table.md.
#
#   bench/run_rows.sh [--avx2]
#
# --avx2: tfm's code for Zen 3 (znver3) and PyTorch's AVX2 kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
avx2=0; [ "${1:-}" = "--avx2" ] && avx2=1
source bench/side_by_side.sh
need_debs python3-venv
need_venv torch torch numpy
side_by_side_environment
cmake --build build --target rows_bench
mkdir -p bench/results
tag=$( ((avx2)) && echo _avx2 || echo "")
tfm_flags=(); ((avx2)) && tfm_flags=(--cpu=znver3)
((avx2)) && export ATEN_CPU_CAPABILITY=avx2 TFM_PEAK_ISA=avx2+fma
lscpu > bench/results/rows_lscpu$tag.txt
build/bin/rows_bench --list_shapes > bench/results/rows_shapes.jsonl
echo "== tfm"
build/bin/rows_bench "${tfm_flags[@]}" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_format=json --benchmark_out=bench/results/rows_tfm$tag.json --benchmark_out_format=json
for t in 1 2; do
  cpus=$( ((t == 1)) && echo 0 || echo 0,1)
  echo "== PyTorch, $t thread(s)"
  taskset -c "$cpus" bench/.venv/bin/python bench/peers/rows_torch.py "$t" \
    < bench/results/rows_shapes.jsonl > bench/results/rows_torch${tag}_$t.json
done
python3 bench/report_rows.py bench/results "$tag" | tee bench/results/rows_table$tag.md
