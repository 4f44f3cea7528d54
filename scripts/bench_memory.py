"""Peak memory of ``careaudit audit --workers 2`` on a large generated export.

    .venv/bin/python scripts/bench_memory.py --notes 200000 [--invented-words 4] [--before DIR]

The export is ``scripts/bench.py``'s low-density mix (``--big-notes`` there). Its notes
reuse the corpus's sentences, so their vocabulary is small; ``--invented-words N`` adds N
invented capitalised words to every note (two before the text, two in a reference after
it), as names and references do in a real export, to load the vocabularies and caches.
``--before`` runs the same command with an earlier checkout's code on the same file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import string
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ROOT, audit_cmd, generate, run


def add_invented_words(source: Path, target: Path, per_note: int, seed: int = 7) -> None:
    """Copy ``source`` with ``per_note`` invented words added to each note's text."""
    rng = random.Random(seed)
    with (
        source.open(newline="", encoding="utf-8") as fin,
        target.open("w", newline="", encoding="utf-8") as fout,
    ):
        reader = csv.DictReader(fin)
        writer = csv.DictWriter(fout, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for i, row in enumerate(reader):
            words = [
                "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 9))).capitalize()
                for _ in range(per_note)
            ]
            head, tail = words[: per_note // 2], words[per_note // 2 :]
            text = row["text"]
            if head:
                text = f"{' '.join(head)} visited. {text}"
            if tail:
                text = f"{text} Ref {tail[0]}{i} {' '.join(tail[1:])}".rstrip() + "."
            row["text"] = text
            writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=200_000)
    parser.add_argument("--invented-words", type=int, default=0)
    parser.add_argument("--before", type=Path, help="an earlier checkout to run the same way")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="careaudit-memory-", dir=args.out))
    export = work / "big.csv"
    generate(export, args.notes, low=True, seed=31)
    if args.invented_words:
        plain, export = export, work / "big_invented.csv"
        add_invented_words(plain, export, args.invented_words)
        plain.unlink()
    runs = {"now": ROOT} | ({"before": args.before} if args.before else {})
    results = {"notes": args.notes, "invented_words_per_note": args.invented_words, "workers": 2}
    for label, root in runs.items():
        measured = run(audit_cmd(export, work / f"out_{label}", 2), sample=True, root=root)
        results[label] = {
            "seconds": round(measured["seconds"], 1),
            "peak_rss_mib": measured["peak_rss_mb"],
            "largest_process_rss_mib": measured["largest_process_rss_mb"],
        }
    export.unlink()
    print(json.dumps(results, indent=2))
    (args.out / "memory.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
