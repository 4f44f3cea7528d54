"""Run a model over a gold file exactly as ``careaudit audit`` would, then score it."""

from __future__ import annotations

from pathlib import Path

from nlp.audit.auditor import Auditor
from nlp.audit.register_match import Register, load_register
from nlp.evaluation.scoring import Evaluation, score
from nlp.prediction.base import SentenceModel
from nlp.records.corpus import read_gold


def evaluate_file(
    gold_path: Path,
    model: SentenceModel,
    register_path: Path | None = None,
    auditor: Auditor | None = None,
) -> Evaluation:
    gold = read_gold(gold_path)
    register = load_register(register_path)[0] if register_path else Register.empty()
    if auditor is None:
        auditor = Auditor(model, register=register)
    else:
        auditor.model, auditor.register = model, register
    result = auditor.run([g.note for g in gold])
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for r in result.restrictions:
        spans.setdefault(r.note_id, []).append(
            (r.sentence_start, r.sentence_end, r.restriction_type)
        )
    return score(gold, result.flags, spans)
