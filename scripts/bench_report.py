"""Benchmark the governance reports on a large synthetic run directory.

Generates a run directory (notes.jsonl, flags.csv/.jsonl, restrictions.csv,
rejected.csv, summary.json) plus a register for invented people, with
realistic proportions (about 12% of notes with a doing-for flag, 7% with a
restriction, 4% care plans), then times ``careaudit report`` (HTML by default)
and ``careaudit register-review`` as the user would run them.

    .venv/bin/python scripts/bench_report.py --notes 100000
    .venv/bin/python scripts/bench_report.py --notes 100000 --formats html,xlsx --keep

Exits 1 when a command takes longer than --budget seconds (default 60).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.schema import FLAG_COLUMNS, RESTRICTION_COLUMNS, RESTRICTION_TYPES  # noqa: E402

NEUTRAL = [
    "Had a settled morning.",
    "Watched TV in the lounge.",
    "Ate well at lunch.",
    "Slept well overnight.",
    "Visited by the GP for a routine review.",
    "Spent time in the garden.",
    "Was in good spirits today.",
]
ENABLING = [
    "Supported Sam to make his breakfast.",
    "Chose to go to the shop with staff.",
    "Prompted to brush her teeth and did so independently.",
    "Encouraged to hoover his room; he did it himself.",
]
DOING_FOR = [
    "Staff washed and dressed him.",
    "Personal care given.",
    "I made her breakfast.",
    "Was taken to the lounge.",
    "Staff did his laundry.",
]
RESTRICTIVE = [
    "Kitchen locked after 9pm.",
    "Trip to town cancelled.",
    "Staff took his phone off him.",
    "Bed rails up overnight.",
    "PRN lorazepam given for agitation.",
    "Asked to stay in her room.",
]
PLAN = [
    "Front door keypad in place due to the risk of road traffic.",
    "Review date: 01/09/2026.",
    "This was discussed with Sam and his sister.",
    "PBS plan: offer a walk first.",
]
ELEMENTS = ["rationale", "alternative", "review_date", "involvement"]


def _columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with exactly ``columns``: missing ones empty, text gaps filled with ""."""
    for col in columns:
        if col not in frame:
            frame[col] = ""
        elif frame[col].dtype == object:
            frame[col] = frame[col].fillna("")
    return frame[columns]


