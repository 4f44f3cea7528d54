"""Copy a trained name tagger into models/deid_tagger with model.json and a model card.

``model.json`` records the kind (``spacy_name_tagger``), the sets it was trained on,
the training command and the SHA-256 of every file, which
:func:`nlp.deid.name_tagger.load` checks. The vocabulary's string table is cut to a
blank English pipeline's strings plus the label: training adds every word of the
training notes to it (invented names included) and the hashed embeddings need none.

    .venv/bin/python scripts/deid_ner/package.py /tmp/tagfolds/all/model/model-last \\
        --trained-on dev test dev2 dev3 dev4 dev5 dev6 dev7 dev8
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nlp.deid.name_tagger import DEFAULT_DIR, KIND, LABEL

CARD = """# De-identification: the name tagger

A small spaCy pipeline (`tok2vec` + `ner`, one label `NAME`) trained from scratch, with no
pretrained vectors and nothing downloaded, on the `name` spans of the development PII
sets: {sets} ({notes:,} notes, {spans:,} name spans). Config:
`scripts/deid_ner/config.cfg` (MultiHashEmbed width 96 over NORM/PREFIX/SUFFIX/SHAPE,
MaxoutWindowEncoder depth 4, transition-based NER; {steps} steps, averaged weights; the
last step is kept, no checkpoint is chosen on any set).

It never replaces a word itself. Its spans are features of the learned name decision
(`models/deid/`, `nlp/deid/features.py`), which was trained on the spans of taggers that
had not read each training set (`annotations/pii/tagger_votes/`), so it learned how far
the tagger holds on a writer it has not seen. Figures: docs/deid.md, "Round 7".

Loaded by `nlp/deid/name_tagger.py`: every file is checked against its SHA-256 in
`model.json` (and with `$CAREAUDIT_TRUSTED_MODELS`, against the pinned list) and the
checked bytes are what spaCy loads (config, JSON and msgpack; no pickle). The string
table holds a blank English pipeline's strings and the label only.

Retrain:

```bash
{command}
```
"""


def strip_strings(folder: Path) -> tuple[int, int]:
    """Keep a blank English pipeline's strings and the label; (kept, dropped)."""
    import spacy

    keep = set(spacy.blank("en").vocab.strings) | {LABEL}
    path = folder / "vocab" / "strings.json"
    strings = json.loads(path.read_text(encoding="utf-8"))
    kept = [s for s in strings if s in keep]
    path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    return len(kept), len(strings) - len(kept)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trained", type=Path, help="spacy train's model-last folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--trained-on", nargs="+", required=True)
    ap.add_argument("--docbins", type=Path, help="make_docbins.py's docbins.json (counts)")
    args = ap.parse_args(argv)
    if any(s.startswith("holdout") for s in args.trained_on):
        ap.error("held-out sets are never trained on")
    counts = {}
    if args.docbins:
        counts = json.loads(args.docbins.read_text(encoding="utf-8")).get("train", {})
        if sorted(counts.get("sets", [])) != sorted(args.trained_on):
            raise SystemExit(f"{args.docbins}: trained on {counts.get('sets')}, not --trained-on")
    out = args.out
    if out.exists():
        meta_path = out / "model.json"
        kind = json.loads(meta_path.read_text("utf-8")).get("kind") if meta_path.is_file() else None
        if any(out.iterdir()) and kind != KIND:
            raise SystemExit(f"{out}: not empty and not a {KIND} model; not replaced")
        shutil.rmtree(out)
    shutil.copytree(args.trained, out)
    kept, dropped = strip_strings(out)
    # spaCy's scores in meta.json are on the set given as --paths.dev, which for the shipped
    # tagger is one of its own training sets (only logged): meaningless, so not shipped
    spacy_meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    spacy_meta.pop("performance", None)
    (out / "meta.json").write_text(json.dumps(spacy_meta, indent=2) + "\n", encoding="utf-8")
    files = {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in ("README.md", "model.json")
    }
    config = (out / "config.cfg").read_text(encoding="utf-8")
    steps = next((ln.split("=")[1].strip() for ln in config.splitlines()
                  if ln.startswith("max_steps")), "?")
    sets = sorted(args.trained_on)
    command = (
        ".venv/bin/python scripts/deid_ner/make_docbins.py --leave-out none --out /tmp/tagger\n"
        "OMP_NUM_THREADS=1 .venv/bin/python -m spacy train scripts/deid_ner/config.cfg \\\n"
        "    --output /tmp/tagger/model --paths.train /tmp/tagger/train.spacy "
        "--paths.dev /tmp/tagger/dev.spacy\n"
        ".venv/bin/python scripts/deid_ner/package.py /tmp/tagger/model/model-last "
        f"--trained-on {' '.join(sets)} --docbins /tmp/tagger/docbins.json"
    )
    meta = {
        "kind": KIND,
        "label": LABEL,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_on": [f"annotations/pii/pii_{s}.jsonl" for s in sets],
        "notes": counts.get("notes"),
        "name_spans": counts.get("spans"),
        "max_steps": steps,
        "command": command,
        "files": files,
    }
    (out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        CARD.format(
            sets=", ".join(f"`pii_{s}.jsonl`" for s in sets),
            notes=counts.get("notes") or 0,
            spans=counts.get("spans") or 0,
            steps=steps,
            command=command,
        ),
        encoding="utf-8",
    )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"strings kept {kept:,}, dropped {dropped:,}")
    print(f"{out}: {len(files)} files, {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
