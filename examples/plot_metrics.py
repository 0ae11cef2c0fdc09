"""Draws the metrics CSV files the examples write (tfm/metrics.hpp: a "step"
column and one metric) as line plots, with matplotlib.

    python3 examples/plot_metrics.py build/seed_loss.csv [more.csv ...] [-o loss.png]

Without -o, each CSV file's plot goes next to it, as <name>.png.
"""
import argparse
import csv
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or len(rows[0]) != 2 or rows[0][0] != "step":
        raise SystemExit(f"plot_metrics: {path}: not a tfm metrics file (header 'step,<metric>')")
    steps = [int(r[0]) for r in rows[1:]]
    values = [float(r[1]) for r in rows[1:]]
    return rows[0][1], steps, values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="+", type=pathlib.Path)
    parser.add_argument("-o", "--output", type=pathlib.Path, help="one PNG with every file's line")
    args = parser.parse_args()
    if args.output:
        fig, ax = plt.subplots(figsize=(8, 4.8))
    for path in args.csv:
        metric, steps, values = read(path)
        if not args.output:
            fig, ax = plt.subplots(figsize=(8, 4.8))
        ax.plot(steps, values, label=path.stem)
        ax.set_xlabel("step")
        ax.set_ylabel(metric)
        ax.grid(True, alpha=0.3)
        if not args.output:
            ax.set_title(path.stem)
            out = path.with_suffix(".png")
            fig.savefig(out, dpi=100, bbox_inches="tight")
            print(f"wrote {out}")
    if args.output:
        ax.legend()
        fig.savefig(args.output, dpi=100, bbox_inches="tight")
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
