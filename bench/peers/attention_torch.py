"""PyTorch peers of the attention benchmark: scaled_dot_product_attention
(PyTorch's CPU flash-attention kernel) and the unfused
matmul -> scale -> mask -> softmax -> matmul, same shapes and threads as
attention_bench. Prints JSON: a list of {peer, B, H, T, causal, threads, ms,
gflops}; time is the median of the repetitions."""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

D = 64


def unfused(q, k, v, causal):
    s = (q @ k.transpose(-1, -2)) * (1.0 / D ** 0.5)
    if causal:
        t = s.shape[-1]
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        s = s.masked_fill(mask, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


def median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    results = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for b in (1, 4):
            for h in (8, 12):
                for t in (128, 256, 512, 1024, 2048, 4096):
                    q, k, v = (torch.rand(b, h, t, D) * 2 - 1 for _ in range(3))
                    reps = 3 if b * h * t >= 4 * 12 * 2048 else 7
                    for causal in (False, True):
                        flops = 4.0 * b * h * t * t * D * (0.5 if causal else 1.0)
                        with torch.no_grad():
                            for name, fn in (
                                ("pytorch_sdpa", lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal)),
                                ("pytorch_unfused", lambda: unfused(q, k, v, causal)),
                            ):
                                ms = median_ms(fn, reps)
                                results.append({"peer": name, "B": b, "H": h, "T": t, "causal": causal,
                                                "threads": threads, "ms": ms, "gflops": flops / ms / 1e6})
                                print(json.dumps(results[-1]), file=sys.stderr)
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
