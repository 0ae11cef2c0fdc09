"""Tables from one run of bench/run_train.sh: reads bench/results/train_*.json
and prints the Markdown of RESULTS.md's training section to stdout: per
model and thread count, each peer's step time, tokens/s, GFLOP/s and the
ratio of tfm fused to it; the targets checked; the GPT-2 block's time split.

    report_train.py RESULTS_DIR"""
import json
import os
import re
import sys

from peers.train_models import MODELS
from report_common import cpu_name, medians
from report_common import load as load_json

TITLES = {"small": "small decoder-only (d 256, 4 heads, 4 layers, d_ff 1024, T 256, batch 8, vocab 256)",
          "gpt2_block": "GPT-2-small block (d 768, 12 heads, d_ff 3072, T 512, batch 4, vocab 256)"}
PEERS = [("tfm_fused", "tfm fused"), ("tfm_unfused", "tfm unfused"), ("pytorch_eager", "PyTorch eager"),
         ("pytorch_compile", "torch.compile"), ("jax_jit", "JAX jax.jit")]
# On 2 threads: (peer, the least tfm fused speed-up over it).
TARGETS = {"small": [("pytorch_eager", 1.3), ("pytorch_compile", 1.0)],
           "gpt2_block": [("pytorch_eager", 1.1)]}


def load(results_dir, tag=""):
    rows = {}  # (model, threads) -> {peer: {"ms", "loss", ...}}
    parts = {}  # (part, threads) -> ms
    gflop = {}  # model or part -> GFLOP per call, as train_bench counts it
    tfm = load_json(os.path.join(results_dir, f"train_tfm{tag}.json"))
    for bm in medians(tfm):
        m = re.match(r"BM_TrainStep/model:(\w+)/fused:(\d)/threads:(\d)", bm["name"])
        if m:
            peer = "tfm_fused" if m[2] == "1" else "tfm_unfused"
            gflop[m[1]] = bm["GFLOP"]
            rows.setdefault((m[1], int(m[3])), {})[peer] = {
                "ms": bm["real_time"], "loss": bm["loss"], "peak_now": bm.get("peak_now")}
            continue
        m = re.match(r"BM_Gpt2Block(Matmuls|Attention)/threads:(\d)", bm["name"])
        if m:
            parts[(m[1].lower(), int(m[2]))] = bm["real_time"]
            gflop[m[1].lower()] = bm["GFLOP"]
    for name in sorted(os.listdir(results_dir)):
        if re.match(rf"train_(torch|jax){tag}_\d\.json$", name):
            with open(os.path.join(results_dir, name)) as f:
                for r in json.load(f)["results"]:
                    rows.setdefault((r["model"], r["threads"]), {})[r["peer"]] = r
    return rows, parts, gflop, tfm.get("context", {})


def main():
    tag = sys.argv[2] if len(sys.argv) > 2 else ""
    rows, parts, gflop, context = load(sys.argv[1], tag)
    print(f"CPU: {cpu_name(os.path.join(sys.argv[1], f'train_lscpu{tag}.txt'))} -- tfm code for "
          f"`{context.get('tfm_cpu', 'host')}`\n")
    print(f"FMA peak measured at start-up: {float(context.get('peak_gflops_1_thread', 0)):.0f} GFLOP/s "
          f"on 1 thread, {float(context.get('peak_gflops_2_threads', 0)):.0f} on 2.\n")
    checks = []
    for model in MODELS:
        print(f"### {TITLES[model]}\n")
        b, t = MODELS[model][:2]
        print(f"{gflop[model]:.1f} GFLOP per step (matmuls and attention, forward and backward), "
              f"{b * t} tokens per step.\n")
        print("| threads | peer | ms / step | tokens/s | GFLOP/s | tfm fused speed-up over it | loss after the run |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for threads in (1, 2):
            row = rows.get((model, threads), {})
            fused = row.get("tfm_fused", {}).get("ms")
            for key, label in PEERS:
                r = row.get(key)
                if r is None:
                    continue
                ratio = f"{r['ms'] / fused:.2f}x" if fused else "-"
                print(f"| {threads} | {label} | {r['ms']:.1f} | {b * t / r['ms'] * 1e3:,.0f} | "
                      f"{gflop[model] / r['ms'] * 1e3:.0f} | {ratio if key != 'tfm_fused' else ''} | {r['loss']:.3f} |")
            labels = dict(PEERS)
            for peer, least in TARGETS[model]:
                other = row.get(peer, {}).get("ms")
                if not (fused and other):
                    continue
                ratio = other / fused
                verdict = ("**met**" if ratio >= least else "**missed**") if threads == 2 else "(no target on 1 thread)"
                checks.append(f"- {model}, {threads} thread(s): tfm fused speed-up over {labels[peer]} = "
                              f"{ratio:.2f}x (target on 2 threads >= {least:.1f}x): {verdict}")
        print()
    print("### Targets\n")
    print("\n".join(checks) + "\n")

    if "matmuls" not in gflop:  # the parts were not measured (a filtered run)
        return
    print("### Where the GPT-2 block's step goes\n")
    print("tfm: the block's matmuls (every linear layer's forward and two backward matmuls, the tied "
          "head's too) and its fused attention forward and backward, each timed alone at the same "
          "shapes (`BM_Gpt2BlockMatmuls`, `BM_Gpt2BlockAttention`); the rest is the step minus both. "
          "PyTorch eager: shares of the profiled operator time (`torch.profiler`: aten::mm/addmm/bmm, "
          "the scaled_dot_product flash kernels, everything else) applied to its step time.\n")
    print("| threads | peer | step ms | matmuls ms | attention ms | rest ms | matmul GFLOP/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    matmul_gflop = gflop["matmuls"]
    for threads in (1, 2):
        row = rows.get(("gpt2_block", threads), {})
        fused = row.get("tfm_fused", {}).get("ms")
        mm, att = parts.get(("matmuls", threads)), parts.get(("attention", threads))
        if fused and mm and att:
            print(f"| {threads} | tfm fused | {fused:.1f} | {mm:.1f} | {att:.1f} | {fused - mm - att:.1f} | "
                  f"{matmul_gflop / mm * 1e3:.0f} |")
        eager = row.get("pytorch_eager")
        if eager and "split" in eager:
            s, ms = eager["split"], eager["ms"]
            print(f"| {threads} | PyTorch eager | {ms:.1f} | {s['matmuls'] * ms:.1f} | "
                  f"{s['attention'] * ms:.1f} | {s['rest'] * ms:.1f} | "
                  f"{matmul_gflop / (s['matmuls'] * ms) * 1e3:.0f} |")
    print()


if __name__ == "__main__":
    main()
