"""Active learning, simulated: does retraining on review decisions beat the shipped model?

    .venv/bin/python scripts/learning_loop.py --model sklearn --seeds 2 \
        --strategies uncertainty,random,notes --out docs/learning_loop

Held-out writers (round 3, ``annotations/source/r3_wNN_*.jsonl``, never in the shipped
models' training data) play the provider. Their notes are split by person into a
*pool* (audited and reviewed) and an *evaluation* half (never reviewed). The shipped
hybrid audits the pool; a simulated auditor decides N flags, confirming a flag when
the writer's gold label of the flagged sentence is 1 and dismissing it otherwise (with
the reason an auditor would give). Flags are chosen by

- ``uncertainty``: smallest ``|score - threshold|`` first (the flag's head threshold);
- ``random``: a shuffled order (``--seeds`` of them, averaged);
- ``notes``: the uncertainty order, but each flag's whole note is reviewed: its other
  flags decided (they count towards N), missed sentences marked, the note marked reviewed.

Decisions and marks go into a real review store and come back as partial labels through
``review_app.learning`` (the code path of ``careaudit train --review-db``: undecided
sentences stay unknown, never 0). The ``--model`` kind is retrained on the shipped
models' training data (held-out writers' notes removed) plus the reviewed sentences
(weight ``--review-weight``), thresholds tuned on the dev split as shipped, and scored
with the audit path on the evaluation half. ``N = 0`` is the same retraining without
reviews; ``shipped`` is ``models/<--model>`` as it is (``--compare`` picks another).

Writes ``learning_loop.csv``, ``learning_loop.json`` and ``learning_loop.svg``
(mean F1 of the three flags against N) into ``--out``. Nothing in ``models/`` is
written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import json
import math
import pickle
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.analysis.analyzer import Analyzer  # noqa: E402
from nlp.audit.auditor import Auditor, AuditResult  # noqa: E402
from nlp.audit.register_match import Register, load_register  # noqa: E402
from nlp.evaluation.scoring import FLAG_CATEGORIES, score  # noqa: E402
from nlp.governance.reporting.charts import line_chart  # noqa: E402
from nlp.prediction.datasets import (  # noqa: E402
    Dataset,
    build_dataset,
    concat_datasets,
    gold_targets,
)
from nlp.prediction.registry import load_sentence_model  # noqa: E402
from nlp.prediction.training import fit_model  # noqa: E402
from nlp.records.corpus import GoldNote, gold_from_dicts, read_gold  # noqa: E402
from nlp.records.run_writer import write_run  # noqa: E402
from nlp.schema import Flag  # noqa: E402
from review_app.importer import import_run  # noqa: E402
from review_app.learning import review_gold, reviewed_notes  # noqa: E402
from review_app.store import (  # noqa: E402
    FlagView,
    list_flags,
    make_engine,
    record_decision,
    record_mark,
)

HEAD_OF = {
    "doing_for": "doing_for",
    "unrecorded_restriction": "unauthorised",
    "missing_rationale": "missing_rationale",
}
DISMISS = {
    "doing_for": "not doing-for in context",
    "missing_rationale": "rationale given elsewhere",
}


def load_writers(writers: list[str]) -> tuple[list[GoldNote], Register]:
    """The writers' notes as gold (``annotations/build_corpus.py``'s conversion) and registers."""
    spec = importlib.util.spec_from_file_location(
        "build_corpus", ROOT / "annotations/build_corpus.py"
    )
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    records: list[dict] = []
    registers = []
    for writer in writers:
        for path in sorted((ROOT / "annotations/source").glob(f"r3_{writer}_*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    records.append(build.to_gold(json.loads(line)))
        registers.append(ROOT / f"annotations/source/r3_{writer}_register.csv")
    merged = Path(tempfile.mkdtemp(prefix="loop-reg-")) / "register.csv"
    lines = [registers[0].read_text(encoding="utf-8").splitlines()[0]]
    for reg in registers:
        lines += [ln for ln in reg.read_text(encoding="utf-8").splitlines()[1:] if ln.strip()]
    merged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gold_from_dicts(records, "round-3 writers"), load_register(merged)[0]


def split_by_person(gold: list[GoldNote]) -> tuple[list[GoldNote], list[GoldNote]]:
    """(pool, evaluation): each writer's people alternate between the halves (by a hash)."""
    people = sorted(
        {g.note.person_id for g in gold}, key=lambda p: hashlib.sha256(p.encode()).hexdigest()
    )
    by_writer: dict[str, list[str]] = {}
    for p in people:
        by_writer.setdefault(p[:4], []).append(p)
    pool_people = {p for ps in by_writer.values() for i, p in enumerate(ps) if i % 2 == 0}
    return (
        [g for g in gold if g.note.person_id in pool_people],
        [g for g in gold if g.note.person_id not in pool_people],
    )


