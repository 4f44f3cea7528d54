"""A synthetic review store of any size, filled with bulk inserts (benchmarks, browser tests).

Invented notes built from care-record sentences, about two flags per note, several flags
on some sentences, care-plan restrictions missing up to three elements, realistic score
spread. 100,000 flags take a few seconds on SQLite. Nothing here is real data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, insert
from sqlalchemy.schema import CreateIndex, DropIndex

from review_app.importer import flag_threshold
from review_app.store import FlagRow, NoteRow, Run, User, make_engine, note_key, now_utc

FIRST = ["Mary", "Tomasz", "Aileen", "Reece", "Bethany", "Norman", "Priya", "Dev", "Ffion", "Joan"]
SERVICES = [
    "Willow House",
    "Birchwood Supported Living",
    "Larkspur House",
    "Ashgrove Court",
    "Harbour Lights Home Support",
    "St Aidan's Nursing Home",
]
AUTHORS = [
    f"{a} {b}"
    for a in ("Dana", "Sam", "Priya", "Lee", "Kim")
    for b in ("Kerr", "Natt", "Oyelaran", "Hale")
]

# (sentence template, flags on it: (category, restriction_type, span template or "" = sentence))
SENTENCES: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Staff washed and dressed {p} before breakfast.",
        [("doing_for", "", "Staff washed and dressed {p}")],
    ),
    ("{p} was hoisted into the chair.", [("doing_for", "", "{p} was hoisted")]),
    ("PC given.", [("doing_for", "", "PC given")]),
    ("I made {p}'s breakfast and cut up the food.", [("doing_for", "", "made {p}'s breakfast")]),
    (
        "Kitchen locked after 9pm.",
        [
            ("unrecorded_restriction", "environmental", "Kitchen locked"),
            ("missing_rationale", "", "Kitchen locked"),
        ],
    ),
    (
        "PRN lorazepam given at 14:00.",
        [
            ("missing_rationale", "", "PRN lorazepam given"),
            ("unrecorded_restriction", "chemical", "PRN lorazepam"),
        ],
    ),
    (
        "Staff took {p}'s phone off them.",
        [("unrecorded_restriction", "contact_communication", "took {p}'s phone")],
    ),
    (
        "Sensor mat in place overnight.",
        [("unrecorded_restriction", "supervision_surveillance", "Sensor mat")],
    ),
    (
        "Told {p} it was bedtime and sent them to their room.",
        [("missing_rationale", "", "sent them to their room")],
    ),
    (
        "Wifi switched off at 23:00.",
        [
            ("unrecorded_restriction", "environmental", "Wifi switched off"),
            ("missing_rationale", "", "Wifi switched off"),
        ],
    ),
    ("{p} chose porridge and ate it independently.", []),
    ("{p} went to the shop with support and paid at the till.", []),
    ("{p} said they were happy with the plan.", []),
    ("Mood settled in the afternoon.", []),
]
# per-head decision thresholds, as a trained model's model.json has them
THRESHOLDS: dict[str, float] = {
    "doing_for": 0.45,
    "restriction": 0.625,
    "unauthorised": 0.25,
    "missing_rationale": 0.45,
}
PLAN_SENTENCE = "{p}'s tablets are given crushed in food."
PLAN_ELEMENTS = ("rationale", "alternative", "review_date", "involvement")


@dataclass(frozen=True, slots=True)
class DemoSize:
    notes: int
    flags: int


def _score(rng: random.Random) -> float:
    """Skewed to high scores, as the hybrid's are (median about 0.9)."""
    return round(0.999 - 0.65 * rng.random() ** 2.2, 3)


def _formatted(person: str) -> list[tuple[str, list[tuple[str, str, int, int]]]]:
    """Each sentence for ``person`` with its flags as (category, type, start, end) in it."""
    out = []
    for template, specs in SENTENCES:
        sentence = template.format(p=person)
        flags = []
        for category, rtype, span in specs:
            text = span.format(p=person)
            at = sentence.find(text)
            flags.append(
                (category, rtype, max(at, 0), at + len(text) if at >= 0 else len(sentence))
            )
        out.append((sentence, flags))
    return out


