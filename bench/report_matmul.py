"""Writes the matmul table of bench/RESULTS.md from bench/run_matmul.sh's JSON:
tfm (Google Benchmark medians) against oneDNN's sgemm and PyTorch's matmul,
per shape and thread count, with the ratios and the target (tfm >= 0.9x
oneDNN) checked on every cell.

    report_matmul.py RESULTS_DIR [TAG]
"""
import os
import statistics
import sys

from report_common import cpu_name, gflops, load, medians


def main():
    d = sys.argv[1]
    tag = sys.argv[2] if len(sys.argv) > 2 else ""
    tfm = load(os.path.join(d, f"matmul_tfm{tag}.json"))
    ctx = tfm["context"]
    rows = {}
    for b in medians(tfm):
        # BM_Matmul/<what>/M:../K:../N:../ta:../tb:../threads:N/...
        parts = b["run_name"].split("/")
        name = "/".join(parts[1:7])
        threads = int(parts[7].split(":")[1])
        rows[(name, threads)] = {"tfm": gflops(b),
                                 "pct": b["pct_peak"], "alloc": b.get("alloc_bytes", 0)}
    for peer, key in (("onednn", "onednn"), ("torch", "torch")):
        for t in (1, 2):
            path = os.path.join(d, f"matmul_{peer}{tag}_{t}.json")
            if not os.path.exists(path):
                continue
            data = load(path)
            for r in data if isinstance(data, list) else data["results"]:
                if (r["name"], t) in rows:
                    rows[(r["name"], t)][key] = r["gflops"]
    isa = ctx.get("peak_isa", "?")
    print(f"CPU: {cpu_name(os.path.join(d, f'matmul_lscpu{tag}.txt'))} -- tfm code for `{ctx.get('tfm_cpu', 'host')}`, "
          f"FMA peak ({isa}) {float(ctx['peak_gflops_1_thread']):.0f} GFLOP/s on 1 thread, "
          f"{float(ctx['peak_gflops_2_threads']):.0f} on 2\n")
    print("| shape (M x K x N, ta, tb) | threads | tfm GFLOP/s | % peak | oneDNN | tfm / oneDNN | PyTorch | tfm / PyTorch | bytes allocated per call |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    ratios = {1: [], 2: []}
    torch_ratios = {1: [], 2: []}
    for (name, t), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        on, pt = r.get("onednn"), r.get("torch")
        ro = r["tfm"] / on if on else None
        rp = r["tfm"] / pt if pt else None
        if ro:
            ratios[t].append(ro)
        if rp:
            torch_ratios[t].append(rp)
        fmt = lambda x, p="{:.0f}": p.format(x) if x is not None else "-"
        print(f"| {name} | {t} | {r['tfm']:.0f} | {r['pct']:.0f} | {fmt(on)} | {fmt(ro, '{:.2f}x')} | "
              f"{fmt(pt)} | {fmt(rp, '{:.2f}x')} | {r['alloc']:.0f} |")
    print()
    print("| target | threads | result |")
    print("| --- | --- | --- |")
    for t in (1, 2):
        if not ratios[t]:
            continue
        met = sum(1 for x in ratios[t] if x >= 0.9)
        print(f"| tfm >= 0.9x oneDNN | {t} | {met} of {len(ratios[t])} cells; lowest {min(ratios[t]):.2f}x, "
              f"median {statistics.median(ratios[t]):.2f}x |")
    for t in (1, 2):
        if torch_ratios[t]:
            print(f"| tfm against PyTorch (no target) | {t} | lowest {min(torch_ratios[t]):.2f}x, "
                  f"median {statistics.median(torch_ratios[t]):.2f}x |")


if __name__ == "__main__":
    main()
