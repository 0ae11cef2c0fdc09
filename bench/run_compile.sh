#!/usr/bin/env bash
# Compile time, side by side in one run:
#   BM_Compile (bench/compile_bench.cpp): the JIT of the two training models
#     (forward, gradient, training step), cold, warm (a cache hit) and the
#     reference without outlining on one compile thread, 3 repetitions;
#   the three examples, each run twice on an empty cache: the first run
#     compiles (cold), the second loads (warm); the JIT's own times from
#     TFM_TIMING=1, the whole process's from /usr/bin/time;
#   char_gpt end to end (compile, 600 training steps, 200 sampled characters)
#     cold and warm, against the same training and sampling in PyTorch eager
#     (bench/peers/char_gpt_torch.py), 2 threads, each process timed whole;
#   tfmc on GPT-2 small (bench/gpt2_small/model.cpp) from the C++ source to
#     the object, on all cores and on one, with peak memory.
# Prints Markdown tables; raw output in bench/results/compile_*.
#
#   bench/run_compile.sh [bm] [examples] [tfmc]     (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
parts="${*:-bm examples tfmc}"
source bench/side_by_side.sh
need_debs python3-venv time
need_venv "torch" torch
side_by_side_environment

cmake --build build --target compile_bench char_gpt encoder_layer_example seed_walkthrough tfmc
mkdir -p bench/results
lscpu > bench/results/compile_lscpu.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ " $parts " == *" bm "* ]]; then
echo "== BM_Compile"
build/bin/compile_bench --benchmark_repetitions=3 --benchmark_format=json \
  --benchmark_out=bench/results/compile_bench.json --benchmark_out_format=json > /dev/null
bench/.venv/bin/python - bench/results/compile_bench.json <<'EOF'
import json, statistics, sys
rows = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type") != "iteration":
        continue
    model, variant = b["name"].split("/")[1:3]
    rows.setdefault((model, variant), []).append(b)
print("| model | variant | wall s (median of 3) | MLIR s | LLVM opt s (summed) | codegen s (summed) | kernels | parts |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for (model, variant), runs in rows.items():
    med = lambda k: statistics.median(r[k] for r in runs)
    print(f"| {model[6:]} | {variant} | {med('real_time'):.3f} | {med('mlir'):.2f} | {med('llvm_opt'):.2f} | "
          f"{med('codegen'):.2f} | {int(med('kernels'))} | {int(med('parts'))} |")
EOF
fi

# Runs "$@" with an empty cache, twice; a table row per run: the process's
# wall time and peak memory, the JIT's compile and load times summed.
cold_warm() {
  local name="$1" cache="$tmp/cache_$1"
  shift
  for run in cold warm; do
    TFM_CACHE_DIR="$cache" TFM_TIMING=1 /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" \
      > "$tmp/out" 2> bench/results/compile_${name}_$run.log
    read -r wall kb < "$tmp/time"
    jit=$(awk '/^tfm: jit: .*compiled in/ {for (i = 1; i <= NF; i++) if ($i == "in") {s += $(i + 1); break}}
               /^tfm: jit: .*cache hit/ {s += $(NF - 1)} END {printf "%.3f", s}' \
          bench/results/compile_${name}_$run.log)
    modules=$(grep -c "^tfm: jit: " bench/results/compile_${name}_$run.log || true)
    echo "| $name | $run | $modules | $jit | $wall | $((kb / 1024)) |"
  done
}
if [[ " $parts " == *" examples "* ]]; then
echo
echo "== the examples, cold then warm"
echo "| program | cache | JIT modules | JIT compile or load, s | process wall s | peak MiB |"
echo "| --- | --- | --- | --- | --- | --- |"
cold_warm char_gpt taskset -c 0,1 build/bin/char_gpt --out "$tmp"
# encoder_layer runs a tfmc object (built with the example): no JIT.
cold_warm encoder_layer taskset -c 0,1 build/bin/encoder_layer
cold_warm seed_walkthrough taskset -c 0,1 build/bin/seed_walkthrough
cold_warm seed_walkthrough_train taskset -c 0,1 build/bin/seed_walkthrough --train --out "$tmp"
/usr/bin/time -f "%e %M" -o "$tmp/time" taskset -c 0,1 bench/.venv/bin/python bench/peers/char_gpt_torch.py 2 \
  > bench/results/compile_char_gpt_torch.log 2>&1
read -r wall kb < "$tmp/time"
echo "| char_gpt in PyTorch eager (bench/peers/char_gpt_torch.py) | - | - | - | $wall | $((kb / 1024)) |"
fi

[[ " $parts " == *" tfmc "* ]] || exit 0
echo
echo "== tfmc on GPT-2 small"
echo "| compile threads | tfmc source -> .o (s) | peak MiB | object KiB |"
echo "| --- | --- | --- | --- |"
for threads in 0 1; do
  /usr/bin/time -f "%e %M" -o "$tmp/time" build/bin/tfmc bench/gpt2_small/model.cpp -o "$tmp/gpt2.o" \
    --compile-threads=$threads --no-cache
  read -r wall kb < "$tmp/time"
  echo "| $( ((threads)) && echo 1 || echo "all ($(nproc))") | $wall | $((kb / 1024)) | $(( $(stat -c %s "$tmp/gpt2.o") / 1024 )) |"
done
