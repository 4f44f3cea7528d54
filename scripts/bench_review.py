"""Review-app speed in a real browser: seconds per decision and dashboard open time.

For each store size, builds a synthetic store (bulk inserts, :mod:`review_app.demo_store`),
optionally with some of its best flags already confirmed (``100000:30000``: 100,000 flags,
30,000 of them decided: a store deep into its review, the open queue's top all decided),
starts ``streamlit run`` on loopback and drives Chromium through Playwright at 1366×768:
signs in as an auditor, makes ``--decisions`` decisions with the single keys (accept, some
rejects with a number-key reason, one undo) and times each from the key press to the next
card drawn and the run finished; then opens the dashboard and times it until the page has
finished its run and its charts are drawn. Beside wall-clock seconds it reports the CPU
seconds used per decision by the app server (Python: the script run, Streamlit, the
websocket) and by Chromium (rendering), and the load average: on a shared machine, wall
time is inflated by other jobs; CPU seconds much less.

``--repeat R`` measures each size R times (a fresh store, server and browser each time) and
reports the median over the repeats beside each repeat's figures.

    .venv/bin/python scripts/bench_review.py --flags 500 100000 100000:30000 --repeat 3 \\
        --out docs/bench_review.json
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


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def children_cpu() -> dict[str, float]:
    """CPU seconds used so far by this process's descendants: the app server (python), the
    browser (chromium and its helpers) and the Playwright driver (node)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            parents.setdefault(int(stat[1]), []).append(int(entry))
    out = {"server": 0.0, "browser": 0.0, "driver": 0.0}
    todo = list(parents.get(os.getpid(), []))
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        todo += parents.get(pid, [])
        if (stat := _stat(pid)) is None:
            continue
        comm = _comm(pid)
        kind = "server" if comm.startswith("python") else "driver" if comm == "node" else "browser"
        out[kind] += (int(stat[11]) + int(stat[12])) / tick
    return out


def _delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before[k] for k in before}


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def bench_once(
    n_flags: int, decided: int, decisions: int, dashboard_opens: int
) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="careaudit-bench-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'review.db'}"
        t0 = time.perf_counter()
        engine = demo_store.build(url, n_flags, PasswordHasher().hash(PASSWORD))
        pre = demo_store.decide_bulk(engine, decided) if decided else 0
        build_s = time.perf_counter() - t0
        size = demo_store.store_size(engine)
        engine.dispose()
        load_before = os.getloadavg()[0]
        with browser.app_server(url, workdir) as base, browser.chromium() as chrome:
            page = chrome.new_context(viewport=browser.VIEWPORT).new_page()
            page.set_default_timeout(60_000)
            browser.sign_in(page, base, "ann", PASSWORD)
            card = browser.wait_card(page)
            times: list[float] = []
            cpu: list[dict[str, float]] = []
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
                    cpu.append(_delta(cpu_start, children_cpu()))
            opens: list[float] = []
            dash_cpu: list[dict[str, float]] = []
            for _ in range(dashboard_opens):
                page.get_by_role("link", name="Queue").click()
                browser.wait_card(page)
                start, cpu_start = time.perf_counter(), children_cpu()
                page.get_by_role("link", name="Dashboard").click()
                page.wait_for_selector("#ca-dashboard-ready", state="attached")
                browser.wait_idle(page)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
                    ".every(c => !c.offsetParent || c.querySelector('canvas, svg'))"
                )
                opens.append(time.perf_counter() - start)
                dash_cpu.append(_delta(cpu_start, children_cpu()))

        def cpu_median(rows: list[dict[str, float]], kind: str | None = None) -> float:
            return _median([sum(r.values()) if kind is None else r[kind] for r in rows])

        return {
            "flags": size["flags"],
            "notes": size["notes"],
            "decided_before": pre,
            "build_seconds": round(build_s, 1),
            "decisions_timed": len(times),
            "median_seconds_per_decision": _median(times),
            "p90_seconds_per_decision": round(sorted(times)[int(0.9 * (len(times) - 1))], 3),
            "dashboard_open_seconds_median": _median(opens),
            "dashboard_open_seconds_max": round(max(opens), 3),
            "cpu_seconds_per_decision_median": cpu_median(cpu),
            "server_cpu_seconds_per_decision_median": cpu_median(cpu, "server"),
            "browser_cpu_seconds_per_decision_median": cpu_median(cpu, "browser"),
            "dashboard_open_cpu_seconds_median": cpu_median(dash_cpu),
            "dashboard_open_server_cpu_seconds_median": cpu_median(dash_cpu, "server"),
            "load_average_before": round(load_before, 2),
            "load_average_during": round(os.getloadavg()[0], 2),
        }


SUMMARY_KEYS = (
    "median_seconds_per_decision",
    "p90_seconds_per_decision",
    "dashboard_open_seconds_median",
    "dashboard_open_seconds_max",
    "cpu_seconds_per_decision_median",
    "server_cpu_seconds_per_decision_median",
    "browser_cpu_seconds_per_decision_median",
    "dashboard_open_cpu_seconds_median",
    "load_average_during",
)


def bench_size(
    n_flags: int, decided: int, decisions: int, dashboard_opens: int, repeat: int
) -> dict[str, object]:
    runs = [bench_once(n_flags, decided, decisions, dashboard_opens) for _ in range(repeat)]
    first = runs[0]
    out: dict[str, object] = {
        k: first[k] for k in ("flags", "notes", "decided_before", "decisions_timed")
    }
    out["repeats"] = len(runs)
    for key in SUMMARY_KEYS:  # the median over the repeats, then each repeat's value
        values = [float(r[key]) for r in runs]  # type: ignore[arg-type]
        out[key] = _median(values)
        if len(runs) > 1:
            out[f"{key}_each"] = values
    return out


def size_spec(value: str) -> tuple[int, int]:
    """``N`` (flags) or ``N:D`` (flags, of which D decided before the timed session)."""
    flags, _, decided = value.partition(":")
    return int(flags), int(decided or 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--flags",
        type=size_spec,
        nargs="+",
        default=[(500, 0), (100_000, 0)],
        help="store sizes: N flags, or N:D with D of them decided beforehand",
    )
    ap.add_argument("--decisions", type=int, default=30)
    ap.add_argument("--dashboard-opens", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=1, help="measure each size this many times")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = ap.parse_args()
    results = {
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}",
        "viewport": browser.VIEWPORT,
        "nice": os.nice(0),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sizes": [
            bench_size(n, decided, args.decisions, args.dashboard_opens, args.repeat)
            for n, decided in args.flags
        ],
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
