"""What the report_*.py scripts share: reading a results JSON, naming the CPU
from a saved lscpu, and the median rows of a Google Benchmark run."""
import json
import os


def load(path):
    with open(path) as f:
        return json.load(f)


def cpu_name(path):
    """'AMD EPYC, family 26 model 2, avx512f avx2 fma' from a saved lscpu."""
    if not os.path.exists(path):
        return "?"
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    flags = set(fields.get("Flags", "").split())
    isa = " ".join(x for x in ("avx512f", "avx2", "fma") if x in flags)
    return (f"{fields.get('Model name', '?')}, family {fields.get('CPU family', '?')} "
            f"model {fields.get('Model', '?')}, {isa}")


def medians(run):
    """The median aggregates of a Google Benchmark JSON run (--benchmark_repetitions)."""
    return [b for b in run["benchmarks"] if b.get("aggregate_name") == "median"]


def microseconds(b):
    """A benchmark's real time in microseconds, whatever its time unit."""
    return b["real_time"] * {"us": 1, "ms": 1e3, "ns": 1e-3, "s": 1e6}[b["time_unit"]]


def gflops(b):
    """A benchmark's GFLOP/s counter (a rate counter in some JSON: FLOP/s)."""
    return b["GFLOP/s"] / 1e9 if b["GFLOP/s"] > 1e6 else b["GFLOP/s"]
