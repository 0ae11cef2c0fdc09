"""What the peers share: the shapes they read (JSON lines on stdin, as the
benchmarks' --list_shapes print them) and their timing loop."""
import json
import statistics
import sys
import time


def shapes(stream=sys.stdin):
    """Each JSON object of `stream`, one per non-blank line."""
    for line in stream:
        if line.strip():
            yield json.loads(line)


def median_seconds(f, min_seconds=0.0, min_runs=5):
    """One warm-up call, then calls of f until at least min_seconds have
    passed and min_runs were timed; the median in seconds."""
    f()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(times) < min_runs:
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
