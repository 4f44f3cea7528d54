"""Silver training data for the distilled parser: en_core_web_sm's own analyses.

Runs the English pipeline exactly as careaudit loads it (``load_english()``: NER
excluded) over sentences of ``annotations/train.jsonl`` and ``annotations/dev.jsonl``
only -- never test.jsonl, held-out writer files or any real-text set -- and saves
its tags, POS, morphology, lemmas, heads and dependency labels as spaCy DocBins:

- ``train.spacy``: every gold sentence of train.jsonl as its own Doc (the audit
  parses sentence by sentence), plus each care-plan note whole (the audit parses
  those whole), plus a lower-cased copy of 1 sentence in 5 (app-style notes);
- ``dev.spacy``: every gold sentence of dev.jsonl (services never in train.spacy),
  the agreement set.

    .venv/bin/python scripts/parser/silver.py --out build/parser
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spacy.tokens import DocBin

from nlp.analysis.english import load_english

ATTRS = ["ORTH", "TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP", "SENT_START"]


def texts(path: Path, whole_plans: bool, lower_every: int) -> list[str]:
    out: list[str] = []
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        note = json.loads(line)
        text = note["text"]
        for s in note["sentences"]:
            sent = text[s["start"] : s["end"]].strip()
            if not sent:
                continue
            out.append(sent)
            n += 1
            if lower_every and n % lower_every == 0 and sent.lower() != sent:
                out.append(sent.lower())
        if whole_plans and "plan" in note.get("note_type", ""):
            out.append(text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("build/parser"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    nlp = load_english()
    sets = {
        "train": texts(Path("annotations/train.jsonl"), whole_plans=True, lower_every=5),
        "dev": texts(Path("annotations/dev.jsonl"), whole_plans=False, lower_every=0),
    }
    for name, items in sets.items():
        db = DocBin(attrs=ATTRS, store_user_data=False)
        n_tok = 0
        for doc in nlp.pipe(items, batch_size=256):
            db.add(doc)
            n_tok += len(doc)
        db.to_disk(args.out / f"{name}.spacy")
        print(f"{name}: {len(items)} docs, {n_tok} tokens")


if __name__ == "__main__":
    main()