def f1s(result: AuditResult, gold: list[GoldNote]) -> dict[str, float]:
    ev = score(gold, result.flags)
    out = {c: round(ev.scores[c].f1, 4) for c in FLAG_CATEGORIES}
    out["mean"] = round(float(np.mean([out[c] for c in FLAG_CATEGORIES])), 4)
    return out


def gold_label(flag: Flag, gold: GoldNote) -> tuple[bool, str]:
    """What an auditor who agrees with the writer decides: (confirm?, dismiss reason)."""
    hit = [s for s in gold.sentences if s.start < flag.end and flag.start < s.end]
    if flag.category == "unrecorded_restriction":
        if any(s.unrecorded_restriction == 1 for s in hit):
            return True, ""
        restriction = any(s.restriction == 1 for s in hit)
        return False, "authorised elsewhere" if restriction else "not a restriction"
    if any(getattr(s, flag.category) == 1 for s in hit):
        return True, ""
    return False, DISMISS[flag.category]


class Loop:
    """Everything the configurations share: datasets, the pool's store and its flags."""

    def __init__(self, args: argparse.Namespace) -> None:
        t = time.perf_counter()
        self.args = args
        self.analyzer = Analyzer()
        held, self.register = load_writers(args.writers.split(","))
        held_ids = {g.note.note_id for g in held}
        self.pool, self.eval = split_by_person(held)
        self.pool_by_id = {g.note.note_id: g for g in self.pool}
        self.shipped = load_sentence_model(args.shipped)
        self.compare = (
            self.shipped
            if (args.compare or args.model) == args.shipped
            else load_sentence_model(args.compare or args.model)
        )
        self.thresholds = self.shipped.thresholds
        corpus = read_gold(args.base)
        seen = sum(g.note.note_id in held_ids for g in corpus)
        if seen:
            print(
                f"warning: {args.base} holds {seen} notes of the held-out writers (left out "
                "here). If the shipped model was trained on this file they are not held out "
                "for it: pass the file it was trained on with --base, or other --writers.",
                file=sys.stderr,
            )
        base = [g for g in corpus if g.note.note_id not in held_ids]
        dev = [g for g in read_gold(args.dev) if g.note.note_id not in held_ids]
        if args.limit:
            base = base[: args.limit]
        self.base = self._cached("base", base)
        self.dev = self._cached("dev", dev)
        self.work = Path(tempfile.mkdtemp(prefix="learning-loop-"))
        pool_run = self._audit(self.shipped, self.pool, self.work / "pool_run")
        self.store = self.work / "pool.db"
        engine = make_engine(f"sqlite:///{self.store}")
        import_run(engine, self.work / "pool_run")
        self.flags = [
            f for f in list_flags(engine) if f.category in HEAD_OF and f.note_id in self.pool_by_id
        ]
        # the pool's sentences, cut as review labels cut them, analysed once; labels filled
        # in per configuration from the store (all unknown here)
        template, _ = reviewed_notes(engine, sorted({f.note_key for f in self.flags}))
        engine.dispose()
        gold = gold_from_dicts([n.record for n in template], "pool")
        self.pool_set = build_dataset(gold, self.analyzer, weight=args.review_weight)
        self.pool_index = {
            (g.note.note_id, s.start): i
            for i, (g, s) in enumerate((g, s) for g in gold for s in g.sentences)
        }
        assert len(self.pool_index) == len(self.pool_set.records)
        self.summary = {
            "writers": args.writers,
            "pool_notes": len(self.pool),
            "pool_sentences": sum(len(g.sentences) for g in self.pool),
            "eval_notes": len(self.eval),
            "eval_sentences": sum(len(g.sentences) for g in self.eval),
            "pool_flags": len(self.flags),
            "pool_flags_by_category": {
                c: sum(f.category == c for f in self.flags) for c in HEAD_OF
            },
            "base_train_sentences": len(self.base.records),
            "dev_sentences": len(self.dev.records),
            "shipped_auditor": f1s(self._audit(self.shipped, self.eval), self.eval),
            "shipped": f1s(self._audit(self.compare, self.eval), self.eval),
            "shipped_on_pool": f1s(pool_run, self.pool),
            "setup_seconds": round(time.perf_counter() - t, 1),
        }
        print(json.dumps(self.summary), flush=True)

    def _cached(self, name: str, gold: list[GoldNote]) -> Dataset:
        """``build_dataset`` of ``gold``, kept in ``--cache`` (keyed on the notes) across runs."""
        key = hashlib.sha256(
            json.dumps([(g.note.note_id, g.note.text) for g in gold]).encode()
        ).hexdigest()[:16]
        path = self.args.cache / f"{name}-{key}.pickle" if self.args.cache else None
        if path is not None and path.exists():
            with path.open("rb") as fh:
                return pickle.load(fh)  # our own file, written below
        data = build_dataset(gold, self.analyzer)
        data.analyses = []  # not needed for training; keeps the file small
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                pickle.dump(data, fh)
        return data

    def _audit(self, model: Any, gold: list[GoldNote], out: Path | None = None) -> AuditResult:
        auditor = Auditor(model, analyzer=self.analyzer, register=self.register)
        result = auditor.run([g.note for g in gold])
        if out is not None:
            write_run(out, result, [], {"run_id": out.name, "model": model.name})
        return result

    def order(self, strategy: str, seed: int) -> list[str]:
        """Flag ids in the order the simulated auditor decides them."""
        if strategy == "uncertainty":
            ranked = sorted(
                self.flags,
                key=lambda f: (abs(f.score - self.thresholds[HEAD_OF[f.category]]), f.flag_id),
            )
            return [f.flag_id for f in ranked]
        ids = sorted(f.flag_id for f in self.flags)
        random.Random(seed).shuffle(ids)
        return ids

    def reviewed_set(self, engine: Any) -> tuple[Dataset, dict[str, int]]:
        """The pool sentences with the labels the store's decisions give (unknown elsewhere)."""
        gold, summary = review_gold(engine)
        data = self.pool_set
        y = np.full_like(data.y, -1)
        types: dict[int, str | None] = {}
        for g in gold:
            rows, rtypes = gold_targets(g)
            for s, row, rtype in zip(g.sentences, rows, rtypes, strict=True):
                i = self.pool_index[(g.note.note_id, s.start)]
                y[i], types[i] = row, rtype
        keep = np.flatnonzero((y >= 0).any(axis=1))
        part = Dataset(
            [],
            [data.records[i] for i in keep],
            y[keep],
            [types.get(i) for i in keep],
            data.sample_weights()[keep],
        )
        known = {
            "known_labels": int((y >= 0).sum()),
            "positives": int((y == 1).sum()),
            "sentences": len(keep),
            "confirmed": summary.confirmed,
            "dismissed": summary.dismissed,
        }
        return part, known

    def retrain_and_score(self, extra: Dataset | None) -> tuple[dict[str, float], float]:
        t = time.perf_counter()
        train = concat_datasets(self.base, extra) if extra is not None else self.base
        model, _ = fit_model(self.args.model, train, self.dev)
        scores = f1s(self._audit(model, self.eval), self.eval)
        return scores, round(time.perf_counter() - t, 1)

    def decide(self, engine: Any, flag: FlagView) -> None:
        confirm, reason = gold_label(flag, self.pool_by_id[flag.note_id])
        decision = "confirmed" if confirm else "dismissed"
        record_decision(engine, flag.flag_id, decision, "simulated-auditor", 0, reason=reason)

    def review_note(self, engine: Any, note_key: str, decided: set[str]) -> int:
        """Open a whole note: decide its other flags, mark what the model missed, mark the
        note reviewed (the "notes" strategy). Returns the flags decided here."""
        flags = [f for f in self.flags if f.note_key == note_key and f.flag_id not in decided]
        for f in flags:
            self.decide(engine, f)
            decided.add(f.flag_id)
        gold = self.pool_by_id[next(f.note_id for f in self.flags if f.note_key == note_key)]
        covered = [f for f in self.flags if f.note_key == note_key]
        for s in gold.sentences:
            for category in HEAD_OF:
                value = (
                    s.unrecorded_restriction
                    if category == "unrecorded_restriction"
                    else getattr(s, category)
                )
                hit = any(
                    f.category == category and f.start < s.end and s.start < f.end for f in covered
                )
                if value == 1 and not hit:
                    rtype = s.restriction_type or "" if category == "unrecorded_restriction" else ""
                    record_mark(
                        engine,
                        "missed",
                        note_key,
                        "simulated-auditor",
                        category=category,
                        start=s.start,
                        end=s.end,
                        restriction_type=rtype,
                    )
        record_mark(engine, "note_reviewed", note_key, "simulated-auditor")
        return len(flags)

    def run(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        if not self.args.no_baseline:
            scores, seconds = self.retrain_and_score(None)
            base = {"strategy": "none", "seed": 0, "target": 0, "n": 0}
            rows.append({**base, **scores, "seconds": seconds})
            print(json.dumps(rows[-1]), flush=True)
        sizes = [int(n) for n in self.args.sizes.split(",")]
        strategies: list[tuple[str, int]] = []
        for name in self.args.strategies.split(","):
            seeds = range(self.args.seeds) if name == "random" else [0]
            strategies += [(name, seed) for seed in seeds]
        by_id = {f.flag_id: f for f in self.flags}
        for strategy, seed in strategies:
            db = self.work / f"{strategy}-{seed}.db"
            shutil.copy(self.store, db)
            engine = make_engine(f"sqlite:///{db}")
            order = self.order("uncertainty" if strategy == "notes" else strategy, seed)
            decided: set[str] = set()
            reviewed: set[str] = set()
            for n in sizes:
                for flag_id in order:
                    if len(decided) >= n:
                        break
                    if flag_id in decided:
                        continue
                    flag = by_id[flag_id]
                    self.decide(engine, flag)
                    decided.add(flag_id)
                    if strategy == "notes" and flag.note_key not in reviewed:
                        self.review_note(engine, flag.note_key, decided)
                        reviewed.add(flag.note_key)
                extra, known = self.reviewed_set(engine)
                scores, seconds = self.retrain_and_score(extra)
                row = {"strategy": strategy, "seed": seed, "target": n, "n": len(decided)}
                row["review_weight"] = self.args.review_weight
                row.update(scores, **known)
                rows.append({**row, "notes_reviewed": len(reviewed), "seconds": seconds})
                print(json.dumps(rows[-1]), flush=True)
            engine.dispose()
        return rows


def write_outputs(out: Path, summary: dict, rows: list[dict[str, Any]], command: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with (out / "learning_loop.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    (out / "learning_loop.json").write_text(
        json.dumps({"command": command, **summary, "rows": rows}, indent=2), encoding="utf-8"
    )
    sizes = sorted({r["target"] for r in rows})
    weights = sorted({r.get("review_weight", 1.0) for r in rows if r["strategy"] != "none"})
    labels = {"random": "random (mean of seeds)", "notes": "uncertainty + whole notes"}
    series: dict[str, list[float | None]] = {}
    for weight in weights:
        for name in ("uncertainty", "random", "notes"):
            picked = [
                r
                for r in rows
                if r["strategy"] == "none"
                or (r["strategy"] == name and r.get("review_weight", 1.0) == weight)
            ]
            if not any(r["strategy"] == name for r in picked):
                continue
            label = labels.get(name, name) + (f", weight {weight:g}" if len(weights) > 1 else "")
            series[label] = [_mean([r["mean"] for r in picked if r["target"] == n]) for n in sizes]
    series["shipped model (same kind)"] = [summary["shipped"]["mean"]] * len(sizes)
    values = [v for line in series.values() for v in line if v is not None]
    svg = line_chart(
        [str(n) for n in sizes],
        series,
        title="Mean F1 of the three flags on held-out notes against decisions made",
        y_label="mean F1 (doing_for, unrecorded_restriction, missing_rationale) · x: decisions",
        y_min=math.floor(min(values) * 50) / 50,
        height=340,
    )
    standalone = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    (out / "learning_loop.svg").write_text(standalone, encoding="utf-8")


def _weight_of(command: str) -> float:
    """The ``--review-weight`` of an earlier run, from its command line."""
    words = command.split()
    return float(words[words.index("--review-weight") + 1]) if "--review-weight" in words else 1.0


def _mean(values: list[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", default="w13,w14,w15,w16,w17")
    parser.add_argument("--sizes", default="50,100,200,400")
    parser.add_argument("--seeds", type=int, default=1, help="random orders to average")
    parser.add_argument(
        "--strategies",
        default="uncertainty,random",
        help="uncertainty, random, notes (uncertainty order; each flag's whole note is "
        "reviewed: its other flags decided, missed sentences marked, note marked reviewed)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the N = 0 retrain")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "careaudit-learning-loop",
        help="where the analysed training and dev sets are kept between runs",
    )
    parser.add_argument("--model", default="hybrid", help="kind retrained: hybrid | sklearn")
    parser.add_argument("--shipped", default="hybrid", help="the model that audits the pool")
    parser.add_argument(
        "--compare",
        default="",
        help="shipped model the retrained ones are compared with (default: models/<--model>)",
    )
    parser.add_argument("--review-weight", type=float, default=1.0)
    parser.add_argument(
        "--base",
        type=Path,
        default=ROOT / "annotations/train.jsonl",
        help="the shipped model's training data (the held-out writers' notes are removed)",
    )
    parser.add_argument("--dev", type=Path, default=ROOT / "annotations/dev.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="first N base notes (smoke runs)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learning_loop")
    parser.add_argument(
        "--replot",
        type=Path,
        nargs="+",
        help="only merge the rows of earlier learning_loop.json files and redraw",
    )
    args = parser.parse_args()
    command = "python scripts/learning_loop.py " + " ".join(sys.argv[1:])
    if args.replot:
        runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.replot]
        rows = [
            {
                **r,
                "target": r.get("target", r["n"]),
                "review_weight": r.get("review_weight", _weight_of(run["command"])),
            }
            for run in runs
            for r in run["rows"]
        ]
        rows = [r for i, r in enumerate(rows) if r["strategy"] != "none" or r not in rows[:i]]
        summary = {k: v for k, v in runs[0].items() if k not in ("rows", "command")}
        summary["commands"] = [run["command"] for run in runs]
        write_outputs(args.out, summary, rows, runs[0]["command"])
        return
    started = time.perf_counter()
    loop = Loop(args)
    rows = loop.run()
    loop.summary["total_seconds"] = round(time.perf_counter() - started, 1)
    write_outputs(args.out, loop.summary, rows, command)
    shutil.rmtree(loop.work, ignore_errors=True)
    print(f"wrote {args.out}/learning_loop.csv, .json, .svg", flush=True)


if __name__ == "__main__":
    main()
