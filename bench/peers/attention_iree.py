"""IREE peer of the attention benchmark: the same attention written in linalg
(QK^T, scale, optional causal mask, linalg.softmax, PV), compiled by
iree-compile for llvm-cpu (host CPU) and timed with iree-benchmark-module
(median of repetitions) at 1 and 2 threads. Records whether IREE raised it to
its fused iree_linalg_ext.attention. Prints JSON like attention_torch.py.

    attention_iree.py BIN_DIR WORK_DIR"""
import json
import os
import re
import subprocess
import sys

D = 64


def attention_mlir(n, t, causal):
    qkv, s = f"tensor<{n}x{t}x{D}xf32>", f"tensor<{n}x{t}x{t}xf32>"
    mask = ""
    last = "%sc"
    if causal:
        mask = f"""
  %e4 = tensor.empty() : {s}
  %m = linalg.generic {{indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]}} ins(%sc : {s}) outs(%e4 : {s}) {{
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %ok = arith.cmpi sle, %j, %i : index
    %ninf = arith.constant 0xFF800000 : f32
    %r = arith.select %ok, %a, %ninf : f32
    linalg.yield %r : f32
  }} -> {s}"""
        last = "%m"
    return f"""
func.func @attention(%q: {qkv}, %k: {qkv}, %v: {qkv}) -> {qkv} {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {s}
  %z = linalg.fill ins(%zero : f32) outs(%e : {s}) -> {s}
  %s = linalg.generic {{indexing_maps = [affine_map<(b, i, j, d) -> (b, i, d)>, affine_map<(b, i, j, d) -> (b, j, d)>, affine_map<(b, i, j, d) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}} ins(%q, %k : {qkv}, {qkv}) outs(%z : {s}) {{
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }} -> {s}
  %scale = arith.constant 0.125 : f32
  %e2 = tensor.empty() : {s}
  %sc = linalg.generic {{indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]}} ins(%s : {s}) outs(%e2 : {s}) {{
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %scale : f32
    linalg.yield %m : f32
  }} -> {s}{mask}
  %e3 = tensor.empty() : {s}
  %p = linalg.softmax dimension(2) ins({last} : {s}) outs(%e3 : {s}) -> {s}
  %eo = tensor.empty() : {qkv}
  %zo = linalg.fill ins(%zero : f32) outs(%eo : {qkv}) -> {qkv}
  %o = linalg.batch_matmul ins(%p, %v : {s}, {qkv}) outs(%zo : {qkv}) -> {qkv}
  return %o : {qkv}
}}
"""


def main():
    bin_dir, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    results = []
    target = ["--iree-hal-target-device=local", "--iree-hal-local-target-device-backends=llvm-cpu",
              "--iree-llvmcpu-target-cpu=host"]
    for b in (1, 4):
        for h in (8, 12):
            for t in (128, 256, 512, 1024, 2048, 4096):
                for causal in (False, True):
                    n = b * h
                    src = os.path.join(work, f"att_{n}_{t}_{int(causal)}.mlir")
                    vmfb = src.replace(".mlir", ".vmfb")
                    with open(src, "w") as f:
                        f.write(attention_mlir(n, t, causal))
                    c = subprocess.run([os.path.join(bin_dir, "iree-compile"), src, *target, "-o", vmfb],
                                       capture_output=True, text=True)
                    if c.returncode != 0:
                        results.append({"peer": "iree", "B": b, "H": h, "T": t, "causal": causal,
                                        "error": c.stderr.strip().splitlines()[-1:]})
                        continue
                    g = subprocess.run([os.path.join(bin_dir, "iree-compile"), src, *target,
                                        "--compile-to=global-optimization"], capture_output=True, text=True)
                    fused = "iree_linalg_ext.attention" in g.stdout
                    flops = 4.0 * b * h * t * t * D * (0.5 if causal else 1.0)
                    for threads in (1, 2):
                        inputs = [f"--input={n}x{t}x{D}xf32=0.01"] * 3
                        r = subprocess.run(
                            [os.path.join(bin_dir, "iree-benchmark-module"), f"--module={vmfb}",
                             "--function=attention", *inputs, "--device=local-task",
                             f"--task_topology_max_group_count={threads}", "--benchmark_repetitions=3",
                             "--benchmark_report_aggregates_only=true"],
                            capture_output=True, text=True)
                        m = re.search(r"_median\s+([0-9.]+) ms", r.stdout) or re.search(r"real_time\s+([0-9.]+) ms", r.stdout)
                        if not m:
                            results.append({"peer": "iree", "B": b, "H": h, "T": t, "causal": causal,
                                            "threads": threads, "error": r.stderr.strip()[-200:]})
                            continue
                        ms = float(m.group(1))
                        results.append({"peer": "iree", "B": b, "H": h, "T": t, "causal": causal,
                                        "threads": threads, "ms": ms, "gflops": flops / ms / 1e6,
                                        "fused_by_iree": fused})
                        print(json.dumps(results[-1]), file=sys.stderr)
    json.dump({"results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
