"""PyTorch peer of the matmul benchmark (bench/matmul_bench.cpp): torch.matmul
on the shapes of BM_Matmul, read as JSON lines from stdin
(`matmul_bench --list_shapes`), a transposed operand as a transposed view
(PyTorch hands BLAS the transpose flag). Prints JSON: a list of {peer, name,
threads, ms, gflops}, ms the median over at least 2 s per shape.

    matmul_bench --list_shapes | matmul_torch.py THREADS
"""
import json
import sys

import torch

from timing import median_seconds, shapes


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    results = []
    for s in shapes():
        m, k, n = s["M"], s["K"], s["N"]
        a = (torch.rand(k, m) * 2 - 1).t() if s["ta"] else torch.rand(m, k) * 2 - 1
        b = (torch.rand(n, k) * 2 - 1).t() if s["tb"] else torch.rand(k, n) * 2 - 1
        with torch.no_grad():
            ms = median_seconds(lambda: torch.matmul(a, b), min_seconds=2.0, min_runs=5) * 1e3
        results.append({"peer": "pytorch_matmul", "name": s["name"], "threads": threads,
                        "ms": ms, "gflops": 2.0 * m * n * k / ms / 1e6})
        print(json.dumps(results[-1]), file=sys.stderr)
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
