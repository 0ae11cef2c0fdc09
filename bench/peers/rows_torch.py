"""PyTorch peer of the row-op benchmark (bench/rows_bench.cpp): the shapes of
BM_Rows, read as JSON lines from stdin (`rows_bench --list_shapes`), each op
as PyTorch's own kernel -- F.layer_norm, F.rms_norm, torch.softmax, and
aten.native_layer_norm_backward for layer_norm_grad (given the forward's
saved mean and 1/std, which tfm's backward recomputes). Prints JSON: a list
of {peer, name, threads, us}, us the median over at least 1 s per shape.

    rows_bench --list_shapes | rows_torch.py THREADS
"""
import json
import sys

import torch
import torch.nn.functional as F

from timing import median_seconds, shapes


def op_of(s):
    rows, d = s["rows"], s["d"]
    x = torch.rand(rows, d) * 2 - 1
    g = torch.rand(d) * 2 - 1
    b = torch.rand(d) * 2 - 1
    if s["op"] == "layer_norm":
        return lambda: F.layer_norm(x, (d,), g, b, 1e-5)
    if s["op"] == "rms_norm":
        return lambda: F.rms_norm(x, (d,), g, 1e-6)
    if s["op"] == "softmax":
        return lambda: torch.softmax(x, -1)
    dy = torch.rand(rows, d) * 2 - 1
    _, mean, rstd = torch.ops.aten.native_layer_norm(x, [d], g, b, 1e-5)
    return lambda: torch.ops.aten.native_layer_norm_backward(dy, x, [d], mean, rstd, g, b,
                                                             [True, True, True])


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    results = []
    for s in shapes():
        f = op_of(s)
        with torch.no_grad():
            us = median_seconds(f, min_seconds=1.0, min_runs=20) * 1e6
        results.append({"peer": "pytorch", "name": s["name"], "threads": threads, "us": us})
        print(json.dumps(results[-1]), file=sys.stderr)
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
