"""Find likely label errors in the gold corpus with cleanlab, for a person to review.

    .venv/bin/python scripts/label_noise.py --out annotations/label_noise/suspects.jsonl

For each head (doing_for, restriction, missing_rationale) an independent text
model (word 1-2-gram + char 3-5-gram TF-IDF of the sentence and word TF-IDF of its
neighbours, logistic regression) gives out-of-fold probabilities, folds grouped by
writer so no writer's own phrasing leaks into its scores. ``cleanlab``'s
``find_label_issues`` (self-confidence ranking) then lists the sentences whose
given label the other writers' data most strongly disagree with. The suspects are
only candidates: a reviewer decides each against the annotation guidelines, and
the accepted changes go to ``annotations/corrections.jsonl``, which
``build_corpus.py`` applies.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
HEADS = ("doing_for", "restriction", "missing_rationale")


def load_sentences(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            note = json.loads(line)
            spans = [note["text"][s["start"] : s["end"]] for s in note["sentences"]]
            for i, s in enumerate(note["sentences"]):
                rows.append(
                    {
                        "note_id": note["note_id"],
                        "sentence": i,
                        "writer": note.get("writer", note["note_id"].split("-")[1]),
                        "text": spans[i],
                        "prev": spans[i - 1] if i else "",
                        "next": spans[i + 1] if i + 1 < len(spans) else "",
                        "labels": {h: int(s.get(h) or 0) for h in HEADS},
                        "restriction_type": s.get("restriction_type"),
                    }
                )
    return rows


def out_of_fold(rows: list[dict], head: str, folds: int) -> np.ndarray:
    """P(label = 1) for every sentence from a model that never saw its writer."""
    y = np.array([r["labels"][head] for r in rows])
    groups = [r["writer"] for r in rows]
    probs = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=folds).split(rows, y, groups):
        word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True)
        ctx = TfidfVectorizer(min_df=2, sublinear_tf=True)
        texts = [r["text"] for r in rows]
        context = [r["prev"] + " || " + r["next"] for r in rows]
        pick = lambda items, idx: [items[i] for i in idx]  # noqa: E731
        x_train = hstack(
            [
                word.fit_transform(pick(texts, train)),
                char.fit_transform(pick(texts, train)),
                ctx.fit_transform(pick(context, train)),
            ]
        ).tocsr()
        x_test = hstack(
            [
                word.transform(pick(texts, test)),
                char.transform(pick(texts, test)),
                ctx.transform(pick(context, test)),
            ]
        ).tocsr()
        clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        clf.fit(x_train, y[train])
        probs[test] = clf.predict_proba(x_test)[:, 1]
    return probs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--gold",
        type=Path,
        nargs="+",
        default=[ROOT / "annotations" / f"{s}.jsonl" for s in ("train", "dev", "test")],
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--per-head", type=int, default=0, help="keep the N worst per head")
    args = parser.parse_args()
    from cleanlab.filter import find_label_issues

    rows = load_sentences(args.gold)
    suspects = []
    for head in HEADS:
        p1 = out_of_fold(rows, head, args.folds)
        labels = np.array([r["labels"][head] for r in rows])
        ranked = find_label_issues(
            labels, np.column_stack([1 - p1, p1]), return_indices_ranked_by="self_confidence"
        )
        if args.per_head:
            ranked = ranked[: args.per_head]
        for i in ranked:
            r = rows[i]
            suspects.append(
                {
                    "note_id": r["note_id"],
                    "sentence": r["sentence"],
                    "head": head,
                    "given": int(labels[i]),
                    "p_positive": round(float(p1[i]), 3),
                    "prev": r["prev"],
                    "text": r["text"],
                    "next": r["next"],
                    "restriction_type": r["restriction_type"],
                }
            )
        print(f"{head}: {len(ranked)} suspects of {len(rows)} sentences", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for s in suspects:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(json.dumps(Counter(s["head"] for s in suspects)))


if __name__ == "__main__":
    main()
