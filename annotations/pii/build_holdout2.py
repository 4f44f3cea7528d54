#!/usr/bin/env python3
"""Convert the inline mark-up in holdout2_src/*.txt into pii_holdout2.jsonl.

Source format: each note starts with a header line
    ### <person_id> | <author> | <service> | <YYYY-MM-DD>
followed by the note text (up to the next header; trailing blank lines dropped).
Mark-up inside the text:
    [n:...] name        [nhs:...] nhs_number   [ni:...] ni_number   [ph:...] phone
    [em:...] email      [pc:...] postcode      [ad:...] address     [rm:...] room
    [gp:...] gp_surgery [dt:...] date          [id:...] id
    {...}    non_pii (a hard negative that must be left untouched)
Second held-out set, written by an independent writer. Notes are shuffled with a
fixed seed and numbered PII-H2-0001... .
Usage: python annotations/pii/build_holdout2.py
"""
import glob
import json
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "holdout2_src")
OUT = os.path.join(HERE, "pii_holdout2.jsonl")
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


def main():
    notes = []
    for path in sorted(glob.glob(os.path.join(SRC, "*.txt"))):
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
    random.Random(60417).shuffle(notes)
    with open(OUT, "w", encoding="utf-8") as f:
        for i, n in enumerate(notes, 1):
            rec = {"note_id": f"PII-H2-{i:04d}", **n}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(notes)} notes to {OUT}")


if __name__ == "__main__":
    main()
