"""The peers' timing loop: one warm-up call, then calls of f until at least
min_seconds have passed and min_runs were timed; the median in seconds."""
import statistics
import time


def median_seconds(f, min_seconds=0.0, min_runs=5):
    f()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(times) < min_runs:
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
