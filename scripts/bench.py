"""Benchmark ``careaudit audit`` against a naive spaCy parse of the same notes.

    .venv/bin/python scripts/bench.py --out bench/            # what `make bench` runs
    .venv/bin/python scripts/bench.py --notes 1500 --steady-notes 10000 --big-notes 200000 \\
        --reference-python /tmp/spacy-only/bin/python --out bench/

Two generated exports of ``--notes`` notes (3-9 sentences drawn from the invented
training corpus, so the wording is real): the **dense** mix (sentences drawn as
they come: ~29 % carry a label; note types as in the corpus, 17 % care plans) and a
**low-density** mix (~5 % of sentences flaggable and a care home's note types: 94 %
daily notes, 5 % incidents, 1 % care plans). For each, in the same run:

- **naive**: ``spacy.load`` of the English model (every component) and
  ``nlp.pipe`` over the note texts, in a fresh process: wall seconds including
  start-up, and the parse alone;
- **careaudit** ``audit`` with ``--workers 1`` and ``2``, in a fresh process (read →
  audit → write the run folder): wall seconds including start-up, peak RSS of the
  process tree (sampled), share of sentences parsed;
- **steady state**: the same audit in this process on ``--steady-notes`` notes,
  notes/s after the first quarter is done (start-up and warm-up excluded), and
  seconds per stage summed over batches (over workers with ``--workers 2``).

Start-up: auditing a 5-note file, against loading the English model alone (plain
``spacy.load`` here; the same with careaudit's lean loader; and, with
``--reference-python``, in a venv holding only spaCy and the model). ``--big-notes``
adds one low-density run of that many notes with ``--workers 2`` for peak memory.
``--parser NAME`` repeats each careaudit run (end to end and steady, each in a fresh
process) with ``$CAREAUDIT_PARSER=NAME`` (a distilled tagger/parser under
``models/parser/``), right after the default parser's run on the same notes.
Writes ``results.json`` and ``results.md`` under ``--out``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.records.corpus import read_gold  # noqa: E402

REGISTER = ROOT / "annotations" / "train_register.csv"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
NAIVE = """
import csv, json, sys, time
t0 = time.perf_counter()
import spacy
nlp = spacy.load(sys.argv[1])
t1 = time.perf_counter()
with open(sys.argv[2], newline="", encoding="utf-8") as fh:
    texts = [row["text"] for row in csv.DictReader(fh)]
