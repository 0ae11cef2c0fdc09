"""Writes the row-op table of bench/RESULTS.md from bench/run_rows.sh's JSON:
tfm with row fusion and without (Google Benchmark medians) against
PyTorch's kernels, per op, shape and thread count, with the ratios.

    report_rows.py RESULTS_DIR [TAG]
"""
import os
import statistics
import sys

from report_common import cpu_name, load, medians, microseconds


def main():
    d = sys.argv[1]
    tag = sys.argv[2] if len(sys.argv) > 2 else ""
    tfm = load(os.path.join(d, f"rows_tfm{tag}.json"))
    ctx = tfm["context"]
    cells = {}
    for b in medians(tfm):
        # BM_Rows/<op>/<model>/<RxD>/fused:F/threads:T/...
        parts = b["run_name"].split("/")
        name = "/".join(parts[1:4])
        fused = parts[4] == "fused:1"
        threads = int(parts[5].split(":")[1])
        us = microseconds(b)
        cell = cells.setdefault((name, threads), {})
        cell["fused" if fused else "unfused"] = us
        cell["alloc"] = max(cell.get("alloc", 0), b.get("alloc_bytes", 0))
    for t in (1, 2):
        path = os.path.join(d, f"rows_torch{tag}_{t}.json")
        if os.path.exists(path):
            for r in load(path)["results"]:
                if (r["name"], t) in cells:
                    cells[(r["name"], t)]["torch"] = r["us"]
    print(f"CPU: {cpu_name(os.path.join(d, f'rows_lscpu{tag}.txt'))} -- tfm code for "
          f"`{ctx.get('tfm_cpu', 'host')}`\n")
    print("| op | model | rows x d | threads | tfm fused us | tfm unfused us | fused speed-up "
          "| PyTorch us | tfm fused vs PyTorch | alloc bytes/call |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    speedups, vs_torch = [], []
    for (name, t), c in sorted(cells.items()):
        op, model, shape = name.split("/")
        f, u, p = c.get("fused"), c.get("unfused"), c.get("torch")
        su = u / f if f and u else None
        vt = p / f if f and p else None
        if su: speedups.append(su)
        if vt: vs_torch.append(vt)
        fmt = lambda v, s="{:.1f}": s.format(v) if v is not None else "-"
        print(f"| {op} | {model} | {shape} | {t} | {fmt(f)} | {fmt(u)} | {fmt(su, '{:.2f}x')} "
              f"| {fmt(p)} | {fmt(vt, '{:.2f}x')} | {c.get('alloc', 0):.0f} |")
    if speedups:
        print(f"\nfused / unfused: median {statistics.median(speedups):.2f}x, "
              f"{min(speedups):.2f}x to {max(speedups):.2f}x")
    if vs_torch:
        print(f"tfm fused vs PyTorch (PyTorch time / tfm time): median "
              f"{statistics.median(vs_torch):.2f}x, {min(vs_torch):.2f}x to {max(vs_torch):.2f}x")


if __name__ == "__main__":
    main()
