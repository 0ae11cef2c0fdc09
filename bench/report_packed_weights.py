"""Writes the packed-weights table of bench/RESULTS.md from matmul_bench's
BM_MatmulPackedWeights JSON: per inference linear layer, row count and
thread count, the time of a call with its weight packed once (Module::pack),
packed by each call, and packed inside the call (pack_params = false: below
4 register blocks of rows, not packed at all), and the ratios.

    matmul_bench --benchmark_filter=BM_MatmulPackedWeights --benchmark_repetitions=3 \\
        --benchmark_report_aggregates_only=true --benchmark_format=json > packed.json
    report_packed_weights.py packed.json LSCPU_FILE
"""
import sys

from report_common import cpu_name, load, medians, microseconds


def main():
    data = load(sys.argv[1])
    lscpu = sys.argv[2] if len(sys.argv) > 2 else ""
    rows = {}
    for b in medians(data):
        # BM_MatmulPackedWeights/<what>/M:../K:../N:../ta:0/tb:0/packing:P/threads:T/...
        parts = b["run_name"].split("/")
        shape = "/".join(parts[1:5])
        packing = parts[7].split(":")[1]
        threads = int(parts[8].split(":")[1])
        us = microseconds(b)
        rows.setdefault((shape, threads), {})[packing] = (us, b.get("alloc_bytes", 0))
    print(f"CPU: {cpu_name(lscpu)}, tfm code for "
          f"`{data['context'].get('tfm_cpu', 'host')}`; medians of "
          f"{data['context'].get('repetitions', 3) or 3} repetitions, microseconds per call")
    print()
    print("| layer (M x K x N) | threads | packed once | packed by the call | packed inside (before) "
          "| speed-up over by the call | speed-up over before | bytes allocated per call (once) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    def order(kv):
        (shape, threads), _ = kv
        what, m = shape.split("/")[:2]
        return threads, what, int(m.split(":")[1])

    for (shape, threads), r in sorted(rows.items(), key=order):
        if not all(p in r for p in ("once", "per_call", "inside")):
            continue
        once, per_call, inside = r["once"][0], r["per_call"][0], r["inside"][0]
        print(f"| {shape} | {threads} | {once:.1f} | {per_call:.1f} | {inside:.1f} | "
              f"{per_call / once:.2f}x | {inside / once:.2f}x | {r['once'][1]:.0f} |")


if __name__ == "__main__":
    main()