def generate(out: Path, n_notes: int, seed: int = 0) -> dict[str, int]:
    """Write the synthetic run to ``out``; returns row counts."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_services, n_people, n_authors = 15, max(20, n_notes // 160), max(10, n_notes // 400)
    services = np.array([f"Service {i:02d}" for i in range(n_services)])
    person_service = rng.integers(0, n_services, n_people)
    author_service = np.arange(n_authors) % n_services
    person = rng.integers(0, n_people, n_notes)
    service = person_service[person]
    # an author from the person's service
    per_service = [np.flatnonzero(author_service == s) for s in range(n_services)]
    author = np.array(
        [
            per_service[s][k % len(per_service[s])]
            for s, k in zip(service, rng.integers(0, 1000, n_notes), strict=True)
        ]
    )
    month_idx = rng.integers(0, 12, n_notes)
    months = pd.period_range("2025-04", periods=12, freq="M")
    dates = [
        f"{months[m]}-{d:02d}" for m, d in zip(month_idx, rng.integers(1, 29, n_notes), strict=True)
    ]
    kind = rng.choice(["daily_note", "incident", "care_plan"], n_notes, p=[0.88, 0.08, 0.04])
    # doing-for falls and enabling language rises over the year (a known trend)
    p_doing = 0.16 - 0.008 * month_idx
    p_enabling = 0.20 + 0.02 * month_idx
    has_doing = rng.random(n_notes) < p_doing
    has_enabling = rng.random(n_notes) < p_enabling
    has_restr = (rng.random(n_notes) < 0.06) | (kind == "care_plan") & (rng.random(n_notes) < 0.6)
    first: list[str] = []
    texts: list[str] = []
    neutral = rng.choice(NEUTRAL, (n_notes, 2))
    pick = rng.integers(0, 100, (n_notes, 3))
    for i in range(n_notes):
        if kind[i] == "care_plan" and has_restr[i]:
            lead = PLAN[0]
            rest = [PLAN[1 + k] for k in range(3) if pick[i, k] % 3]
        elif has_restr[i]:
            lead, rest = RESTRICTIVE[pick[i, 0] % len(RESTRICTIVE)], [neutral[i, 0]]
        elif has_doing[i]:
            lead, rest = DOING_FOR[pick[i, 0] % len(DOING_FOR)], [neutral[i, 0]]
        else:
            lead, rest = neutral[i, 0], [neutral[i, 1]]
        if has_enabling[i]:
            rest.append(ENABLING[pick[i, 1] % len(ENABLING)])
        first.append(lead)
        texts.append(" ".join([lead, *rest]))
    notes = pd.DataFrame(
        {
            "note_id": [f"N-{i:07d}" for i in range(n_notes)],
            "person_id": [f"P-{p:05d}" for p in person],
            "date": dates,
            "text": texts,
            "service": services[service],
            "author": [f"Author {a:04d}" for a in author],
            "note_type": kind,
        }
    )
    notes.to_json(out / "notes.jsonl", orient="records", lines=True, force_ascii=False)
    lead_len = np.array([len(t) for t in first])
    base = notes.assign(
        start=0, end=lead_len, sentence_start=0, sentence_end=lead_len, span_text=first
    )

    def flag_rows(mask: np.ndarray, category: str, **extra: object) -> pd.DataFrame:
        rows = base[mask].copy()
        rows["category"] = category
        rows["flag_id"] = "F-" + category[:3] + rows["note_id"].str.slice(2)
        rows["score"] = rng.uniform(0.5, 1.0, len(rows)).round(3)
        for k, v in extra.items():
            rows[k] = v
        return rows

    restr_daily = has_restr & (kind != "care_plan")
    unrecorded = restr_daily & (rng.random(n_notes) < 0.45)
    no_reason = restr_daily & (rng.random(n_notes) < 0.6)
    parts = [
        flag_rows(has_doing & ~has_restr, "doing_for"),
        flag_rows(
            unrecorded,
            "unrecorded_restriction",
            restriction_type="routine_rule",
            register_status="not_in_register",
        ),
        flag_rows(no_reason, "missing_rationale"),
    ]
    plans = base[has_restr & (kind == "care_plan")]
    for element, p in zip(ELEMENTS, (0.15, 0.35, 0.45, 0.5), strict=True):
        chosen = plans[rng.random(len(plans)) < p].copy()
        chosen["category"], chosen["element"] = "plan_gap", element
        chosen["flag_id"] = "F-pg" + element[:2] + chosen["note_id"].str.slice(2)
        chosen["score"] = 1.0
        chosen["explanation"] = f"restriction 'Front door keypad' lacks {element}"
        parts.append(chosen)
    flags = _columns(pd.concat(parts, ignore_index=True), FLAG_COLUMNS)
    flags.to_csv(out / "flags.csv", index=False)
    flags.to_json(out / "flags.jsonl", orient="records", lines=True)
    restr = base[has_restr].copy()
    types = np.array(RESTRICTION_TYPES)
    restr["restriction_type"] = types[rng.integers(0, len(types), len(restr))]
    restr["status"] = np.where(unrecorded[has_restr], "unrecorded", "recorded")
    restr["register_status"] = rng.choice(
        ["in_register", "out_of_date", "not_in_register"], len(restr), p=[0.5, 0.15, 0.35]
    )
    restr = _columns(restr, RESTRICTION_COLUMNS)
    restr.to_csv(out / "restrictions.csv", index=False)
    (out / "rejected.csv").write_text("row,reason\n")
    (out / "summary.json").write_text(
        json.dumps(
            {
                "run": {"run_id": "R-bench", "model": "synthetic", "input": "bench"},
                "notes": n_notes,
                "flags": len(flags),
                "restrictions": len(restr),
            }
        )
    )
    # register: about two entries for every three people
    n_reg = n_people * 2 // 3
    reg_person = rng.choice(n_people, n_reg, replace=False)
    start = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400, n_reg), unit="D")
    review = start + pd.to_timedelta(rng.integers(60, 540, n_reg), unit="D")
    register = pd.DataFrame(
        {
            "person_id": [f"P-{p:05d}" for p in reg_person],
            "restriction": "restriction entry",
            "restriction_type": types[rng.integers(0, len(types), n_reg)],
            "authorised_by": "BI",
            "start_date": start.strftime("%Y-%m-%d"),
            "review_date": np.where(rng.random(n_reg) < 0.05, "", review.strftime("%Y-%m-%d")),
        }
    )
    register.to_csv(out / "register.csv", index=False)
    return {"notes": n_notes, "flags": len(flags), "restrictions": len(restr), "register": n_reg}


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=ROOT / ".bench" / "report_run")
    ap.add_argument("--formats", default="html", help="comma-separated: html,xlsx,pdf")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds allowed per command")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the generated run directory")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("careaudit"))
    if args.out.exists():
        shutil.rmtree(args.out)
    t0 = time.perf_counter()
    counts = generate(args.out, args.notes, args.seed)
    print(f"generated {counts} in {time.perf_counter() - t0:.1f} s -> {args.out}")
    results = {
        "register-review": timed(
            [exe, "register-review", str(args.out), "--register", str(args.out / "register.csv")]
        )
    }
    for fmt in args.formats.split(","):
        results[f"report --format {fmt}"] = timed([exe, "report", str(args.out), "--format", fmt])
    size = (args.out / "report.html").stat().st_size if (args.out / "report.html").exists() else 0
    for name, seconds in results.items():
        print(f"{name:<26} {seconds:6.1f} s")
    if size:
        print(f"report.html size: {size / 1024:.0f} KiB")
    if not args.keep:
        shutil.rmtree(args.out)
    slow = [n for n, s in results.items() if s > args.budget]
    if slow:
        print(f"over the {args.budget:.0f} s budget: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
