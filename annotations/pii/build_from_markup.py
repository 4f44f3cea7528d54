#!/usr/bin/env python3
"""Convert a folder of notes in inline mark-up (``*_src/*.txt``) into a PII JSONL file.

Source format: each note starts with a header line
    ### <person_id> | <author> | <service> | <YYYY-MM-DD>
followed by the note text (up to the next header; trailing blank lines dropped).
Mark-up inside the text:
    [n:...] name        [nhs:...] nhs_number   [ni:...] ni_number   [ph:...] phone
    [em:...] email      [pc:...] postcode      [ad:...] address     [rm:...] room
    [gp:...] gp_surgery [dt:...] date          [id:...] id
    {...}    non_pii (a hard negative that must be left untouched)
Notes are shuffled with a fixed seed and numbered <PREFIX>-0001... .
Usage: build_dev2.py, build_dev3.py and build_holdout2.py call :func:`build` with
their folder, output file, id prefix and seed.
"""
import glob
import json
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
TAGS = {"n": "name", "nhs": "nhs_number", "ni": "ni_number", "ph": "phone", "em": "email",
        "pc": "postcode", "ad": "address", "rm": "room", "gp": "gp_surgery", "dt": "date",
        "id": "id"}
MARK = re.compile(r"\[(n|nhs|ni|ph|em|pc|ad|rm|gp|dt|id):([^\[\]{}]+)\]|\{([^\[\]{}]+)\}")


def convert(src, where):
    src = unicodedata.normalize("NFC", src)
    out, pii, non, pos = [], [], [], 0
    cur = 0
    for m in MARK.finditer(src):
        plain = src[pos:m.start()]
        if any(c in plain for c in "[]{}"):
            sys.exit(f"{where}: stray bracket in {plain!r}")
        out.append(plain)
        cur += len(plain)
        inner = m.group(2) if m.group(1) else m.group(3)
        if inner != inner.strip():
            sys.exit(f"{where}: whitespace inside mark-up {m.group(0)!r}")
        span = {"start": cur, "end": cur + len(inner)}
        if m.group(1):
            span.update(type=TAGS[m.group(1)], text=inner)
            pii.append(span)
        else:
            span["text"] = inner
            non.append(span)
        out.append(inner)
        cur += len(inner)
        pos = m.end()
    tail = src[pos:]
    if any(c in tail for c in "[]{}"):
        sys.exit(f"{where}: stray bracket in {tail!r}")
    out.append(tail)
    return "".join(out), pii, non


def build(src_folder, out_file, prefix, seed):
    """Convert ``HERE/src_folder/*.txt`` into ``HERE/out_file`` (ids ``prefix-0001``...)."""
    src, out = os.path.join(HERE, src_folder), os.path.join(HERE, out_file)
    notes = []
    for path in sorted(glob.glob(os.path.join(src, "*.txt"))):
        with open(path, encoding="utf-8") as f:
            chunks = re.split(r"^### ", f.read(), flags=re.M)
        for ch in chunks[1:]:
            head, _, body = ch.partition("\n")
            parts = [p.strip() for p in head.split("|")]
            if len(parts) != 4:
                sys.exit(f"{path}: bad header {head!r}")
            pid, author, service, date = parts
            text, pii, non = convert(body.strip("\n").rstrip(), f"{os.path.basename(path)} {pid}")
            notes.append({"person_id": pid, "author": author, "service": service,
                          "date": date, "text": text, "pii": pii, "non_pii": non})
    random.Random(seed).shuffle(notes)
    with open(out, "w", encoding="utf-8") as f:
        for i, n in enumerate(notes, 1):
            rec = {"note_id": f"{prefix}-{i:04d}", **n}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(notes)} notes to {out}")