n = sum(1 for _ in nlp.pipe(texts, batch_size=64))
t2 = time.perf_counter()
print(json.dumps({"notes": n, "load": t1 - t0, "pipe": t2 - t1}))
"""
ENGLISH_ALONE = "import spacy, sys; spacy.load(sys.argv[1], exclude=['ner'])"
ENGLISH_LEAN = "from nlp.analysis.english import load_english; load_english()"
MODULES_AFTER_AUDIT = """
import json, sys, tempfile
from pathlib import Path
from nlp.audit.run import AuditRequest, run_audit
run_audit(AuditRequest(records=Path(sys.argv[1]), out_dir=Path(tempfile.mkdtemp()) / "o"))
print(json.dumps({m: m in sys.modules for m in ("transformers", "torch", "sklearn", "skops")}))
"""
MODEL_LOAD = """
import json, time
t0 = time.perf_counter()
import nlp.prediction.sklearn_models
from nlp.prediction.registry import load_sentence_model
t1 = time.perf_counter(); load_sentence_model("hybrid"); t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load": t2 - t1}))
"""


# -- inputs -------------------------------------------------------------------------------
# Note types of the low-density mix, as in a care home's export: mostly daily notes, some
# incidents, few care plans (one per person, reviewed monthly). The dense mix keeps the
# corpus's own proportions (17 % care plans, each parsed whole: the worst case).
LOW_DENSITY_TYPES = (("daily_note", 0.94), ("incident", 0.05), ("care_plan", 0.01))


def generate(path: Path, n: int, low: bool, seed: int = 11) -> int:
    """A CSV export of ``n`` notes of 3-9 corpus sentences; returns the sentence count."""
    gold = read_gold(ROOT / "annotations/train.jsonl")
    positive, negative = [], []
    for g in gold:
        for s in g.sentences:
            text = g.note.text[s.start : s.end].strip()
            flagged = s.doing_for or s.restriction or s.missing_rationale
            (positive if flagged else negative).append(text)
    every = positive + negative
    meta = [(g.note.person_id, g.note.service, g.note.author, g.note.note_type) for g in gold]
    rng = random.Random(seed)
    total = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["note_id", "person_id", "date", "service", "author", "note_type", "text"])
        for i in range(n):
            k = rng.randint(3, 9)
            total += k
            if low:
                pools = [positive if rng.random() < 0.05 else negative for _ in range(k)]
                sents = [rng.choice(pool) for pool in pools]
            else:
                sents = [rng.choice(every) for _ in range(k)]
            person, service, author, note_type = rng.choice(meta)
            if low:
                kinds, weights = zip(*LOW_DENSITY_TYPES, strict=True)
                note_type = rng.choices(kinds, weights)[0]
            date = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            w.writerow([f"B-{i:07d}", person, date, service, author, note_type, " ".join(sents)])
    return total


# -- measuring a process ---------------------------------------------------------------------
def run(
    cmd: list[str], sample: bool = False, root: Path = ROOT, extra_env: dict | None = None
) -> dict[str, Any]:
    """Run ``cmd`` in ``root``: wall seconds, output, and (``sample``) peak RSS of its tree."""
    import psutil

    env = ENV if root == ROOT else {**ENV, "PYTHONPATH": str(root)}
    env = {**env, **(extra_env or {})}
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = {"tree": 0, "largest": 0}
    done = threading.Event()

    def sampler() -> None:
        parent = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
                rss = []
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        rss.append(p.memory_info().rss)
                peak["tree"] = max(peak["tree"], sum(rss))
                peak["largest"] = max(peak["largest"], max(rss, default=0))
            except psutil.Error:
                return
            done.wait(0.1)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    if sample:
        thread.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return {
        "seconds": wall,
        "stdout": out,
        "peak_rss_mb": round(peak["tree"] / 2**20),
        "largest_process_rss_mb": round(peak["largest"] / 2**20),
    }


def median_seconds(cmd: list[str], repeat: int, root: Path = ROOT) -> float:
    return statistics.median(run(cmd, root=root)["seconds"] for _ in range(repeat))


def _audit_entry(
    measured: dict[str, Any],
    summary: dict[str, Any],
    steady: dict[str, Any],
    notes: int,
    naive_seconds: float,
) -> dict[str, Any]:
    """One careaudit run's row of results.json."""
    return {
        "seconds": round(measured["seconds"], 2),
        "notes_per_second": round(notes / measured["seconds"], 1),
        "ratio_to_naive": round(naive_seconds / measured["seconds"], 2),
        "peak_rss_mb": measured["peak_rss_mb"],
        "largest_process_rss_mb": measured["largest_process_rss_mb"],
        "parsed_share": round(summary["parsed_sentences"] / summary["sentences"], 3),
        "flags": summary["flags"],
        "steady": steady,
    }


def audit_cmd(export: Path, out: Path, workers: int | None) -> list[str]:
    """``careaudit audit``; ``workers`` None for code without the option (``--before``)."""
    cmd = [
        sys.executable, "-m", "cli.main", "audit", str(export), "--register", str(REGISTER),
        "--out", str(out), "--no-progress",
    ]  # fmt: skip
    return cmd if workers is None else [*cmd, "--workers", str(workers)]