def _notes_and_flags(n_flags: int, seed: int) -> Iterator[tuple[dict, list[dict]]]:
    rng = random.Random(seed)
    sentences = {p: _formatted(p) for p in FIRST}
    dates = [(date(2026, 1, 1) + timedelta(days=d)).isoformat() for d in range(330)]
    made = i = 0
    while made < n_flags:
        i += 1
        person = rng.choice(FIRST)
        care_plan = i % 25 == 0
        pieces = rng.sample(sentences[person], k=rng.randint(3, 5))
        if care_plan:
            plan = PLAN_SENTENCE.format(p=person)
            at = plan.index("crushed in food")
            pieces.insert(0, (plan, [("plan_gap", "chemical", at, at + 15)]))
        text = " ".join(p for p, _ in pieces)
        note_id = f"N-D-{i:06d}"
        note = {
            "note_key": note_key(note_id, text),
            "note_id": note_id,
            "person_id": f"P-{rng.randrange(100, 700)}",
            "date": rng.choice(dates),
            "service": SERVICES[i % len(SERVICES)],
            "author": rng.choice(AUTHORS),
            "note_type": "care_plan" if care_plan else "daily_note",
            "text": text,
            "superseded_by": "",
        }
        flags: list[dict] = []
        pos = 0
        for sentence, specs in pieces:
            s_start, s_end = pos, pos + len(sentence)
            pos = s_end + 1
            for category, rtype, a, b in specs:
                if category == "plan_gap":
                    elements = rng.sample(PLAN_ELEMENTS, k=rng.randint(1, 3))
                    scores = [1.0] * len(elements)
                else:
                    elements, scores = [""], [_score(rng)]
                for element, score in zip(elements, scores, strict=True):
                    span = text[s_start + a : s_start + b]
                    flags.append(
                        {
                            **note,
                            "flag_id": f"F-D{made + len(flags):014d}",
                            "category": category,
                            "start": s_start + a,
                            "end": s_start + b,
                            "span_text": span,
                            "sentence_start": s_start,
                            "sentence_end": s_end,
                            "restriction_type": rtype,
                            "score": score,
                            "source": f"hybrid p={score:.2f}+rules:demo",
                            "explanation": f"'{span}' (demo flag: {category.replace('_', ' ')}).",
                            "suggestion": f"Rewrite '{span}' to say what {person} did or chose.",
                            "register_status": (
                                "not_in_register" if category == "unrecorded_restriction" else ""
                            ),
                            "element": element,
                            "first_run_id": "demo",
                            "last_run_id": "demo",
                            "threshold": flag_threshold(category, THRESHOLDS),
                            "review_status": "open",
                        }
                    )
        made += len(flags)
        yield note, flags


def fill(engine: Engine, n_flags: int, seed: int = 0) -> DemoSize:
    """Insert about ``n_flags`` demo flags (whole notes, so a few more) into an empty store.

    On SQLite the secondary indexes are dropped for the load and built again after it
    (one sort instead of 100,000 random B-tree inserts): 100,000 flags in a few seconds.
    """
    notes: list[dict] = []
    flags: list[dict] = []
    for note, note_flags in _notes_and_flags(n_flags, seed):
        notes.append(note)
        flags.extend(note_flags)
    run = {
        "run_id": "demo",
        "created_at": "",
        "input": "demo",
        "model": "demo",
        "path": "",
        "n_notes": len(notes),
        "n_flags": len(flags),
        "imported_at": now_utc(),
    }
    tables = [NoteRow.__table__, FlagRow.__table__]
    indexes = [i for t in tables for i in t.indexes]
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            for index in indexes:
                conn.execute(DropIndex(index, if_exists=True))
        conn.execute(insert(Run), [run])
        for table, rows in ((NoteRow.__table__, notes), (FlagRow.__table__, flags)):
            columns = [c.key for c in table.columns]
            sql = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' if sqlite else '%s' for _ in columns)})"
            )
            conn.exec_driver_sql(sql, [tuple(r.get(c, "") for c in columns) for r in rows])
        conn.exec_driver_sql(
            "INSERT INTO run_flags (run_id, flag_id) SELECT 'demo', flag_id FROM flags"
        )
        if sqlite:
            for index in indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))
    return DemoSize(notes=len(notes), flags=len(flags))


