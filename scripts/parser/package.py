"""Copy a trained distilled parser into models/parser/<name> with model.json.

``model.json`` records the kind (``spacy_parser``), the training command and data,
the agreement/speed figures (``scripts/parser/agreement.py --json``) and the SHA-256
of every file, which :func:`nlp.analysis.english.load_parser_model` checks. The
vocabulary's string table is cut to the teacher's strings: training adds every word of
the training notes to it (names included), and the hashed embeddings need none of them.
The target must be a folder directly under ``models/parser/``.

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

from nlp.analysis.english import PARSER_KIND, PARSER_MODELS_DIR


def checked_target(out: Path) -> Path:
    """``out`` if it is a folder directly under models/parser/ that is new, empty or an
    earlier parser model; anything else (a typo such as ``models``) is refused."""
    target = out.resolve()
    if target.parent != PARSER_MODELS_DIR.resolve():
        raise SystemExit(f"{out}: the target must be a folder directly under {PARSER_MODELS_DIR}")
    if target.exists() and any(target.iterdir()):
        meta = target / "model.json"
        kind = json.loads(meta.read_text(encoding="utf-8")).get("kind") if meta.is_file() else None
        if kind != PARSER_KIND:
            raise SystemExit(f"{out}: not empty and not a {PARSER_KIND} model; not replaced")
    return target


def strip_strings(folder: Path) -> tuple[int, int]:
    """Keep only the teacher's strings in ``folder``'s vocabulary; (kept, dropped)."""
    from nlp.analysis.english import load_english

    teacher = set(load_english().vocab.strings)
    path = folder / "vocab" / "strings.json"
    strings = json.loads(path.read_text(encoding="utf-8"))
    kept = [s for s in strings if s in teacher]
    path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    return len(kept), len(strings) - len(kept)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trained", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--agreement", type=Path)
    ap.add_argument("--command", default="")
    args = ap.parse_args()
    target = checked_target(args.out)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(args.trained, args.out)
    kept, dropped = strip_strings(args.out)
    print(f"strings: kept {kept:,} of the teacher's, dropped {dropped:,} from the training notes")
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
