"""Score an audit against gold: per-flag precision, recall and F1 at sentence level.

Scoring rule (annotation guidelines): a predicted flag counts for every gold
sentence its character span overlaps. Gold ``unrecorded_restriction`` is
``restriction=1 and authorised_in_text=0 and in_register=0``. A sentence whose
gold for a flag is unknown (``null``) is not scored for that flag.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from nlp.records.corpus import GoldNote
from nlp.schema import Flag, SentenceLabels

FLAG_CATEGORIES = ("doing_for", "unrecorded_restriction", "missing_rationale")


def gold_value(s: SentenceLabels, category: str) -> int | None:
    """The sentence's gold for ``category``; None when unknown (a null: the cell is skipped)."""
    if category == "unrecorded_restriction":
        return s.unrecorded_restriction
    value = getattr(s, category)
    return None if value is None else int(value)


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    unknown: int = 0  # sentences whose gold is null for this flag: not scored

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "support": self.tp + self.fn,
        }
        if self.unknown:
            out["unknown"] = self.unknown
        return out


@dataclass
class ErrorCase:
    kind: str  # FP | FN
    category: str
    note_id: str
    sentence: str
    detail: str = ""


@dataclass
class Evaluation:
    scores: dict[str, Scores] = field(default_factory=dict)
    type_recall: dict[str, tuple[int, int]] = field(default_factory=dict)
    errors: list[ErrorCase] = field(default_factory=list)
    sentences: int = 0
    notes: int = 0

    def as_dict(self, worst: int = 20) -> dict:
        return {
            "notes": self.notes,
            "sentences": self.sentences,
            "flags": {c: s.as_dict() for c, s in self.scores.items()},
            "restriction_type_recall": {
                t: {"found": f, "gold": g, "recall": round(f / g, 3) if g else None}
                for t, (f, g) in sorted(self.type_recall.items())
            },
            "worst_errors": [e.__dict__ for e in self.errors[:worst]],
        }


def score(
    gold: list[GoldNote],
    flags: list[Flag],
    restriction_spans: dict[str, list[tuple[int, int, str]]] | None = None,
) -> Evaluation:
    """Compare flags with gold sentences; ``restriction_spans`` (any status) gives type recall."""
    by_note: dict[str, list[Flag]] = defaultdict(list)
    for f in flags:
        by_note[f.note_id].append(f)
    ev = Evaluation(scores={c: Scores() for c in FLAG_CATEGORIES})
    type_found: Counter = Counter()
    type_gold: Counter = Counter()
    for g in gold:
        ev.notes += 1
        nflags = by_note.get(g.note.note_id, [])
        for s in g.sentences:
            ev.sentences += 1
            text = g.note.text[s.start : s.end]
            for cat in FLAG_CATEGORIES:
                hits = [
                    f for f in nflags if f.category == cat and f.start < s.end and s.start < f.end
                ]
                pred, truth = int(bool(hits)), gold_value(s, cat)
                sc = ev.scores[cat]
                if truth is None:
                    sc.unknown += 1
                    continue
                if pred and truth:
                    sc.tp += 1
                elif pred:
                    sc.fp += 1
                    ev.errors.append(
                        ErrorCase(
                            "FP",
                            cat,
                            g.note.note_id,
                            text,
                            f"{hits[0].source} score {hits[0].score}",
                        )
                    )
                elif truth:
                    sc.fn += 1
                    ev.errors.append(
                        ErrorCase("FN", cat, g.note.note_id, text, s.restriction_type or "")
                    )
                else:
                    sc.tn += 1
            if s.restriction == 1:
                type_gold[s.restriction_type] += 1
                spans = (restriction_spans or {}).get(g.note.note_id, [])
                if any(a < s.end and s.start < b and t == s.restriction_type for a, b, t in spans):
                    type_found[s.restriction_type] += 1
    ev.type_recall = {t: (type_found[t], type_gold[t]) for t in type_gold}
    ev.errors.sort(key=lambda e: (e.kind != "FN", e.category))
    return ev
