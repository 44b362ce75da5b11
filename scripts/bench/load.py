"""Latency of the Hub's hottest requests under concurrent load, against a running server.

Signs in (the login server function, like a browser), then fires the executive summary, the
client list (sorted, paged, searched), a client page's data, the header search, the Portfolio
performance reads (whole book, a client, the picker), the Compliance overview and the first
page's server-side render from several threads, and prints p50/p95/p99 per request. Budgets (DESIGN.md): every
dashboard server function p95 <= 50 ms on the large data set; first page SSR <= 100 ms.

    python3 scripts/bench/load.py http://127.0.0.1:3000 EMAIL PASSWORD [--seconds 30] [--threads 8]
"""
import argparse
import http.cookiejar
import json
import statistics
import threading
import time
import urllib.parse
import urllib.request


def opener_for(base, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    opener.addheaders = [("Origin", base)]
    body = urllib.parse.urlencode({"email": email, "password": password, "next": "/"}).encode()
    try:
        opener.open(base + "/api/auth/login", body, timeout=30)
    except urllib.error.HTTPError as e:  # the redirect after signing in
        if e.code not in (302, 303):
            raise
    return opener


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def requests(base, opener):
    clients = json.load(opener.open(base + "/api/v1/clients?page_size=50", timeout=30))["items"]
    some = [c["client_id"] for c in clients[:50]] or [1]
    form = lambda d: urllib.parse.urlencode(d).encode()
    request = urllib.request.Request(base + "/api/filters/choices", data=b"", method="POST")
    choices = json.load(opener.open(request, timeout=30))
    risks = choices["risk_profiles"] or [""]
    states = choices["states"] or [""]
    years = [fy for fy in choices["financial_years"]][:3] or [None]
    filters = [
        "risk=%s" % urllib.parse.quote_plus(risks[k % len(risks)])
        + ("&fy=%d-%02d" % (years[k % len(years)], (years[k % len(years)] + 1) % 100) if years[0] else "")
        for k in range(6)
    ]
    return {
        "executive summary (server fn)": lambda i: (base + "/api/summary/executive", b""),
        "client list, AUM order (server fn)": lambda i: (
            base + "/api/clients/list",
            form({"query[sort]": "aum", "query[descending]": "true", "query[page]": str(1 + i % 20), "query[page_size]": "25", "query[include_closed]": "false"}),
        ),
        "client search (server fn)": lambda i: (
            base + "/api/clients/list",
            form({"query[search]": ["sha", "mehta", "kumar", "iyer", "patel"][i % 5], "query[sort]": "name", "query[descending]": "false", "query[page]": "1", "query[page_size]": "25", "query[include_closed]": "false"}),
        ),
        "client detail (server fn)": lambda i: (base + "/api/clients/detail", form({"client_id": str(some[i % len(some)])})),
        "header client search (server fn)": lambda i: (
            base + "/api/clients/search", form({"text": ["sha", "mehta", "kumr", "iyer", "patel"][i % 5]}),
        ),
        "performance, whole book (server fn)": lambda i: (base + "/api/performance/group", form({"group": "firm"})),
        "performance, one client (server fn)": lambda i: (
            base + "/api/performance/group", form({"group": "client-%d" % some[i % len(some)]}),
        ),
        "performance picker (server fn)": lambda i: (base + "/api/performance/choices", b""),
        "compliance overview (server fn)": lambda i: (base + "/api/compliance/overview", b""),
        "client analytics: league, flows, geography (server fn)": lambda i: (base + "/api/clients/analytics", b""),
        "filter choices (server fn)": lambda i: (base + "/api/filters/choices", b""),
        "executive summary, risk profile x FY (server fn)": lambda i: (
            base + "/api/summary/executive", form({"filter": filters[i % len(filters)]}),
        ),
        "performance, whole book in one state (server fn)": lambda i: (
            base + "/api/performance/group", form({"group": "firm", "filter": "state=" + urllib.parse.quote_plus(states[i % len(states)])}),
        ),
        "client list, one state (server fn)": lambda i: (
            base + "/api/clients/list",
            form({"query[sort]": "aum", "query[descending]": "true", "query[page]": "1", "query[page_size]": "25", "query[include_closed]": "false",
                  "query[filter]": "state=" + urllib.parse.quote_plus(states[i % len(states)])}),
        ),
        "compliance overview, one strategy (server fn)": lambda i: (
            base + "/api/compliance/overview", form({"filter": "strategy=%d" % choices["strategies"][i % len(choices["strategies"])][0]}),
        ),
        "first page, server-rendered": lambda i: (base + "/", None),
    }


def run(base, opener, name, make, seconds, threads):
    samples, errors, stop = [], [0], time.time() + seconds
    lock = threading.Lock()

    def worker(k):
        i = k
        while time.time() < stop:
            url, body = make(i)
            i += threads
            start = time.perf_counter()
            try:
                opener.open(url, body, timeout=30).read()
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    samples.append(elapsed)
            except Exception:
                with lock:
                    errors[0] += 1

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    samples.sort()
    q = lambda p: samples[min(len(samples) - 1, int(len(samples) * p))] if samples else float("nan")
    print(f"{name:<40}{len(samples):>8}{len(samples) / seconds:>9.0f}/s{q(.5):>9.1f}{q(.95):>9.1f}{q(.99):>9.1f}{errors[0]:>8}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("email")
    ap.add_argument("password")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--threads", type=int, default=8)
    a = ap.parse_args()
    opener = opener_for(a.base.rstrip("/"), a.email, a.password)
    print(f"{'request':<40}{'count':>8}{'rate':>11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, make in requests(a.base.rstrip("/"), opener).items():
        run(a.base.rstrip("/"), opener, name, make, a.seconds, a.threads)


if __name__ == "__main__":
    main()
