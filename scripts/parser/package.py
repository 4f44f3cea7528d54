"""Copy a trained distilled parser into models/parser/<name> with model.json.

``model.json`` records the kind (``spacy_parser``), the training command and data,
the agreement/speed figures (``scripts/parser/agreement.py --json``) and the SHA-256
of every file, which :func:`nlp.analysis.english.load_parser_model` checks.

    .venv/bin/python scripts/parser/package.py build/parser/runs/w64d2h64/model-best \\
        models/parser/w64d2h64 --agreement build/parser/w64d2h64.json --command "..."
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from nlp.analysis.english import PARSER_KIND


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trained", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--agreement", type=Path)
    ap.add_argument("--command", default="")
    args = ap.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(args.trained, args.out)
    files = {
        p.relative_to(args.out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(args.out.rglob("*"))
        if p.is_file() and p.name not in ("README.md", "model.json")
    }
    meta = {
        "kind": PARSER_KIND,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "teacher": "en_core_web_sm 3.8.0 (as nlp.analysis.english.load_english loads it)",
        "silver": "scripts/parser/silver.py: sentences of annotations/train.jsonl (+ whole "
        "care plans, + lower-cased 1 in 5); agreement on annotations/dev.jsonl sentences",
        "command": args.command,
        "files": files,
    }
    if args.agreement:
        meta["agreement"] = json.loads(args.agreement.read_text(encoding="utf-8"))
    (args.out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{args.out}: {len(files)} files, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
