"""Benchmark ``careaudit audit``: notes/second, peak memory and where the time goes.

    .venv/bin/python scripts/bench.py --notes 10000 --out bench/

Generates N notes of realistic length (3-12 sentences each, drawn from the
invented corpus so wording is real), writes them as a CSV export, and times the
whole audit in-process: reading and validating the export, the cheap candidate
pass, parsing the candidates, the model, building flags (plus the care-plan
standard) and writing the output folder. Also reports the candidate filter's
recall: the share of gold-positive corpus sentences it sends to the parser.
Writes ``bench/results.json`` and ``bench/results.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.analysis.analyzer import Analyzer  # noqa: E402
from nlp.audit.auditor import Auditor  # noqa: E402
from nlp.audit.register_match import load_register  # noqa: E402
from nlp.prediction.registry import load_sentence_model  # noqa: E402
from nlp.records.corpus import read_gold  # noqa: E402
from nlp.records.exports import read_notes  # noqa: E402
from nlp.records.run_writer import write_run  # noqa: E402


def generate(path: Path, n: int, seed: int = 11) -> int:
    """A CSV export of n notes of 3-12 sentences drawn from the training corpus."""
    gold = read_gold(ROOT / "annotations/train.jsonl")
    sentences = [g.note.text[s.start : s.end] for g in gold for s in g.sentences]
    meta = [(g.note.person_id, g.note.service, g.note.author, g.note.note_type) for g in gold]
    rng = random.Random(seed)
    total = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["note_id", "person_id", "date", "service", "author", "note_type", "text"])
        for i in range(n):
            k = rng.randint(3, 12)
            total += k
            person, service, author, note_type = rng.choice(meta)
            date = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            w.writerow(
                [
                    f"B-{i:06d}",
                    person,
                    date,
                    service,
                    author,
                    note_type,
                    " ".join(rng.choice(sentences) for _ in range(k)),
                ]
            )
    return total


def candidate_recall(analyzer: Analyzer) -> dict[str, float]:
    """Share of gold-positive dev sentences that the cheap pass sends to the parser."""
    gold = read_gold(ROOT / "annotations/dev.jsonl")
    analyses = analyzer.analyse_segmented(
        [g.note for g in gold], [[(s.start, s.end) for s in g.sentences] for g in gold]
    )
    out = {}
    for label in ("doing_for", "restriction", "missing_rationale"):
        pos = [
            ev.candidate
            for g, a in zip(gold, analyses, strict=True)
            for s, ev in zip(g.sentences, a.sentences, strict=False)
            if getattr(s, label)
        ]
        out[label] = round(sum(pos) / len(pos), 3) if pos else 0.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--model", default="hybrid")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    export = args.out / "bench_notes.csv"
    n_sent = generate(export, args.notes)

    t0 = time.perf_counter()
    analyzer = Analyzer()
    model = load_sentence_model(args.model)
    register, _ = load_register(ROOT / "annotations/train_register.csv")
    auditor = Auditor(model, analyzer=analyzer, register=register)
    t_load = time.perf_counter() - t0

    t0 = time.perf_counter()
    read = read_notes(export)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = auditor.run(read.notes)
    t_audit = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_run(args.out / "run", result, read.problems, {"run_id": "bench", "model": model.name})
    t_write = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    stats, timings = analyzer.stats, auditor.timings
    end_to_end = t_read + t_audit + t_write
    rows = [
        ("load pipeline + model (once)", t_load),
        ("read + validate export", t_read),
        ("cheap pass (tokenise, sentences, evidence, candidates)", stats["cheap_seconds"]),
        ("parse candidate sentences (spaCy, NER off)", stats["parse_seconds"]),
        ("model (features + classifier)", timings["model_seconds"]),
        ("flags + register", timings["flags_seconds"] - timings["plan_standard_seconds"]),
        ("care-plan standard (whole care-plan notes parsed)", timings["plan_standard_seconds"]),
        ("write output folder", t_write),
    ]
    results = {
        "notes": args.notes,
        "sentences": n_sent,
        "model": model.name,
        "parsed_sentences": stats["parsed"],
        "parsed_share": round(stats["parsed"] / max(1, stats["sentences"]), 3),
        "end_to_end_seconds": round(end_to_end, 1),
        "notes_per_second": round(args.notes / end_to_end, 1),
        "sentences_per_second": round(n_sent / end_to_end, 1),
        "peak_memory_mb": round(peak_mb),
        "stages": {name: round(sec, 2) for name, sec in rows},
        "candidate_recall_dev": candidate_recall(analyzer),
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}",
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    md = [
        f"# careaudit benchmark ({args.notes:,} notes, {n_sent:,} sentences, model {model.name})",
        "",
        f"- end to end (read → audit → write): **{results['notes_per_second']} notes/s** "
        f"({results['sentences_per_second']} sentences/s), {results['end_to_end_seconds']} s",
        f"- peak memory (max RSS): {results['peak_memory_mb']} MB",
        f"- sentences sent to the parser: {results['parsed_share']:.0%}",
        f"- candidate-filter recall on dev gold positives: {results['candidate_recall_dev']}",
        f"- machine: {results['machine']}",
        "",
        "| stage | seconds |",
        "|---|---|",
    ]
    md += [f"| {name} | {sec:.2f} |" for name, sec in rows]
    (args.out / "results.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