# -- in this process: steady state and stages -------------------------------------------------
def steady_state(export: Path, out: Path, workers: int) -> dict[str, Any]:
    """Notes/s after the first quarter of the notes is done, and seconds per stage."""
    from nlp.audit.run import AuditProgress, AuditRequest, run_audit

    marks: list[tuple[float, int]] = []
    stages: dict[str, float] = {}
    done = {"notes": 0}

    def advance(n: int) -> None:
        done["notes"] += n
        marks.append((time.perf_counter(), done["notes"]))

    def batch(result: Any) -> None:
        for stage, seconds in result.seconds.items():
            stages[stage] = stages.get(stage, 0.0) + seconds

    started = time.perf_counter()
    summary = run_audit(
        AuditRequest(records=export, out_dir=out, register=REGISTER, workers=workers),
        AuditProgress(on_advance=advance, on_batch=batch),
    )
    total = time.perf_counter() - started
    quarter = next((t, n) for t, n in marks if n >= done["notes"] / 4)
    end_t, end_n = marks[-1]
    steady = (end_n - quarter[1]) / (end_t - quarter[0]) if end_t > quarter[0] else end_n / total
    return {
        "notes": done["notes"],
        "seconds": round(total, 2),
        "notes_per_second_steady": round(steady, 1),
        "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
        "parsed_share": round(summary["parsed_sentences"] / max(1, summary["sentences"]), 3),
    }


def candidate_recall() -> dict[str, float]:
    """Share of gold-positive dev sentences the cheap pass marks as parse candidates."""
    from nlp.audit.auditor import shared_analyzer

    gold = read_gold(ROOT / "annotations/dev.jsonl")
    analyses = shared_analyzer().cheap_pass(
        [g.note for g in gold], [[(s.start, s.end) for s in g.sentences] for g in gold]
    )
    out = {}
    for label in ("doing_for", "restriction", "missing_rationale"):
        hits = [
            ev.candidate
            for g, a in zip(gold, analyses, strict=True)
            for s, ev in zip(g.sentences, a.sentences, strict=False)
            if getattr(s, label)
        ]
        out[label] = round(sum(hits) / len(hits), 3) if hits else 0.0
    return out


