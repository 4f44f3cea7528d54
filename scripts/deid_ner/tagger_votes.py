"""Record a name tagger's spans on one development PII set (its out-of-fold votes).

    .venv/bin/python scripts/deid_ner/tagger_votes.py dev7 /tmp/tagfolds/dev7/model/model-last

The learned name decision weighs the tagger's votes (:mod:`nlp.deid.name_tagger`). To
learn how far to trust them on a writer the tagger never read, each training set
carries the spans of a tagger trained **without** it: for ``dev7`` one trained on the
other development sets (``make_docbins.py --leave-out dev7``). The spans are written to
``annotations/pii/tagger_votes/<set>.json`` (note id -> ``[[start, end], ...]`` character
offsets, plus ``"_tagger"``: the sets it was trained on, read from ``make_docbins.py``'s
``docbins.json`` beside the model when present, and the SHA-256 of its ``config.cfg`` and
``meta.json``) and read by ``scripts/train_deid.py``, which refuses a file whose tagger
read the set itself or a held-out set. Held-out sets are refused here too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nlp.deid.evaluation import load_pii
from nlp.deid.name_tagger import name_spans

ROOT = Path(__file__).resolve().parents[2]
PII = ROOT / "annotations" / "pii"
OUT = PII / "tagger_votes"


def alone(records: list[dict[str, Any]], votes: dict[str, Any]) -> tuple[int, int, int]:
    """Gold name spans a tagged span overlaps, gold name spans, tagged spans touching none."""
    hit = gold = outside = 0
    for record in records:
        names = [(s["start"], s["end"]) for s in record["pii"] if s["type"] == "name"]
        tagged = votes[record["note_id"]]
        gold += len(names)
        hit += sum(any(x < b and a < y for x, y in tagged) for a, b in names)
        outside += sum(not any(x < b and a < y for a, b in names) for x, y in tagged)
    return hit, gold, outside


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
    import hashlib

    import spacy

    trained_on = sorted(args.trained_on)
    docbins = args.model.parent.parent / "docbins.json"  # <out>/model/model-last
    if docbins.exists():
        read = sorted(json.loads(docbins.read_text(encoding="utf-8"))["train"]["sets"])
        if read != trained_on:
            parser.error(f"{docbins} says the tagger read {read}, not {trained_on}")
    nlp = spacy.load(args.model)
    records = load_pii(PII / f"pii_{args.set}.jsonl")
    votes: dict[str, Any] = {
        "_tagger": {
            "trained_on": trained_on,
            "checked_against_docbins": docbins.exists(),
            "config_sha256": hashlib.sha256((args.model / "config.cfg").read_bytes()).hexdigest(),
            "meta_sha256": hashlib.sha256((args.model / "meta.json").read_bytes()).hexdigest(),
        }
    }
    texts = [r["text"] for r in records]
    for record, doc in zip(records, nlp.pipe(texts, batch_size=64), strict=True):
        votes[record["note_id"]] = [list(span) for span in name_spans(doc)]
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{args.set}.json"
    path.write_text(json.dumps(votes, separators=(",", ":")) + "\n", encoding="utf-8")
    spans = sum(len(v) for k, v in votes.items() if not k.startswith("_"))
    print(f"{path}: {len(records)} notes, {spans} spans")
    hit, gold, outside = alone(records, votes)
    print(f"the tagger alone: {hit} of {gold} name spans touched ({hit / max(1, gold):.3f}), "
          f"{outside} of its spans touch no name")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
