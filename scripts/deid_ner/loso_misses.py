"""What the learned name decision still misses on a writer it was not trained on, by cause.

    .venv/bin/python scripts/deid_ner/loso_misses.py --json docs/deid_round7_loso_misses.json

For each development set left out, the decision is fitted on the others (as
``scripts/train_deid.py``'s token-level leave-one-set-out does, with the rules' older
votes and the tagger's out-of-fold spans) and its missed name tokens are counted by the
tagger's vote on them (tagged or not) and whether the rules rule the word out before any
feature is read (``NameFinder._ruled_out``: titles, acronyms, short plain words, listed
things). Also the recall and false names at lower cut-offs for adding a name, to show
what the cut-off trades (not used to choose it). Development sets only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import train_deid as td

from nlp.deid.analyzer import build_analyzer
from nlp.deid.evaluation import load_pii


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(td.DEV_SETS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sets = args.sets
    data = {s: load_pii(td.PII / f"pii_{s}.jsonl") for s in sets}
    tagged: dict[str, list[tuple[int, int]]] = {}
    for s in sets:
        tagged.update(td.tagger_votes(s, data[s]))
    rules = td.CachedAnalyzer(build_analyzer(with_model=False), {}, tagged=tagged)
    rows = {s: td.labelled_rows(rules, data[s], td.old_votes(s, data[s])) for s in sets}
    report = {}
    for s in sets:
        vocab, coef, intercept = td.fit([r for t in sets if t != s for r in rows[t]])
        model = td.as_model(vocab, coef, intercept)
        causes: Counter[str] = Counter()
        for feats, label, rule in rows[s]:
            if label and not td.decide(model, feats, rule):
                tag = "tagged" if "nt=O" not in feats else "untagged"
                out = "ruled_out" if "ruled_out" in feats else "not_ruled_out"
                causes[f"{tag}, {out}"] += 1
        cutoffs = {}
        for add in (td.ADD, 0.15, 0.10):
            lower = dataclasses.replace(model, add=add)
            decided = [td.decide(lower, f, r) for f, _, r in rows[s]]
            cutoffs[str(add)] = td.token_figures(rows[s], decided)
        report[s] = {"misses": sum(causes.values()), "by_cause": dict(causes), "add": cutoffs}
        print(s, report[s])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
