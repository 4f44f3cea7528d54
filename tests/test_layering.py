"""Dependencies point one way: cli/ and review_app/ import nlp/, never the reverse."""

import ast
from pathlib import Path

NLP = Path(__file__).resolve().parents[1] / "nlp"
FORBIDDEN = ("cli", "review_app", "streamlit")


def test_nlp_imports_neither_cli_nor_review_app_nor_streamlit():
    offenders = []
    for path in NLP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