# -- the report --------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1500, help="notes per end-to-end run")
    parser.add_argument("--steady-notes", type=int, default=10_000, help="notes per steady run")
    parser.add_argument("--big-notes", type=int, default=0, help="one memory run (0: none)")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=3, help="start-up measurements")
    parser.add_argument("--reference-python", help="a Python with only spaCy and the model")
    parser.add_argument(
        "--before", type=Path, help="a checkout of earlier careaudit code to time the same way"
    )
    parser.add_argument(
        "--parser", help="also time each careaudit run with $CAREAUDIT_PARSER set to this"
    )
    parser.add_argument("--steady-only", nargs=3, metavar=("EXPORT", "OUT", "WORKERS"),
                        help=argparse.SUPPRESS)  # one steady run as JSON (for --parser)
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    args = parser.parse_args()
    if args.steady_only:
        export, out, w = args.steady_only
        print(json.dumps(steady_state(Path(export), Path(out), int(w))))
        return
    from nlp.analysis.english import available_model

    english = available_model()
    workers = [int(w) for w in args.workers.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="careaudit-bench-", dir=args.out))
    started = time.time()
    load = os.getloadavg()
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "english_model": english,
        "load_average_at_start": [round(x, 2) for x in load],
        "notes": args.notes,
        "mixes": {},
    }

    five = work / "five.csv"
    generate(five, 5, low=True, seed=5)
    startup: dict[str, Any] = {
        "audit_5_notes": median_seconds(
            audit_cmd(five, work / "five_out", 1), args.repeat
        ),
        "english_alone_this_venv": median_seconds(
            [sys.executable, "-c", ENGLISH_ALONE, english], args.repeat
        ),
        "english_alone_lean_loader": median_seconds(
            [sys.executable, "-c", ENGLISH_LEAN], args.repeat
        ),
        "model_load_in_process": json.loads(run([sys.executable, "-c", MODEL_LOAD])["stdout"]),
        "modules_after_audit": json.loads(
            run([sys.executable, "-c", MODULES_AFTER_AUDIT, str(five)])["stdout"]
        ),
    }
    if args.reference_python:
        startup["english_alone_spacy_only_venv"] = median_seconds(
            [args.reference_python, "-c", ENGLISH_ALONE, english], args.repeat
        )
    if args.before:
        startup["before_audit_5_notes"] = median_seconds(
            audit_cmd(five, work / "five_before", None), args.repeat, root=args.before
        )
    reference = startup.get("english_alone_spacy_only_venv", startup["english_alone_this_venv"])
    startup["ratio_to_english_alone"] = round(startup["audit_5_notes"] / reference, 2)
    results["startup"] = {k: round(v, 3) if isinstance(v, float) else v for k, v in
                          startup.items()}  # fmt: skip

    for mix, low in (("dense", False), ("low_density", True)):
        export = work / f"{mix}.csv"
        sentences = generate(export, args.notes, low)
        naive = run([sys.executable, "-c", NAIVE, english, str(export)], sample=True)
        inner = json.loads(naive["stdout"])
        entry: dict[str, Any] = {
            "sentences": sentences,
            "naive": {
                "seconds": round(naive["seconds"], 2),
                "notes_per_second": round(args.notes / naive["seconds"], 1),
                "load_seconds": round(inner["load"], 2),
                "parse_notes_per_second": round(args.notes / inner["pipe"], 1),
                "peak_rss_mb": naive["peak_rss_mb"],
            },
            "careaudit": {},
        }
        if args.before:
            out = work / f"{mix}_before"
            measured = run(audit_cmd(export, out, None), sample=True, root=args.before)
            summary = json.loads((out / "summary.json").read_text())
            entry["before"] = {
                "seconds": round(measured["seconds"], 2),
                "notes_per_second": round(args.notes / measured["seconds"], 1),
                "ratio_to_naive": round(naive["seconds"] / measured["seconds"], 2),
                "peak_rss_mb": measured["peak_rss_mb"],
                "parsed_share": round(summary["parsed_sentences"] / summary["sentences"], 3),
                "flags": summary["flags"],
            }
        steady_export = work / f"{mix}_steady.csv"
        generate(steady_export, args.steady_notes, low, seed=23)
        for w in workers:
            out = work / f"{mix}_w{w}"
            measured = run(audit_cmd(export, out, w), sample=True)
            summary = json.loads((out / "summary.json").read_text())
            steady = steady_state(steady_export, work / f"{mix}_steady_w{w}", w)
            entry["careaudit"][f"workers_{w}"] = _audit_entry(
                measured, summary, steady, args.notes, naive["seconds"]
            )
            if args.parser:
                alt_env = {"CAREAUDIT_PARSER": args.parser}
                out = work / f"{mix}_w{w}_{args.parser}"
                measured = run(audit_cmd(export, out, w), sample=True, extra_env=alt_env)
                summary = json.loads((out / "summary.json").read_text())
                steady_cmd = [sys.executable, str(Path(__file__).resolve()), "--steady-only",
                              str(steady_export), str(out) + "_steady", str(w)]  # fmt: skip
                steady = json.loads(run(steady_cmd, extra_env=alt_env)["stdout"])
                entry.setdefault("careaudit_parser", {})[f"workers_{w}"] = {
                    "parser": args.parser,
                    **_audit_entry(measured, summary, steady, args.notes, naive["seconds"]),
                }
        results["mixes"][mix] = entry

    if args.big_notes:
        export = work / "big.csv"
        generate(export, args.big_notes, low=True, seed=31)
        measured = run(audit_cmd(export, work / "big_out", 2), sample=True)
        results["big"] = {
            "notes": args.big_notes,
            "workers": 2,
            "seconds": round(measured["seconds"], 1),
            "notes_per_second": round(args.big_notes / measured["seconds"], 1),
            "peak_rss_mb": measured["peak_rss_mb"],
            "largest_process_rss_mb": measured["largest_process_rss_mb"],
        }
        export.unlink()

    results["candidate_recall_dev"] = candidate_recall()
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["bench_seconds"] = round(time.time() - started)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    md = report(results)
    (args.out / "results.md").write_text(md)
    print(md)


