"""PyTorch scaled_dot_product_attention (its CPU flash-attention kernel) at
the shapes of a list given as JSON lines on stdin ({B, H, T, causal}), d =
64, on THREADS threads. Prints a JSON list of {peer, B, H, T, causal,
threads, ms, gflops}, ms the median of 5 after a warm-up. With
ATEN_CPU_CAPABILITY=avx2 in the environment it runs PyTorch's AVX2 kernels.

    sdpa_torch.py THREADS < shapes.jsonl
"""
import json
import sys

import torch
import torch.nn.functional as F

from timing import median_seconds, shapes


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    out = []
    for s in shapes():
        b, h, t, causal = s["B"], s["H"], s["T"], bool(s["causal"])
        q, k, v = (torch.rand(b, h, t, 64) * 2 - 1 for _ in range(3))
        with torch.no_grad():
            ms = median_seconds(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal),
                                min_runs=5) * 1e3
        flops = 4.0 * b * h * t * t * 64 * (0.5 if causal else 1.0)
        out.append({"peer": "pytorch_sdpa", "B": b, "H": h, "T": t, "causal": causal,
                    "threads": threads, "ms": ms, "gflops": flops / ms / 1e6})
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
