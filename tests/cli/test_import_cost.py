"""Importing the command line stays light.

Every `careaudit` command imports ``cli.main`` and, with ``--workers N``, so does each
worker process (spawned processes import the parent's main module again); pandas,
SQLAlchemy and spaCy belong to the commands that use them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "pyarrow", "sqlalchemy", "spacy", "sklearn", "torch", "streamlit")


def test_importing_the_cli_loads_no_heavy_library():
    code = (
        "import sys, cli.main\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=ROOT, check=True, text=True
    )
    assert run.stdout.strip() == "[]"
