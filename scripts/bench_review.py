"""Review-app speed in a real browser: seconds per decision and dashboard open time.

For each store size, builds a synthetic store (bulk inserts, :mod:`review_app.demo_store`),
starts ``streamlit run`` on loopback and drives Chromium through Playwright at 1366×768:
signs in as an auditor, makes ``--decisions`` decisions with the single keys (accept,
some rejects with a number-key reason, one undo) and times each from the key press to
the next card drawn and the run finished; then opens the dashboard and times it until
the page has finished its run and its charts are drawn. Beside wall-clock seconds it
reports the CPU seconds the app server and Chromium used for each (a busy machine
inflates them much less than wall time) and the load average.

    .venv/bin/python scripts/bench_review.py --flags 500 100000 --out docs/bench_review.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher

from review_app import browser, demo_store

PASSWORD = "bench horse battery"


def children_cpu() -> float:
    """CPU seconds used so far by this process's descendants (app server, Chromium)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(stat[1]), []).append(int(entry))
    total, todo = 0.0, list(parents.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo += parents.get(pid, [])
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return total


def bench_size(n_flags: int, decisions: int, dashboard_opens: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="careaudit-bench-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'review.db'}"
        t0 = time.perf_counter()
        engine = demo_store.build(url, n_flags, PasswordHasher().hash(PASSWORD))
        build_s = time.perf_counter() - t0
        size = demo_store.store_size(engine)
        engine.dispose()
        with browser.app_server(url, workdir) as base, browser.chromium() as chrome:
            page = chrome.new_context(viewport=browser.VIEWPORT).new_page()
            page.set_default_timeout(60_000)
            browser.sign_in(page, base, "ann", PASSWORD)
            card = browser.current_card(page)
            times: list[float] = []
            cpu: list[float] = []
            for i in range(decisions + 2):  # the first two warm up caches, not counted
                start, cpu_start = time.perf_counter(), children_cpu()
                if i % 7 == 5:  # a reject: a reason by its number key, then r
                    card = browser.reject(page, card)
                else:
                    # an undo once: the previous card comes back
                    browser.press(page, "u" if i == decisions // 2 else "a")
                    card = browser.wait_card_change(page, card)
                if i >= 2:
                    times.append(time.perf_counter() - start)
                    cpu.append(children_cpu() - cpu_start)
            opens: list[float] = []
            dash_cpu: list[float] = []
            for _ in range(dashboard_opens):
                page.get_by_role("link", name="Queue").click()
                browser.wait_idle(page)
                start, cpu_start = time.perf_counter(), children_cpu()
                page.get_by_role("link", name="Dashboard").click()
                page.wait_for_selector("#ca-dashboard-ready", state="attached")
                browser.wait_idle(page)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
                    ".every(c => !c.offsetParent || c.querySelector('canvas, svg'))"
                )
                opens.append(time.perf_counter() - start)
                dash_cpu.append(children_cpu() - cpu_start)
        return {
            "flags": size["flags"],
            "notes": size["notes"],
            "build_seconds": round(build_s, 1),
            "decisions_timed": len(times),
            "median_seconds_per_decision": round(statistics.median(times), 3),
            "p90_seconds_per_decision": round(sorted(times)[int(0.9 * (len(times) - 1))], 3),
            "dashboard_open_seconds_median": round(statistics.median(opens), 3),
            "dashboard_open_seconds_max": round(max(opens), 3),
            "cpu_seconds_per_decision_median": round(statistics.median(cpu), 3),
            "dashboard_open_cpu_seconds_median": round(statistics.median(dash_cpu), 3),
            "load_average_during": os.getloadavg()[0],
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flags", type=int, nargs="+", default=[500, 100_000])
    ap.add_argument("--decisions", type=int, default=30)
    ap.add_argument("--dashboard-opens", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = ap.parse_args()
    results = {
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}",
        "viewport": browser.VIEWPORT,
        "sizes": [bench_size(n, args.decisions, args.dashboard_opens) for n in args.flags],
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
