#!/usr/bin/env python3
"""Times pyxirr and pms-metrics' XIRR side by side on identical cash flows.

Writes deterministic SIP-like cash flows (100, 1,000 and 10,000 flows; the generator is the
one in benches/metrics.rs) to CSV files, times pyxirr on them call by call, runs the Rust
timing example (`xirr_timing`) on the same files, checks that both found the same rate, and
prints the median time per call and the ratio.

pyxirr is timed twice: with Python lists (`datetime.date` objects and floats, the usual call)
and, when numpy is available, with numpy arrays (its fastest input path). The ratio uses the
faster of the two, so it is the conservative figure.

usage: compare_pyxirr.py --rust PATH/TO/xirr_timing [--repeats N] [--sizes 100,1000,10000]
"""
import argparse
import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pyxirr

try:
    import numpy as np
except ImportError:  # numpy is optional: only for pyxirr's array input path
    np = None

MASK = (1 << 64) - 1


class Lcg:
    """64-bit LCG with Knuth's MMIX constants (same as benches/metrics.rs)."""

    def __init__(self, seed):
        self.state = seed

    def next_u32(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return self.state >> 33

    def unit(self):
        return self.next_u32() / 2147483648.0


def half_away(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def sip_flows(n):
    """Contributions every 1-3 days, a redemption every tenth flow, and a closing value that
    makes the XIRR 12% (several sign changes, so pyxirr's full path is exercised)."""
    rng = Lcg(42)
    date = dt.date(2000, 1, 3)
    flows = []
    for i in range(n - 1):
        if i % 10 == 9:
            amount = half_away(5000.0 + 20000.0 * rng.unit())
        else:
            amount = -half_away(10000.0 + 50000.0 * rng.unit())
        flows.append((date, float(amount)))
        date = date + dt.timedelta(days=1 + rng.next_u32() % 3)
    last = date
    future_value = sum(-a * 1.12 ** ((last - d).days / 365.0) for d, a in flows)
    flows.append((last, future_value))
    return flows


def median_ns(call, repeats):
    for _ in range(min(repeats, 100)):  # warm-up
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rust", required=True, help="path to the xirr_timing example binary")
    parser.add_argument("--repeats", type=int, default=2000, help="calls per size (fewer for big sizes)")
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    workdir = tempfile.mkdtemp(prefix="pms-xirr-")
    rows = []
    for n in sizes:
        flows = sip_flows(n)
        path = os.path.join(workdir, f"flows-{n}.csv")
        with open(path, "w") as f:
            for d, a in flows:
                f.write(f"{d.isoformat()},{a!r}\n")
        repeats = max(50, args.repeats * 100 // max(n, 100))
        dates = [d for d, _ in flows]
        amounts = [a for _, a in flows]
        rate_list = pyxirr.xirr(dates, amounts)
        list_ns = median_ns(lambda: pyxirr.xirr(dates, amounts), repeats)
        array_ns = None
        if np is not None:
            np_dates = np.array(dates, dtype="datetime64[D]")
            np_amounts = np.array(amounts, dtype=np.float64)
            rate_array = pyxirr.xirr(np_dates, np_amounts)
            assert math.isclose(rate_array, rate_list, rel_tol=1e-12), (rate_array, rate_list)
            array_ns = median_ns(lambda: pyxirr.xirr(np_dates, np_amounts), repeats)
        out = subprocess.run([args.rust, str(repeats), path], check=True, capture_output=True, text=True)
        rust = json.loads(out.stdout.strip().splitlines()[-1])
        if rust["xirr"] is None or not math.isclose(rust["xirr"], rate_list, rel_tol=1e-9, abs_tol=1e-12):
            sys.exit(f"{n} flows: pms-metrics {rust['xirr']} but pyxirr {rate_list}")
        rows.append((n, repeats, rate_list, list_ns, array_ns, rust["median_ns"]))

    def us(ns):
        return "-" if ns is None else f"{ns / 1000:,.1f}"

    print(f"pyxirr {getattr(pyxirr, '__version__', '?')}, Python {sys.version.split()[0]}"
          + (f", numpy {np.__version__}" if np is not None else ", numpy not installed"))
    print("median time per XIRR call, same flows on both sides (µs):")
    header = f"{'flows':>7} {'calls':>6} {'xirr':>10} {'pyxirr list':>12} {'pyxirr numpy':>13} {'pms-metrics':>12} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for n, repeats, rate, list_ns, array_ns, rust_ns in rows:
        best = min(x for x in (list_ns, array_ns) if x is not None)
        print(f"{n:>7,} {repeats:>6} {rate:>10.6f} {us(list_ns):>12} {us(array_ns):>13} {us(rust_ns):>12} {best / rust_ns:>8.1f}x")
    print("speed-up = the faster pyxirr input path / pms-metrics; goal ≥ 2x")


if __name__ == "__main__":
    main()