def add_users(engine: Engine, password_hash: str, names: dict[str, str] | None = None) -> None:
    """Users with one shared password hash (default: ann, al, bo auditors; sue; ada)."""
    names = names or {
        "ann": "auditor",
        "al": "auditor",
        "bo": "auditor",
        "sue": "supervisor",
        "ada": "admin",
    }
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "username": u,
                    "password_hash": password_hash,
                    "role": r,
                    "active": True,
                    "created_at": now_utc(),
                }
                for u, r in names.items()
            ],
        )


def build(url: str, n_flags: int, password_hash: str, seed: int = 0) -> Engine:
    """A new store at ``url`` with about ``n_flags`` flags and the demo users."""
    engine = make_engine(url)
    fill(engine, n_flags, seed)
    add_users(engine, password_hash)
    return engine


def store_size(engine: Engine) -> dict[str, int]:
    """Flags and notes in the store."""
    with engine.connect() as conn:
        return {
            "flags": int(conn.exec_driver_sql("SELECT count(*) FROM flags").scalar() or 0),
            "notes": int(conn.exec_driver_sql("SELECT count(*) FROM notes").scalar() or 0),
        }


def seed_reviews(engine: Engine, cards: int = 12) -> None:
    """Some review history for demos and screenshots (users ann, al, sue must exist).

    ann decides the first ``cards`` cards (a few dismissed), al gives blind second
    opinions on some of them (one disagreeing), so every page has something to show.
    """
    from review_app import agreement, settings
    from review_app.actions import decide_flags, reasons_for
    from review_app.auth import SignedInUser
    from review_app.cards import load_card, queue_keys
    from review_app.store import FlagFilter

    ann, al = SignedInUser("ann", "auditor"), SignedInUser("al", "auditor")
    for i, entry in enumerate(queue_keys(engine, FlagFilter(), limit=4 * cards)[:cards]):
        card = load_card(engine, entry.key)
        if card is None:
            continue
        if i % 4 == 3:
            reason = reasons_for(card.categories)[0]
            decide_flags(engine, ann, str(card.key), card.open_flags, "dismiss", reason)
        else:
            decide_flags(engine, ann, str(card.key), card.open_flags, "confirm")
    share = settings.load(engine).second_opinion_share
    settings.save(engine, "ada", second_opinion_share=1.0)
    agreement.claim(engine, "al", share=1.0, limit=8)
    for j, flag_id in enumerate(agreement.pending(engine, "al")[:5]):
        [flag] = load_card_flags(engine, flag_id)
        agree = j != 1  # one disagreement for the adjudication page
        confirm = (flag.status == "confirmed") == agree
        reason = None if confirm else reasons_for([flag.category])[0]
        agreement.record_second_opinion(
            engine, al, flag_id, "confirm" if confirm else "dismiss", reason
        )
    settings.save(engine, "ada", second_opinion_share=share)


def decide_bulk(engine: Engine, n: int, reviewer: str = "bo") -> int:
    """Confirm the ``n`` best-scored open flags at once (hash-chained like any decision).

    For benchmarks of a store deep into its review: the open queue's best flags are then
    all decided, the case where a queue that stepped over decided flags would slow down.
    Returns the number of decisions added.
    """
    from review_app.store import CHAIN_GENESIS, Decision, decision_digest

    with engine.begin() as conn:
        ids = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT flag_id FROM flags WHERE review_status = 'open' "
                f"ORDER BY score DESC, flag_id DESC LIMIT {int(n)}"
            )
        ]
        head = conn.exec_driver_sql(
            "SELECT row_hash FROM decisions ORDER BY id DESC LIMIT 1"
        ).scalar()
        prev = head or CHAIN_GENESIS
        model = dict(conn.exec_driver_sql("SELECT flag_id, model_version FROM flags").all())
        rows = []
        for flag_id in ids:
            row = {
                "flag_id": flag_id,
                "sequence": 1,
                "decision": "confirmed",
                "reason": "",
                "comment": "",
                "reviewer": reviewer,
                "decided_at": now_utc(),
                "previous_state": "open",
                "prev_hash": prev,
                "model_version": model.get(flag_id) or "",
            }
            row["row_hash"] = prev = decision_digest(_Attrs(row))
            rows.append(row)
        if rows:
            conn.execute(insert(Decision.__table__), rows)
    return len(rows)


class _Attrs:
    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def load_card_flags(engine: Engine, flag_id: str) -> list:  # type: ignore[type-arg]
    from review_app.cards import flags_by_id

    return flags_by_id(engine, [flag_id])