def report(r: dict[str, Any]) -> str:
    s = r["startup"]
    load = s["model_load_in_process"]
    lines = [
        f"# careaudit benchmark ({r['notes']:,} notes per mix; {r['machine']})",
        "",
        f"Load average at start {r['load_average_at_start']}, at end "
        f"{r['load_average_at_end']}; English model `{r['english_model']}`.",
        "",
        "| mix | run | seconds (incl. start-up) | notes/s | × naive | steady notes/s "
        "| parsed | peak RSS (tree) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mix, e in r["mixes"].items():
        n = e["naive"]
        lines.append(
            f"| {mix} | naive `nlp.pipe` (all components) | {n['seconds']} | "
            f"{n['notes_per_second']} | 1.00 | {n['parse_notes_per_second']} (parse only) | "
            f"100% | {n['peak_rss_mb']} MB |"
        )
        if "before" in e:
            b = e["before"]
            lines.append(
                f"| {mix} | before (earlier code) | {b['seconds']} | {b['notes_per_second']} | "
                f"{b['ratio_to_naive']:.2f} | - | {b['parsed_share']:.1%} | {b['peak_rss_mb']} MB |"
            )
        runs = [(name, "", c) for name, c in e["careaudit"].items()]
        runs += [(name, f", parser {c['parser']}", c)
                 for name, c in e.get("careaudit_parser", {}).items()]  # fmt: skip
        for name, label, c in runs:
            lines.append(
                f"| {mix} | careaudit --workers {name.split('_')[1]}{label} | {c['seconds']} | "
                f"{c['notes_per_second']} | {c['ratio_to_naive']:.2f} | "
                f"{c['steady']['notes_per_second_steady']} | {c['parsed_share']:.1%} | "
                f"{c['peak_rss_mb']} MB |"
            )
    lines += [
        "",
        f"Start-up: auditing a 5-note file {s['audit_5_notes']} s; loading the English model "
        f"alone {s['english_alone_this_venv']} s in this venv (plain `spacy.load`), "
        f"{s['english_alone_lean_loader']} s with careaudit's loader"
        + (
            f", {s['english_alone_spacy_only_venv']} s in a venv with only spaCy and the model"
            if "english_alone_spacy_only_venv" in s
            else ""
        )
        + f" (ratio {s['ratio_to_english_alone']})"
        + (f"; before: {s['before_audit_5_notes']} s" if "before_audit_5_notes" in s else "")
        + "; the hybrid model loads in "
        f"{load['load']:.3f} s (after {load['imports']:.2f} s of imports); modules loaded by "
        "an audit: "
        f"{s['modules_after_audit']}.",
        "",
        "Seconds per stage (steady runs, summed over batches; with 2 workers, over both):",
        "",
    ]
    for mix, e in r["mixes"].items():
        runs = [(name, "", c) for name, c in e["careaudit"].items()]
        runs += [(name, f", parser {c['parser']}", c)
                 for name, c in e.get("careaudit_parser", {}).items()]  # fmt: skip
        for name, label, c in runs:
            stages = ", ".join(f"{k} {v}" for k, v in c["steady"]["stage_seconds"].items())
            lines.append(
                f"- {mix}, {name}{label}: {c['steady']['notes']:,} notes in "
                f"{c['steady']['seconds']} s "
                f"({stages}; parsed {c['steady']['parsed_share']:.1%})"
            )
    if "big" in r:
        b = r["big"]
        lines += [
            "",
            f"Memory: {b['notes']:,} low-density notes with --workers 2: {b['seconds']} s "
            f"({b['notes_per_second']} notes/s), peak RSS {b['peak_rss_mb']} MB for the process "
            f"tree, {b['largest_process_rss_mb']} MB for the largest process.",
        ]
    lines += ["", f"Candidate-filter recall on dev gold positives: {r['candidate_recall_dev']}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
