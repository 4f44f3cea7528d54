#!/usr/bin/env python3
"""Build pii_holdout.jsonl from the hand-written source files in holdout_src/.

Source format (holdout_src/*.txt, read in file-name order):

    @@ P-8101 | Author Name (Role) | Service Name | 2026-01-14
    note text, one or more lines ...

Inline mark-up inside the note text:

    [n:Winnie]          pii span of type name
    [nhs:...] [ni:...] [ph:...] [em:...] [pc:...] [ad:...] [rm:...] [gp:...] [dt:...] [id:...]
    {Countdown}         non_pii span (hard negative)

Lines starting with '#' outside a note body are comments.  The mark-up characters
[ ] { } never occur in the note text itself.  Notes are shuffled with a fixed seed and
numbered PII-H-0001 ...

Usage: python annotations/pii/build_holdout.py
"""
import glob
import json
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "holdout_src")
OUT = os.path.join(HERE, "pii_holdout.jsonl")
CODES = {"n": "name", "nhs": "nhs_number", "ni": "ni_number", "ph": "phone", "em": "email",
         "pc": "postcode", "ad": "address", "rm": "room", "gp": "gp_surgery", "dt": "date",
         "id": "id"}
TOKEN = re.compile(r"\[(n|nhs|ni|ph|em|pc|ad|rm|gp|dt|id):([^\[\]{}]+)\]|\{([^\[\]{}]+)\}")
HEADER = re.compile(r"@@ (P-\d+) \| ([^|]+?) \| ([^|]+?) \| (2026-\d\d-\d\d)\s*$")


def parse_body(body, where):
    text, pii, non = [], [], []
    pos, out_len = 0, 0
    for m in TOKEN.finditer(body):
        chunk = body[pos:m.start()]
        if re.search(r"[\[\]{}]", chunk):
            sys.exit(f"{where}: stray bracket in {chunk!r}")
        text.append(chunk)
        out_len += len(chunk)
        inner = m.group(2) if m.group(1) else m.group(3)
        if inner != inner.strip():
            sys.exit(f"{where}: span with outer whitespace {inner!r}")
        span = {"start": out_len, "end": out_len + len(inner)}
        if m.group(1):
            span["type"] = CODES[m.group(1)]
            span["text"] = inner
            pii.append(span)
        else:
            span["text"] = inner
            non.append(span)
        text.append(inner)
        out_len += len(inner)
        pos = m.end()
    tail = body[pos:]
    if re.search(r"[\[\]{}]", tail):
        sys.exit(f"{where}: stray bracket in {tail!r}")
    text.append(tail)
    return "".join(text), pii, non


def main():
    notes = []
    for path in sorted(glob.glob(os.path.join(SRC, "*.txt"))):
        cur = None
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for ln, line in enumerate(lines, 1):
            if line.startswith("@@"):
                m = HEADER.match(line)
                if not m:
                    sys.exit(f"{path}:{ln}: bad header {line!r}")
                cur = {"hdr": m.groups(), "body": [], "where": f"{os.path.basename(path)}:{ln}"}
                notes.append(cur)
            elif cur is None:
                if line.strip() and not line.startswith("#"):
                    sys.exit(f"{path}:{ln}: text outside a note")
            else:
                cur["body"].append(line)
    recs = []
    for n in notes:
        body = unicodedata.normalize("NFC", "\n".join(n["body"]).strip())
        if not body:
            sys.exit(f"{n['where']}: empty note")
        text, pii, non = parse_body(body, n["where"])
        if any(ord(ch) > 0xFFFF for ch in text):
            sys.exit(f"{n['where']}: character outside the BMP")
        pid, author, service, date = n["hdr"]
        recs.append({"person_id": pid, "author": author.strip(), "service": service.strip(),
                     "date": date, "text": text, "pii": pii, "non_pii": non})
    random.Random(20260214).shuffle(recs)
    with open(OUT, "w", encoding="utf-8") as f:
        for i, r in enumerate(recs, 1):
            r = {"note_id": f"PII-H-{i:04d}", **r}
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(recs)} notes to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
