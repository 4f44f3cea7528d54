"""Leave-one-writer-out: how a model does on the writing of someone it never read.

Every corpus note records its writer (``writer``: ``h1``…``h12`` for rounds 1-2,
``w13``… for round 3). For each writer in turn, a model is trained on the other
writers' ``train`` notes, its thresholds tuned on the other writers' ``dev``
notes, and it audits **all** of the held-out writer's notes (every split) exactly
as ``careaudit audit`` would (flags, register matching), scored per sentence as
the guidelines define. Rules and keyword models need no training and are simply
scored per writer.

The parse is the slow part and does not depend on the model, so every note is
analysed once (full parse) and reused across folds and models
(:class:`CachedAnalyzer`).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.analysis.analyzer import Analyzer, NoteAnalysis
from nlp.audit.auditor import Auditor
from nlp.audit.register_match import Register, load_register
from nlp.evaluation.scoring import FLAG_CATEGORIES, score
from nlp.prediction.registry import TRAINED_KINDS, load_sentence_model
from nlp.records.corpus import GoldNote, read_gold
from nlp.schema import Note


class CachedAnalyzer:
    """An :class:`Analyzer` that analyses (and fully parses) each note once.

    Offers the methods the auditor and the training code call; a note seen again
    (same id, text and sentence segmentation) gets its first analysis back.
    """

    def __init__(self, inner: Analyzer | None = None) -> None:
        self.inner = inner or Analyzer()
        self._cache: dict[tuple, NoteAnalysis] = {}

    def __getattr__(self, name: str) -> Any:  # stats, full, cheap, parse_sentence ...
        return getattr(self.inner, name)

    def cheap_pass(
        self, notes: Sequence[Note], segments: Sequence[list[tuple[int, int]]] | None = None
    ) -> list[NoteAnalysis]:
        keys = [
            (n.note_id, n.text, n.note_type, tuple(map(tuple, segments[i])) if segments else None)
            for i, n in enumerate(notes)
        ]
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            fresh = self.inner.cheap_pass(
                [notes[i] for i in missing], [segments[i] for i in missing] if segments else None
            )
            self.inner.parse(fresh)
            for i, analysis in zip(missing, fresh, strict=True):
                self._cache[keys[i]] = analysis
        return [self._cache[k] for k in keys]

    def parse(self, analyses: Sequence[NoteAnalysis], needed: Any = None) -> int:
        return 0  # already parsed in full by cheap_pass

    def analyse(self, notes: Iterable[Note]) -> Iterator[NoteAnalysis]:
        yield from self.cheap_pass(list(notes))

    def analyse_segmented(
        self, notes: list[Note], segments: list[list[tuple[int, int]]]
    ) -> list[NoteAnalysis]:
        return self.cheap_pass(notes, segments)


@dataclass(slots=True)
class CorpusNote:
    gold: GoldNote
    writer: str
    split: str
    raw: dict


def load_corpus(folder: Path) -> list[CorpusNote]:
    """Every note of ``{train,dev,test}.jsonl`` in ``folder`` with its writer and split."""
    notes: list[CorpusNote] = []
    for split in ("train", "dev", "test"):
        path = folder / f"{split}.jsonl"
        raws = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        for gold, raw in zip(read_gold(path), raws, strict=True):
            writer = raw.get("writer") or "h" + raw["note_id"].split("-")[1]
            notes.append(CorpusNote(gold=gold, writer=writer, split=split, raw=raw))
    return notes


def load_registers(folder: Path) -> Register:
    """One register holding the entries of every split (people never cross splits)."""
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp) / "register.csv"
        lines: list[str] = []
        for split in ("train", "dev", "test"):
            rows = (folder / f"{split}_register.csv").read_text(encoding="utf-8").splitlines()
            lines += rows if not lines else rows[1:]
        merged.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return load_register(merged)[0]


def _write(notes: Iterable[CorpusNote], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for n in notes:
            fh.write(json.dumps(n.raw, ensure_ascii=False) + "\n")
    return path


def fold_model(
    kind: str, train: list[CorpusNote], dev: list[CorpusNote], analyzer: CachedAnalyzer
) -> Any:
    """A model trained on ``train`` with thresholds tuned on ``dev`` (or an untrained kind)."""
    if kind not in TRAINED_KINDS:
        return load_sentence_model(kind)
    from nlp.prediction.training import train as train_model

    with tempfile.TemporaryDirectory() as tmp:
        corpus = _write(train, Path(tmp) / "train.jsonl")
        dev_path = _write(dev, Path(tmp) / "dev.jsonl")
        model, _ = train_model(
            kind, corpus, dev_path, Path(tmp) / "model", analyzer=analyzer, write=False
        )
    return model


def score_notes(
    model: Any, notes: list[CorpusNote], register: Register, analyzer: CachedAnalyzer
) -> dict[str, dict]:
    """Audit ``notes`` with ``model`` as ``careaudit audit`` would; per-flag scores."""
    auditor = Auditor(model, analyzer=analyzer, register=register, selective_parse=False)
    result = auditor.run([n.gold.note for n in notes])
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for r in result.restrictions:
        spans.setdefault(r.note_id, []).append(
            (r.sentence_start, r.sentence_end, r.restriction_type)
        )
    evaluation = score([n.gold for n in notes], result.flags, spans)
    return {c: evaluation.scores[c].as_dict() for c in FLAG_CATEGORIES}


def leave_one_writer_out(
    corpus_dir: Path,
    kinds: Sequence[str],
    writers: Sequence[str] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Per model kind and held-out writer, P/R/F1 per flag, plus mean and worst writer."""
    notes = load_corpus(corpus_dir)
    register = load_registers(corpus_dir)
    analyzer = CachedAnalyzer()
    all_writers = sorted({n.writer for n in notes}, key=lambda w: (w[0], int(w[1:])))
    writers = list(writers or all_writers)
    started = time.perf_counter()
    analyzer.cheap_pass([n.gold.note for n in notes])  # warm the cache once (audit segmentation)
    log(f"analysed {len(notes)} notes in {time.perf_counter() - started:.0f} s")
    out: dict[str, Any] = {"writers": writers, "models": {}}
    for kind in kinds:
        per_writer: dict[str, dict] = {}
        for w in writers:
            t = time.perf_counter()
            train = [n for n in notes if n.writer != w and n.split == "train"]
            dev = [n for n in notes if n.writer != w and n.split == "dev"]
            held = [n for n in notes if n.writer == w]
            model = fold_model(kind, train, dev, analyzer)
            per_writer[w] = score_notes(model, held, register, analyzer)
            per_writer[w]["sentences"] = sum(len(n.gold.sentences) for n in held)
            f1s = " / ".join(f"{per_writer[w][c]['f1']:.3f}" for c in FLAG_CATEGORIES)
            log(f"{kind} without {w}: F1 {f1s} ({time.perf_counter() - t:.0f} s)")
        out["models"][kind] = {"per_writer": per_writer, "summary": summarise(per_writer)}
    return out


def summarise(per_writer: dict[str, dict]) -> dict[str, dict]:
    """Mean over writers and the worst writer, per flag."""
    summary: dict[str, dict] = {}
    for c in FLAG_CATEGORIES:
        scored = {w: s[c] for w, s in per_writer.items() if s[c]["support"] > 0}
        if not scored:
            continue
        worst = min(scored, key=lambda w: scored[w]["f1"])
        summary[c] = {
            "mean_precision": round(statistics.fmean(s["precision"] for s in scored.values()), 3),
            "mean_recall": round(statistics.fmean(s["recall"] for s in scored.values()), 3),
            "mean_f1": round(statistics.fmean(s["f1"] for s in scored.values()), 3),
            "worst_writer": worst,
            "worst_f1": scored[worst]["f1"],
            "worst_recall": min(s["recall"] for s in scored.values()),
        }
    return summary
