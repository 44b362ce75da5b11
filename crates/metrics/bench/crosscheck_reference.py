#!/usr/bin/env python3
"""Differential check of pms-metrics against the reference libraries on random cases.

Generates XIRR cases (one and several sign changes, unordered and same-day flows, extreme
amounts, near-total losses, several-hundred-percent returns, long horizons) and return-series
cases (short, constant, one-sided benchmark, extreme), computes the expected values with pyxirr
and empyrical-reloaded the way golden/metrics.json was built, asks `pms-metrics` (the `eval`
example: same code as `pms-hub metrics eval`) for its values and reports every disagreement
beyond relative 1e-9 / absolute 1e-12.

usage: crosscheck_reference.py EVAL_BINARY [--seed N] [--cases N]
Needs: pyxirr, empyrical-reloaded (numpy, pandas, scipy) in the running interpreter.
"""
import argparse
import datetime as dt
import json
import math
import random
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import empyrical as ep
import pyxirr

warnings.filterwarnings("ignore")
REL, ABS = 1e-9, 1e-12


def clean(x):
    """float or None, the way the golden file spells undefined."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def ref_xirr(flows):
    try:
        return clean(pyxirr.xirr([dt.date.fromisoformat(d) for d, _ in flows], [a for _, a in flows]))
    except Exception:
        return None


def xirr_cases(rng, count):
    cases = []
    base = dt.date(2015, 1, 1)
    for i in range(count):
        kind = i % 9
        n = rng.randint(3, 40)
        days = sorted(rng.sample(range(0, 3650), n))
        if kind == 0:  # SIP then a final value: one sign change
            amounts = [-rng.uniform(1e4, 1e6) for _ in range(n - 1)] + [rng.uniform(1e5, 5e7)]
        elif kind == 1:  # several sign changes
            amounts = [rng.choice([-1, 1]) * rng.uniform(1e3, 1e7) for _ in range(n)]
        elif kind == 2:  # near-total loss with several flows
            amounts = [-rng.uniform(1e5, 1e6) for _ in range(n - 1)] + [rng.uniform(1, 100)]
        elif kind == 3:  # several hundred percent in months
            days = sorted(rng.sample(range(0, 200), n))
            amounts = [-rng.uniform(1e4, 1e5) for _ in range(n - 1)] + [rng.uniform(1e6, 1e7)]
        elif kind == 4:  # extreme magnitudes
            amounts = [-(10 ** rng.uniform(-2, 12)) for _ in range(n - 1)] + [10 ** rng.uniform(-2, 13)]
        elif kind == 5:  # one sign only (undefined)
            amounts = [rng.uniform(1, 1e6) for _ in range(n)]
        elif kind == 6:  # unordered, same-day flows
            days = [rng.randint(0, 2000) for _ in range(n)]
            amounts = [-rng.uniform(1e3, 1e6) for _ in range(n - 2)] + [rng.uniform(1e5, 1e7), rng.uniform(1e5, 1e7)]
            days[-1] = days[-2] = max(days) + rng.randint(0, 3)
        elif kind == 7:  # forty years, monthly contributions
            n = 480
            days = [30 * k for k in range(n)]
            amounts = [-5e3] * (n - 1) + [rng.uniform(1e6, 5e7)]
        else:  # almost break-even
            amounts = [-rng.uniform(1e4, 1e6) for _ in range(n - 1)]
            amounts.append(-sum(amounts) * rng.uniform(0.999, 1.001))
        flows = [[(base + dt.timedelta(days=d)).isoformat(), round(a, 2)] for d, a in zip(days, amounts)]
        if kind == 6:
            rng.shuffle(flows)
        cases.append({"id": f"x{i}-k{kind}", "flows": flows, "expected": ref_xirr(flows)})
    return cases


def ref_returns(r, b, rf, A):
    r = np.asarray(r, dtype=float)
    out = {}

    def put(key, f):
        try:
            out[key] = clean(f())
        except Exception:
            out[key] = None

    put("annual_return", lambda: ep.annual_return(r, annualization=A))
    put("annual_volatility", lambda: ep.annual_volatility(r, annualization=A))
    put("sharpe", lambda: ep.sharpe_ratio(r, risk_free=rf, annualization=A))
    put("sortino", lambda: ep.sortino_ratio(r, required_return=rf, annualization=A))
    put("downside_risk", lambda: ep.downside_risk(r, required_return=rf, annualization=A))
    put("max_drawdown", lambda: ep.max_drawdown(r))
    put("calmar", lambda: ep.calmar_ratio(r, annualization=A))
    put("var_95", lambda: ep.value_at_risk(r, 0.05))
    put("cvar_95", lambda: ep.conditional_value_at_risk(r, 0.05))
    put("tail_ratio", lambda: ep.tail_ratio(r))
    if b is None:
        for key in ["alpha", "beta", "up_capture", "down_capture", "tracking_error", "information_ratio"]:
            out[key] = None
        return out
    b = np.asarray(b, dtype=float)
    put("alpha", lambda: ep.alpha(r, b, risk_free=rf, annualization=A))
    put("beta", lambda: ep.beta(r, b, risk_free=rf))
    put("up_capture", lambda: ep.up_capture(r, b))
    put("down_capture", lambda: ep.down_capture(r, b))
    active = r - b
    put("tracking_error", lambda: np.std(active, ddof=1) * np.sqrt(A) if len(r) >= 2 else np.nan)
    put("information_ratio", lambda: np.mean(active) / np.std(active, ddof=1) * np.sqrt(A) if len(r) >= 2 else np.nan)
    return out


def returns_cases(rng, count):
    cases = []
    for i in range(count):
        kind = i % 8
        n = rng.choice([1, 2, 3, 5, 17, 60, 250, 1250])
        rf_annual = rng.choice([0.0, 0.065, 0.07])
        r = [rng.gauss(0.0004, 0.015) for _ in range(n)]
        b = [rng.gauss(0.0003, 0.012) for _ in range(n)]
        if kind == 1:
            r = [0.001] * n  # constant
        elif kind == 2:
            b = [abs(x) + 1e-4 for x in b]  # no down days
        elif kind == 3:
            r = [abs(x) for x in r]  # no drawdown
        elif kind == 4:
            r = [rng.uniform(-0.9, 2.0) for _ in range(n)]  # wild
        elif kind == 5:
            b = [0.0] * n  # zero benchmark variance
        elif kind == 6:
            r = [x * 1e-9 for x in r]
        r = [round(x, 10) for x in r]
        b = [round(x, 10) for x in b]
        bench = None if kind == 7 else b
        A = 252
        rf = (1 + rf_annual) ** (1 / A) - 1
        cases.append({
            "id": f"r{i}-k{kind}-n{n}", "annualization": A, "risk_free_annual": rf_annual,
            "risk_free_daily": rf, "returns": r, "benchmark": bench,
            "expected": ref_returns(r, bench, rf, A),
        })
    return cases


def close(a, e):
    if a is None or e is None:
        return a is None and e is None
    return abs(a - e) <= ABS or abs(a - e) <= REL * abs(e)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("eval_binary")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--cases", type=int, default=900)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    doc = {"about": "random cross-check", "xirr": xirr_cases(rng, args.cases),
           "returns_metrics": returns_cases(rng, args.cases // 3)}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
        path = f.name
    ours = json.loads(subprocess.run([args.eval_binary, path], check=True, capture_output=True, text=True).stdout)
    problems = 0
    for case, got in zip(doc["xirr"], ours["xirr"]):
        if not close(got["expected"], case["expected"]):
            problems += 1
            print(f"xirr {case['id']}: ours {got['expected']!r} pyxirr {case['expected']!r}")
    for case, got in zip(doc["returns_metrics"], ours["returns_metrics"]):
        for key, expected in case["expected"].items():
            if not close(got["expected"][key], expected):
                problems += 1
                print(f"stats {case['id']} {key}: ours {got['expected'][key]!r} empyrical {expected!r}")
    defined = sum(c["expected"] is not None for c in doc["xirr"])
    print(f"{len(doc['xirr'])} xirr cases ({defined} defined), {len(doc['returns_metrics'])} return cases: "
          f"{problems} disagreement(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
