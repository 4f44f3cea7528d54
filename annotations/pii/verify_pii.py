#!/usr/bin/env python3
"""Check the invented PII annotation files (pii_dev.jsonl, pii_test.jsonl and, when
present, pii_holdout.jsonl, pii_dev2.jsonl, pii_dev3.jsonl and
pii_holdout2.jsonl).

Checks, per file:
  * every line parses and has the required fields; note_ids are unique and well formed;
  * every pii / non_pii span satisfies text[start:end] == span["text"] (Python str offsets,
    i.e. Unicode code points) and lies inside the text;
  * pii spans do not overlap each other, non_pii spans do not overlap each other, and no
    non_pii span overlaps a pii span;
  * pii types are from the allowed set;
  * every nhs_number span holds 10 digits with a valid NHS modulus-11 check digit;
  * span text has no leading/trailing whitespace;
  * the minimum counts in the brief are met (test: 210 notes, >=600 pii, >=250 names,
    >=25 of every other type, >=40 lower-case names, >=40 ALL-CAPS names, >=320 non_pii;
    dev: the same minima scaled by 50/210; holdout: >=220 notes, >=700 pii, >=400 names,
    >=25 of every other type, >=60 lower-case names, >=60 ALL-CAPS names, >=320 non_pii;
    dev2: >=120 notes, >=450 pii, >=250 names, >=10 of every other type, >=50 lower-case
    names, >=40 ALL-CAPS names, >=250 non_pii; dev3: >=150 notes, >=550 pii, >=300 names,
    >=15 of every other type, >=40 lower-case names, >=40 ALL-CAPS names, >=250 non_pii;
    holdout2: >=210 notes, >=800 pii, >=450 names, >=25 of every other type, >=60 lower-case
    names, >=60 ALL-CAPS names, >=330 non_pii);
  * no person_id is shared between the files.
Prints counts per type for every file. Exit code 1 on any failure.

Usage: python annotations/pii/verify_pii.py
"""
import itertools
import json
import math
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["name", "nhs_number", "ni_number", "phone", "email", "postcode", "address",
         "room", "gp_surgery", "date", "id"]
FIELDS = ["note_id", "person_id", "author", "service", "date", "text", "pii", "non_pii"]


def nhs_ok(s):
    d = re.sub(r"\D", "", s)
    if len(d) != 10:
        return False
    total = sum(int(d[i]) * (10 - i) for i in range(9))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(d[9])


def overlaps(spans):
    s = sorted(spans, key=lambda x: (x["start"], x["end"]))
    return [(a, b) for a, b in itertools.pairwise(s) if b["start"] < a["end"]]


