"""Token-level recall per PII type and precision, careaudit's de-identifier vs Presidio default.

    .venv/bin/python scripts/eval_deid.py annotations/pii/pii_dev.jsonl [--json out.json]
        [--system careaudit --system presidio] [--misses]

careaudit runs exactly as ``careaudit deidentify`` does (the whole file as one batch,
columns included); Presidio runs its default analyser note by note. See
``nlp/deid/evaluation.py`` for how tokens are counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.deid.evaluation import TYPES, Score, deidentified_texts, load_pii, misses, score

SYSTEMS = ("careaudit", "presidio")


def careaudit_outputs(records: list[dict[str, Any]], seed: int = 0) -> list[str]:
    from nlp.deid import shared_analyzer

    return deidentified_texts(records, shared_analyzer(), seed)


def presidio_outputs(records: list[dict[str, Any]]) -> list[str]:
    from nlp.deid.baseline import presidio_outputs as run

    return run(r["text"] for r in records)


def table(results: dict[str, Score]) -> str:
    names = list(results)
    lines = [f"{'':28}" + "".join(f"{n:>12}" for n in names)]
    first = next(iter(results.values()))
    for kind in TYPES:
        if first.counted.get(kind):
            cells = "".join(f"{results[n].recall(kind):>12.3f}" for n in names)
            lines.append(f"recall {kind:<14} ({first.counted[kind]:>3})" + cells)
    if first.room_number_tokens:  # the numbers of room spans, apart from unit names
        cells = "".join(f"{results[n].room_number_recall or 0.0:>12.3f}" for n in names)
        lines.append(f"{'recall room numbers':21}({first.room_number_tokens:>3})" + cells)
    lines.append(
        f"{'recall, all PII tokens':28}" + "".join(f"{results[n].recall():>12.3f}" for n in names)
    )
    lines.append(
        f"{'precision, non_pii spans':28}"
        + "".join(f"{results[n].span_precision:>12.3f}" for n in names)
    )
    lines.append(
        f"{'precision, other tokens':28}"
        + "".join(f"{results[n].token_precision:>12.3f}" for n in names)
    )
    lines.append(
        f"{'notes leaking a name':28}"
        + "".join(f"{results[n].notes_leaking_names:>12d}" for n in names)
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pii_file", type=Path)
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON here.")
    parser.add_argument("--system", action="append", choices=SYSTEMS)
    parser.add_argument("--misses", action="store_true", help="List what each system got wrong.")
    args = parser.parse_args(argv)
    records = load_pii(args.pii_file)
    results: dict[str, Score] = {}
    report: dict[str, Any] = {"file": str(args.pii_file), "notes": len(records)}
    for system in args.system or SYSTEMS:
        started = time.perf_counter()
        outputs = careaudit_outputs(records) if system == "careaudit" else presidio_outputs(records)
        results[system] = score(records, outputs)
        report[system] = {
            **results[system].to_dict(),
            "seconds": round(time.perf_counter() - started, 1),
        }
        if args.misses:
            print(f"--- {system}")
            print("\n".join(misses(records, outputs)))
    print(f"{args.pii_file}: {len(records)} notes")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
