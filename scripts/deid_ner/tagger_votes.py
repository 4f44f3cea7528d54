"""Record a name tagger's spans on one development PII set (its out-of-fold votes).

    .venv/bin/python scripts/deid_ner/tagger_votes.py dev7 /tmp/tagfolds/dev7/model/model-last

The learned name decision weighs the tagger's votes (:mod:`nlp.deid.name_tagger`). To
learn how far to trust them on a writer the tagger never read, each training set
carries the spans of a tagger trained **without** it: for ``dev7`` one trained on the
other development sets (``make_docbins.py --leave-out dev7``). The spans are written to
``annotations/pii/tagger_votes/<set>.json`` (note id -> ``[[start, end], ...]`` character
offsets, plus ``"_tagger"``: how the tagger was trained) and read by
``scripts/train_deid.py``. Held-out sets are refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nlp.deid.evaluation import load_pii

ROOT = Path(__file__).resolve().parents[2]
PII = ROOT / "annotations" / "pii"
OUT = PII / "tagger_votes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set", help="development set name (pii_<set>.jsonl)")
    parser.add_argument("model", type=Path, help="the tagger trained without this set")
    parser.add_argument("--trained-on", nargs="+", required=True, help="its training sets")
    args = parser.parse_args(argv)
    if args.set.startswith("holdout"):
        parser.error("held-out sets are never read here")
    if args.set in args.trained_on:
        parser.error(f"the tagger for {args.set} must be trained without it")
    import spacy

    nlp = spacy.load(args.model)
    records = load_pii(PII / f"pii_{args.set}.jsonl")
    votes: dict[str, object] = {
        "_tagger": {"trained_on": sorted(args.trained_on), "config": "scripts/deid_ner/config.cfg"}
    }
    texts = [r["text"] for r in records]
    for record, doc in zip(records, nlp.pipe(texts, batch_size=64), strict=True):
        votes[record["note_id"]] = [[e.start_char, e.end_char] for e in doc.ents]
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{args.set}.json"
    path.write_text(json.dumps(votes, separators=(",", ":")) + "\n", encoding="utf-8")
    spans = sum(len(v) for k, v in votes.items() if not k.startswith("_"))
    print(f"{path}: {len(records)} notes, {spans} spans")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