def check_file(path, n_notes, scale, prefix, mins_override=None):
    errors = []
    recs = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                recs.append(json.loads(line))
            except Exception as e:
                errors.append(f"line {ln}: bad JSON ({e})")
    ids = Counter(r.get("note_id") for r in recs)
    for k, v in ids.items():
        if v > 1:
            errors.append(f"duplicate note_id {k}")
    for r in recs:
        nid = r.get("note_id", "?")
        for fld in FIELDS:
            if fld not in r:
                errors.append(f"{nid}: missing field {fld}")
        if not re.fullmatch(prefix + r"-\d{4}", nid):
            errors.append(f"{nid}: bad note_id")
        if not re.fullmatch(r"P-\d+", r.get("person_id", "")):
            errors.append(f"{nid}: bad person_id")
        if not re.fullmatch(r"20\d\d-\d\d-\d\d", r.get("date", "")):
            errors.append(f"{nid}: bad date field")
        t = r["text"]
        for kind in ("pii", "non_pii"):
            for sp in r[kind]:
                if not (0 <= sp["start"] < sp["end"] <= len(t)):
                    errors.append(f"{nid}: {kind} span out of range {sp}")
                    continue
                if t[sp["start"]:sp["end"]] != sp["text"]:
                    found = t[sp["start"] : sp["end"]]
                    errors.append(f"{nid}: {kind} text mismatch {sp!r} vs {found!r}")
                if sp["text"] != sp["text"].strip():
                    errors.append(f"{nid}: {kind} span has outer whitespace {sp!r}")
        for sp in r["pii"]:
            if sp.get("type") not in TYPES:
                errors.append(f"{nid}: unknown type {sp.get('type')}")
            if sp.get("type") == "nhs_number" and not nhs_ok(sp["text"]):
                errors.append(f"{nid}: NHS number fails modulus 11: {sp['text']}")
        for a, b in overlaps(r["pii"]):
            errors.append(f"{nid}: overlapping pii spans {a['text']!r} / {b['text']!r}")
        for a, b in overlaps(r["non_pii"]):
            errors.append(f"{nid}: overlapping non_pii spans {a['text']!r} / {b['text']!r}")
        for a, b in overlaps(r["pii"] + r["non_pii"]):
            errors.append(f"{nid}: non_pii overlaps pii {a['text']!r} / {b['text']!r}")

    c = Counter(sp["type"] for r in recs for sp in r["pii"])
    names = [sp["text"] for r in recs for sp in r["pii"] if sp["type"] == "name"]
    lower = sum(1 for n in names if any(ch.isalpha() for ch in n) and n == n.lower())
    upper = sum(1 for n in names if any(ch.isalpha() for ch in n) and n == n.upper())
    n_non = sum(len(r["non_pii"]) for r in recs)
    total = sum(c.values())

    def need(x):
        return math.ceil(x * scale - 1e-9)

    mins = [("notes", len(recs), n_notes, True), ("pii total", total, need(600), False),
            ("name", c["name"], need(250), False), ("lower-case names", lower, need(40), False),
            ("ALL-CAPS names", upper, need(40), False), ("non_pii", n_non, need(320), False)]
    mins += [(t, c[t], need(25), False) for t in TYPES if t != "name"]
    if mins_override:
        mins = [(label, got, mins_override.get(label, want), exact and label not in mins_override)
                for label, got, want, exact in mins]
    name_min = mins_override.get("name", need(250)) if mins_override else need(250)
    type_min = {t: (mins_override or {}).get(t, need(25)) for t in TYPES}
    type_min["name"] = name_min
    for label, got, want, exact in mins:
        if (exact and got != want) or (not exact and got < want):
            errors.append(f"count {label}: {got} (need {'exactly ' if exact else '>='}{want})")

    persons = len({r["person_id"] for r in recs})
    print(f"== {os.path.basename(path)}: {len(recs)} notes, {persons} persons")
    print(f"   pii spans total: {total}")
    for t in TYPES:
        print(f"   {t:<11} {c[t]:>4}   (minimum {type_min[t]})")
    print(f"   names all lower-case: {lower}   names ALL CAPS: {upper}")
    print(f"   non_pii spans: {n_non}")
    return errors, recs


# pii_holdout.jsonl: at least (not exactly) 220 notes, and higher minima than test.
HOLDOUT_MINS = {"notes": 220, "pii total": 700, "name": 400, "lower-case names": 60,
                "ALL-CAPS names": 60, "non_pii": 320}
# pii_dev2.jsonl (second development set): all minima are "at least".
DEV2_MINS = {"notes": 120, "pii total": 450, "name": 250, "lower-case names": 50,
             "ALL-CAPS names": 40, "non_pii": 250, **{t: 10 for t in TYPES if t != "name"}}
# pii_dev3.jsonl (third development set, independent writer): all minima are "at least".
DEV3_MINS = {"notes": 150, "pii total": 550, "name": 300, "lower-case names": 40,
             "ALL-CAPS names": 40, "non_pii": 250, **{t: 15 for t in TYPES if t != "name"}}
# pii_holdout2.jsonl (second held-out set, independent writer): all minima are "at least".
HOLDOUT2_MINS = {"notes": 210, "pii total": 800, "name": 450, "lower-case names": 60,
                 "ALL-CAPS names": 60, "non_pii": 330, **{t: 25 for t in TYPES if t != "name"}}
# pii_dev4.jsonl (fourth development set) and pii_holdout3.jsonl (third held-out set),
# written at the same time by two more independent writers: all minima are "at least".
DEV4_MINS = {"notes": 160, "pii total": 600, "name": 320, "lower-case names": 45,
             "ALL-CAPS names": 45, "non_pii": 260, **{t: 15 for t in TYPES if t != "name"}}
HOLDOUT3_MINS = {"notes": 230, "pii total": 850, "name": 450, "lower-case names": 60,
                 "ALL-CAPS names": 60, "non_pii": 330, **{t: 25 for t in TYPES if t != "name"}}
# pii_dev5.jsonl, pii_dev6.jsonl (development) and pii_holdout4.jsonl (fourth held-out set),
# written at the same time by three more independent writers.
DEV5_MINS = DEV6_MINS = DEV4_MINS
HOLDOUT4_MINS = HOLDOUT3_MINS
# pii_dev7.jsonl (development) and pii_holdout5.jsonl (fifth held-out set), written at the
# same time by two more independent writers.
DEV7_MINS = DEV4_MINS
HOLDOUT5_MINS = HOLDOUT3_MINS
# pii_dev8.jsonl (development) and pii_holdout6.jsonl (sixth held-out set), written at the
# same time by two more independent writers
DEV8_MINS = DEV4_MINS
HOLDOUT6_MINS = {**HOLDOUT3_MINS, "pii total": 1000, "name": 500, "ALL-CAPS names": 40,
                 "non_pii": 350, **{t: 15 for t in TYPES if t != "name"}}  # its writer's brief
