"""The fused attention targets' table (bench/run_attention_targets.sh): tfm
fused and unfused against PyTorch SDPA per shape, for each ISA measured, with
the targets checked: fused >= 1.3x SDPA at T >= 1024, fused >= 3x unfused at
T = 2048, causal fused time <= 0.55x non-causal at T = 2048.

    report_attention_targets.py RESULTS_DIR ISA...
"""
import os
import sys

from report_common import cpu_name, gflops, load, medians


def main():
    d = sys.argv[1]
    for isa in sys.argv[2:]:
        tfm = load(os.path.join(d, f"attention_targets_tfm_{isa}.json"))
        torch = load(os.path.join(d, f"attention_targets_torch_{isa}.json"))
        ctx = tfm["context"]
        cell = {}
        for b in medians(tfm):
            p = b["run_name"].split("/")
            key = (int(p[1][2:]), int(p[2][2:]), int(p[3][2:]), bool(int(p[4][7:])))
            cell.setdefault(key, {})["fused" if "Fused" in p[0] else "unfused"] = (
                b["real_time"], gflops(b))
        for r in torch:
            cell.setdefault((r["B"], r["H"], r["T"], r["causal"]), {})["sdpa"] = (r["ms"], r["gflops"])
        print(f"### {isa}: CPU {cpu_name(os.path.join(d, 'attention_targets_lscpu.txt'))}; "
              f"tfm code for `{ctx.get('tfm_cpu', 'host')}`, FMA peak ({ctx.get('peak_isa')}) "
              f"{float(ctx['peak_gflops_2_threads']):.0f} GFLOP/s on 2 threads\n")
        print("| B | H | T | causal | tfm fused ms | GFLOP/s | tfm unfused ms | fused / unfused | SDPA ms | fused / SDPA |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        sdpa_ratios, unfused_ratios, causal_ratios = [], [], []
        for key in sorted(cell):
            c = cell[key]
            f, u, s = c.get("fused"), c.get("unfused"), c.get("sdpa")
            ru = u[0] / f[0] if f and u else None
            rs = s[0] / f[0] if f and s else None
            if rs:
                sdpa_ratios.append((rs, key))
            if ru and key[2] == 2048:
                unfused_ratios.append((ru, key))
            if key[3] and f and (key[0], key[1], key[2], False) in cell:
                nc = cell[(key[0], key[1], key[2], False)].get("fused")
                if nc and key[2] == 2048:
                    causal_ratios.append((f[0] / nc[0], key))
            fmt = lambda x, p: p.format(x) if x is not None else "-"
            print(f"| {key[0]} | {key[1]} | {key[2]} | {'yes' if key[3] else 'no'} | {fmt(f and f[0], '{:.1f}')} | "
                  f"{fmt(f and f[1], '{:.0f}')} | {fmt(u and u[0], '{:.1f}')} | {fmt(ru, '{:.2f}x')} | "
                  f"{fmt(s and s[0], '{:.1f}')} | {fmt(rs, '{:.2f}x')} |")
        print()
        print("| target | result |")
        print("| --- | --- |")
        def verdict(pairs, ok, what):
            if not pairs:
                return
            met = sum(1 for r, _ in pairs if ok(r))
            lo = min(pairs)[0]
            hi = max(pairs)[0]
            print(f"| {what} | {met} of {len(pairs)} cells; {lo:.2f}x to {hi:.2f}x |")
        verdict(sdpa_ratios, lambda r: r >= 1.3, "fused >= 1.3x SDPA (T >= 1024)")
        verdict(unfused_ratios, lambda r: r >= 3.0, "fused >= 3x tfm unfused (T = 2048)")
        verdict(causal_ratios, lambda r: r <= 0.55, "causal time <= 0.55x non-causal (T = 2048)")
        print()


if __name__ == "__main__":
    main()
