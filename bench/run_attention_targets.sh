#!/usr/bin/env bash
# The fused attention targets, side by side in one run, on 2 threads: tfm
# fused and unfused (attention_bench) against PyTorch SDPA at T 1024 and
# 2048, d 64, B x H in {1 x 8, 4 x 12}, causal and not; for this machine's
# widest vector ISA, and, on an AVX-512 machine, again for AVX2 (tfm's code
# for Zen 3, PyTorch's AVX2 kernels and BLAS). Then
# bench/results/attention_targets.md.
# (bench/run_attention.sh is the full sweep, with IREE and oneDNN.)
#
#   bench/run_attention_targets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/side_by_side.sh
need_debs python3-venv
need_venv torch torch numpy
side_by_side_environment
cmake --build build --target attention_bench
mkdir -p bench/results
lscpu > bench/results/attention_targets_lscpu.txt
filter='BM_Attention(Fused|Unfused)/B:(1/H:8|4/H:12)/T:(1024|2048)/causal:(0|1)/threads:2'
: > bench/results/attention_targets_shapes.jsonl
for bh in "1 8" "4 12"; do for t in 1024 2048; do for c in 0 1; do
  set -- $bh
  echo "{\"B\": $1, \"H\": $2, \"T\": $t, \"causal\": $c}" >> bench/results/attention_targets_shapes.jsonl
done; done; done
isas=(native)
grep -qw avx512f /proc/cpuinfo && isas+=(avx2)
for isa in "${isas[@]}"; do
  if [ "$isa" = avx2 ]; then cpu=znver3; export ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 TFM_PEAK_ISA=avx2+fma
  else cpu=host; unset ATEN_CPU_CAPABILITY MKL_ENABLE_INSTRUCTIONS ONEDNN_MAX_CPU_ISA TFM_PEAK_ISA; fi
  echo "== tfm ($isa: --cpu=$cpu)"
  build/bin/attention_bench --cpu=$cpu --benchmark_filter="$filter" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_format=json \
    --benchmark_out=bench/results/attention_targets_tfm_$isa.json --benchmark_out_format=json > /dev/null
  echo "== PyTorch SDPA ($isa)"
  taskset -c 0,1 bench/.venv/bin/python bench/peers/sdpa_torch.py 2 \
    < bench/results/attention_targets_shapes.jsonl > bench/results/attention_targets_torch_$isa.json
done
python3 bench/report_attention_targets.py bench/results "${isas[@]}" | tee bench/results/attention_targets.md