# pii_dev9.jsonl (development) and pii_holdout7.jsonl (seventh held-out set), written at the
# same time by two more independent writers
DEV9_MINS = DEV4_MINS
HOLDOUT7_MINS = HOLDOUT6_MINS
DEV10_MINS = DEV4_MINS
HOLDOUT8_MINS = HOLDOUT6_MINS
DEV11_MINS = DEV4_MINS
HOLDOUT9_MINS = HOLDOUT6_MINS
DEV12_MINS = DEV4_MINS
HOLDOUT10_MINS = HOLDOUT6_MINS
DEV13_MINS = DEV4_MINS
HOLDOUT11_MINS = HOLDOUT6_MINS
HOLDOUT12_MINS = HOLDOUT6_MINS
DEV14_MINS = DEV4_MINS
DEV15_MINS = DEV4_MINS
DEV16_MINS = DEV4_MINS
DEV17_MINS = DEV4_MINS

# name (pii_<name>.jsonl), minimum notes, id prefix, minima: checked when present, in order
OPTIONAL_SETS = (
    ("holdout", 220, "PII-H", HOLDOUT_MINS),
    ("dev2", 120, "PII-E", DEV2_MINS),
    ("dev3", 150, "PII-F", DEV3_MINS),
    ("holdout2", 210, "PII-H2", HOLDOUT2_MINS),
    ("dev4", 160, "PII-G", DEV4_MINS),
    ("holdout3", 230, "PII-H3", HOLDOUT3_MINS),
    ("dev5", 160, "PII-J", DEV5_MINS),
    ("dev6", 160, "PII-K", DEV6_MINS),
    ("holdout4", 230, "PII-H4", HOLDOUT4_MINS),
    ("dev7", 160, "PII-M", DEV7_MINS),
    ("holdout5", 230, "PII-H5", HOLDOUT5_MINS),
    ("dev8", 170, "PII-N", DEV8_MINS),
    ("holdout6", 240, "PII-H6", HOLDOUT6_MINS),
    ("dev9", 184, "PII-Q", DEV9_MINS),
    ("holdout7", 251, "PII-H7", HOLDOUT7_MINS),
    ("dev10", 192, "PII-R", DEV10_MINS),
    ("holdout8", 253, "PII-H8", HOLDOUT8_MINS),
    ("dev11", 209, "PII-S", DEV11_MINS),
    ("holdout9", 255, "PII-H9", HOLDOUT9_MINS),
    ("dev12", 213, "PII-U", DEV12_MINS),
    ("holdout10", 255, "PII-H10", HOLDOUT10_MINS),
    ("dev13", 236, "PII-V", DEV13_MINS),
    ("holdout11", 240, "PII-H11", HOLDOUT11_MINS),
    ("dev14", 200, "PII-W", DEV14_MINS),
    ("holdout12", 240, "PII-H12", HOLDOUT12_MINS),
    ("dev15", 200, "PII-X", DEV15_MINS),
    ("dev16", 160, "PII-Y", DEV16_MINS),
    ("dev17", 160, "PII-Z", DEV17_MINS),
)


def main():
    errs_d, dev = check_file(os.path.join(HERE, "pii_dev.jsonl"), 50, 50 / 210, "PII-D")
    errs_t, test = check_file(os.path.join(HERE, "pii_test.jsonl"), 210, 1.0, "PII-T")
    errors = [f"dev: {e}" for e in errs_d] + [f"test: {e}" for e in errs_t]
    shared = {r["person_id"] for r in dev} & {r["person_id"] for r in test}
    if shared:
        errors.append(f"person_ids shared between dev and test: {sorted(shared)}")
    earlier = dev + test
    for name, notes, prefix, mins in OPTIONAL_SETS:  # each written after the ones above it
        path = os.path.join(HERE, f"pii_{name}.jsonl")
        if not os.path.exists(path):
            continue
        errs, records = check_file(path, notes, 1.0, prefix, mins)
        errors += [f"{name}: {e}" for e in errs]
        shared = {r["person_id"] for r in records} & {r["person_id"] for r in earlier}
        if shared:
            errors.append(f"person_ids shared between {name} and earlier sets: {sorted(shared)}")
        earlier += records
    if errors:
        print("\nFAILED:")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("\nAll checks passed.")


if __name__ == "__main__":
    main()
