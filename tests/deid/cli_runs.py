"""Run ``careaudit deidentify`` on one invented note through the CLI (refusal tests)."""

from __future__ import annotations

import json
from pathlib import Path


def one_note(tmp_path: Path) -> Path:
    """A one-row JSONL export to de-identify."""
    src = tmp_path / "notes.jsonl"
    row = {"note_id": "N-1", "person_id": "P-1", "date": "2026-03-01", "text": "Mary was calm."}
    src.write_text(json.dumps(row) + "\n")
    return src


def deidentify(src: Path, out: Path) -> tuple[int, str]:
    """Exit code and output (one line) of ``careaudit deidentify SRC --out OUT``, with a
    fresh shared analyser (so a model folder patched by the caller is the one loaded)."""
    from typer.testing import CliRunner

    from cli.main import app
    from nlp.deid import shared_analyzer

    shared_analyzer.cache_clear()
    try:
        args = ["deidentify", str(src), "--out", str(out), "--no-progress"]
        result = CliRunner().invoke(app, args)
    finally:
        shared_analyzer.cache_clear()
    return result.exit_code, " ".join(result.output.split())
