"""Tables and a plot from one run of bench/run_attention.sh: reads
bench/results/*.json, prints the Markdown table of RESULTS.md to stdout and
writes bench/attention.png (GFLOP/s against T).

    report_attention.py RESULTS_DIR PNG"""
import json
import os
import re
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from report_common import medians  # noqa: E402


def load(results_dir):
    rows = defaultdict(dict)  # (B, H, T, causal, threads) -> {series: {...}}
    with open(os.path.join(results_dir, "attention_tfm.json")) as f:
        tfm = json.load(f)
    context = tfm.get("context", {})
    for bm in medians(tfm):
        m = re.match(r"BM_Attention(Fused|Unfused)/B:(\d+)/H:(\d+)/T:(\d+)/causal:(\d)/threads:(\d)", bm["name"])
        key = (int(m[2]), int(m[3]), int(m[4]), bool(int(m[5])), int(m[6]))
        rows[key]["tfm_" + m[1].lower()] = {"gflops": bm["GFLOP/s"], "pct": bm["pct_peak"],
                                            "peak_now": bm.get("peak_now"),
                                            "mib": bm["extra_MiB"], "ms": bm["real_time"]}
    for name in ("attention_torch.json", "attention_iree.json"):
        path = os.path.join(results_dir, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for r in json.load(f)["results"]:
                if "gflops" in r:
                    key = (r["B"], r["H"], r["T"], r["causal"], r["threads"])
                    rows[key][r["peer"]] = r
    sgemm = {}
    for threads in (1, 2):
        path = os.path.join(results_dir, f"onednn_sgemm_{threads}.json")
        if os.path.exists(path):
            with open(path) as f:
                for r in json.load(f):
                    sgemm[(r["B"], r["H"], r["T"], threads)] = r["gflops"]
    return rows, sgemm, context


def fmt(x, digits=0):
    return "" if x is None else f"{x:.{digits}f}"


def table(rows, sgemm):
    out = ["| B | H | T | causal | threads | tfm fused GFLOP/s | % peak | FMA peak then | tfm unfused | fused / unfused "
           "| PyTorch SDPA | fused / SDPA | PyTorch unfused | IREE | oneDNN sgemm QK^T | fused MiB | unfused MiB |",
           "| " + " | ".join(["---"] * 17) + " |"]
    for key in sorted(rows):
        b, h, t, causal, threads = key
        r = rows[key]
        f, u = r.get("tfm_fused"), r.get("tfm_unfused")
        sdpa, pu, iree = r.get("pytorch_sdpa"), r.get("pytorch_unfused"), r.get("iree")
        g = lambda s: s["gflops"] if s else None  # noqa: E731
        ratio = lambda a, c: f"{a['gflops'] / c['gflops']:.2f}x" if a and c else ""  # noqa: E731
        iree_txt = fmt(g(iree)) + (" (fused)" if iree and iree.get("fused_by_iree") else "")
        out.append(f"| {b} | {h} | {t} | {'yes' if causal else 'no'} | {threads} | {fmt(g(f))} | "
                   f"{fmt(f['pct'] if f else None)} | {fmt(f.get('peak_now') if f else None)} | {fmt(g(u))} | {ratio(f, u)} | {fmt(g(sdpa))} | "
                   f"{ratio(f, sdpa)} | {fmt(g(pu))} | {iree_txt} | {fmt(sgemm.get((b, h, t, threads)))} | "
                   f"{fmt(f['mib'] if f else None, 1)} | {fmt(u['mib'] if u else None, 1)} |")
    return "\n".join(out)


def targets(rows):
    """The issue's targets, checked on this run's medians."""
    def cells(pred):
        return [(k, v) for k, v in sorted(rows.items()) if pred(*k)]

    def name(k):
        return f"B={k[0]} H={k[1]} T={k[2]}{' causal' if k[3] else ''} {k[4]}t"

    lines = []
    c = [(k, v["tfm_fused"]["gflops"]) for k, v in cells(lambda b, h, t, ca, th: t >= 1024 and not ca and th == 2)
         if "tfm_fused" in v]
    if c:
        k, worst = min(c, key=lambda x: x[1])
        ok = sum(g >= 237 for _, g in c)
        lines.append(f"- fused, non-causal, T >= 1024, 2 threads, >= 237 GFLOP/s: {ok} of {len(c)} cells; "
                     f"lowest {worst:.0f} ({name(k)}), median {sorted(g for _, g in c)[len(c) // 2]:.0f}")
    c = [(k, v["tfm_fused"]["gflops"] / v["tfm_unfused"]["gflops"]) for k, v in
         cells(lambda b, h, t, ca, th: t == 2048) if "tfm_fused" in v and "tfm_unfused" in v]
    if c:
        k, worst = min(c, key=lambda x: x[1])
        lines.append(f"- fused / unfused at T = 2048, >= 3x: {sum(r >= 3 for _, r in c)} of {len(c)} cells; "
                     f"lowest {worst:.2f}x ({name(k)})")
    c = [(k, v["tfm_fused"]["gflops"] / v["pytorch_sdpa"]["gflops"]) for k, v in
         cells(lambda b, h, t, ca, th: t >= 1024) if "tfm_fused" in v and "pytorch_sdpa" in v]
    if c:
        k, worst = min(c, key=lambda x: x[1])
        lines.append(f"- fused / PyTorch SDPA at T >= 1024, >= 1x: {sum(r >= 1 for _, r in c)} of {len(c)} "
                     f"cells; lowest {worst:.2f}x ({name(k)})")
    c = []
    for k, v in cells(lambda b, h, t, ca, th: t == 2048 and ca):
        nc = rows.get((k[0], k[1], k[2], False, k[4]), {})
        if "tfm_fused" in v and "tfm_fused" in nc:
            c.append((k, v["tfm_fused"]["ms"] / nc["tfm_fused"]["ms"]))
    if c:
        k, worst = max(c, key=lambda x: x[1])
        lines.append(f"- causal / non-causal fused time at T = 2048, <= 0.6: {sum(r <= 0.6 for _, r in c)} of "
                     f"{len(c)} cells; highest {worst:.2f} ({name(k)})")
    c = [(k, v["tfm_fused"]["mib"] / v["tfm_unfused"]["mib"]) for k, v in
         cells(lambda b, h, t, ca, th: t == 4096) if "tfm_fused" in v and "tfm_unfused" in v]
    if c:
        k, worst = max(c, key=lambda x: x[1])
        lines.append(f"- fused / unfused extra memory at T = 4096, < 5%: {sum(r < 0.05 for _, r in c)} of "
                     f"{len(c)} cells; highest {100 * worst:.1f}% ({name(k)})")
    return "\n".join(lines)


def plot(rows, png):
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    series = [("tfm_fused", "tfm fused", "-o"), ("tfm_unfused", "tfm unfused", "-s"),
              ("pytorch_sdpa", "PyTorch SDPA (flash)", "--o"), ("pytorch_unfused", "PyTorch unfused", "--s"),
              ("iree", "IREE llvm-cpu", ":^")]
    for ci, causal in enumerate((False, True)):
        for ti, threads in enumerate((1, 2)):
            ax = axes[ci][ti]
            for s, label, style in series:
                pts = sorted((k[2], v[s]["gflops"]) for k, v in rows.items()
                             if k[0] == 1 and k[1] == 8 and k[3] == causal and k[4] == threads and s in v)
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style, label=label)
            ax.set_xscale("log", base=2)
            ax.set_title(f"B=1, H=8, d=64, {'causal' if causal else 'non-causal'}, {threads} thread(s)")
            ax.set_xlabel("T")
            ax.set_ylabel("GFLOP/s")
            ax.grid(True, alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main():
    rows, sgemm, context = load(sys.argv[1])
    print(f"FMA peak measured by attention_bench: {context.get('peak_gflops_1_thread', '?')} GFLOP/s "
          f"(1 thread), {context.get('peak_gflops_2_threads', '?')} (2 threads).\n")
    print(table(rows, sgemm))
    print("\nTargets, on this run's medians:\n")
    print(targets(rows))
    plot(rows, sys.argv[2])


if __name__ == "__main__":
    main()
