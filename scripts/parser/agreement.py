"""Agreement and speed of a distilled parser against en_core_web_sm, same process.

Agreement on the gold sentences of ``annotations/dev.jsonl`` (services the distilled
model never saw; each sentence parsed on its own, as the audit does): tag, POS and
lemma accuracy, UAS, LAS, and per-label F1 (head and label both right) for the
dependency labels careaudit's rules read. Speed, on the same pre-tokenised sentences,
both models alternating, best of ``--repeats``: tok2vec + tagger + parser only
(attribute ruler and lemmatizer are the same rules in both), and the whole full
pipeline (``build_full``: with careaudit's components, as the parse stage runs it).

    .venv/bin/python scripts/parser/agreement.py models/parser/<name> [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from nlp.analysis.english import load_english, load_parser_model
from nlp.analysis.pipelines import build_full

# the dependency labels nlp/analysis reads (agency.py, doing_for.py, decisions.py,
# plan_elements.py, restrictions.py)
RULE_DEPS = (
    "ROOT", "nsubj", "nsubjpass", "csubj", "csubjpass", "agent", "pobj", "dobj", "dative",
    "oprd", "prep", "poss", "neg", "conj", "xcomp", "ccomp", "advcl", "relcl", "acl", "amod",
    "auxpass",
)  # fmt: skip
FAST_PIPES = ("tok2vec", "tagger", "parser")


def dev_sentences(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        note = json.loads(line)
        for s in note["sentences"]:
            sent = note["text"][s["start"] : s["end"]].strip()
            if sent:
                out.append(sent)
    return out


def agreement(ref_docs, new_docs) -> dict:
    c = Counter()
    per = {d: Counter() for d in RULE_DEPS}
    for a, b in zip(ref_docs, new_docs, strict=True):
        if [t.text for t in a] != [t.text for t in b]:
            c["tokenisation_differs"] += 1
            continue
        c["sentences"] += 1
        same_sent = True
        for x, y in zip(a, b, strict=True):
            c["tokens"] += 1
            c["tag"] += x.tag_ == y.tag_
            c["pos"] += x.pos_ == y.pos_
            c["lemma"] += x.lemma_ == y.lemma_
            head = x.head.i == y.head.i
            c["uas"] += head
            c["las"] += head and x.dep_ == y.dep_
            same_sent &= head and x.dep_ == y.dep_ and x.tag_ == y.tag_
            for dep, counter in per.items():
                ref, new = x.dep_ == dep, y.dep_ == dep
                counter["ref"] += ref
                counter["new"] += new
                counter["both"] += ref and new and head
        c["identical_sentences"] += same_sent
    n = c["tokens"]
    out = {k: round(c[k] / n, 4) for k in ("tag", "pos", "lemma", "uas", "las")}
    out["sentences"] = c["sentences"]
    out["tokens"] = n
    out["tokenisation_differs"] = c["tokenisation_differs"]
    out["identical_sentences"] = round(c["identical_sentences"] / max(c["sentences"], 1), 4)
    rule = Counter()
    out["per_label_f1"] = {}
    for dep, k in per.items():
        rule.update(k)
        if k["ref"] + k["new"]:
            out["per_label_f1"][dep] = [round(2 * k["both"] / (k["ref"] + k["new"]), 4), k["ref"]]
    out["rule_labels_f1"] = round(2 * rule["both"] / (rule["ref"] + rule["new"]), 4)
    return out


def speed(models: dict, texts: list[str], repeats: int, only=FAST_PIPES) -> dict:
    docs = {name: [nlp.make_doc(t) for t in texts] for name, nlp in models.items()}
    best = {name: float("inf") for name in models}
    for _ in range(repeats):
        for name, nlp in models.items():
            others = [p for p in nlp.pipe_names if only and p not in only]
            fresh = [d.copy() for d in docs[name]]
            t0 = time.perf_counter()
            for _doc in nlp.pipe(fresh, batch_size=128, disable=others):
                pass
            best[name] = min(best[name], time.perf_counter() - t0)
    return {name: {"seconds": round(s, 3), "sentences_per_s": round(len(texts) / s)}
            for name, s in best.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path, help="distilled model folder (or a spaCy pipeline dir)")
    ap.add_argument("--dev", type=Path, default=Path("annotations/dev.jsonl"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    texts = dev_sentences(args.dev)
    sm = load_english()
    small = load_parser_model(args.model)
    ref = list(sm.pipe(texts, batch_size=128))
    new = list(small.pipe(texts, batch_size=128))
    result = {"model": str(args.model), "agreement": agreement(ref, new),
              "speed": speed({"sm": sm, "small": small}, texts, args.repeats)}
    result["speed"]["ratio"] = round(
        result["speed"]["sm"]["seconds"] / result["speed"]["small"]["seconds"], 2)
    full = {"sm": build_full(load_english()), "small": build_full(load_parser_model(args.model))}
    result["speed_full_pipeline"] = speed(full, texts, args.repeats, only=())
    result["speed_full_pipeline"]["ratio"] = round(
        result["speed_full_pipeline"]["sm"]["seconds"]
        / result["speed_full_pipeline"]["small"]["seconds"], 2)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
