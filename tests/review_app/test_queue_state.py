"""The queue at any size: per-category thresholds, the open-flag index, counts kept up to date.

- "Most informative first" ranks by the distance of each score from the decision threshold
  of the model head behind it (from summary.json, a flag's own field, or the model folder
  whose version the flags carry), not from 0.5;
- the open queue walks ``flags.review_status`` indexes (kept by a trigger, checked by the
  integrity check), so decided flags are never stepped over;
- the reviewed count and the dashboard's decided cube are read once, then brought up to
  date from the decisions appended since, and always equal a full recount.

Store-level tests run on SQLite and on a real PostgreSQL server (the ``engine`` fixture).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

from review_app import stats
from review_app.cards import ReviewedCounts, card_of, count_reviewed, queue_keys
from review_app.importer import (
    DEFAULT_THRESHOLD,
    SCORE_HEADS,
    flag_threshold,
    import_run,
    model_thresholds,
)
from review_app.store import (
    FlagFilter,
    ensure_review_schema,
    integrity_check,
    list_flags,
    record_decision,
)

from .conftest import RUN_A, RUN_B, add_users

THRESHOLDS = {
    "doing_for": 0.96,
    "unauthorised": 0.842,
    "missing_rationale": 0.62,
    "restriction": 0.5,
}
VERSION = "hybrid@0123456789ab"


def _run_with(tmp_path: Path, **run_meta: object) -> Path:
    """A copy of run_a whose summary.json's ``run`` has ``run_meta`` added."""
    run = Path(shutil.copytree(RUN_A, tmp_path / "run"))
    summary = json.loads((run / "summary.json").read_text())
    summary["run"].update(run_meta)
    (run / "summary.json").write_text(json.dumps(summary))
    return run


def _order(flags, key) -> list:  # type: ignore[no-untyped-def]
    """Cards in the order of their first flag under ``key`` (ties by flag id)."""
    return list(dict.fromkeys(card_of(f) for f in sorted(flags, key=lambda f: (key(f), f.flag_id))))


def test_most_informative_ranks_by_each_categorys_own_threshold(engine: Engine, tmp_path) -> None:
    report = import_run(engine, _run_with(tmp_path, model_version=VERSION, thresholds=THRESHOLDS))
    assert not any("threshold" in w for w in report.warnings)
    flags = list_flags(engine)
    for f in flags:  # each flag carries the threshold of the head behind its score
        assert f.threshold == pytest.approx(THRESHOLDS[SCORE_HEADS[f.category]])
    got = [e.key for e in queue_keys(engine, FlagFilter(), order="uncertainty")]
    assert got == _order(flags, lambda f: abs(f.score - f.threshold))
    # not the order by distance from 0.5: the first card differs
    by_half = _order(flags, lambda f: abs(f.score - 0.5))
    assert got[0] != by_half[0]
    first = next(f for f in flags if card_of(f) == got[0])
    assert (first.note_id, first.category) == ("N-0004", "missing_rationale")  # 0.61 vs 0.62
    assert by_half[0] == card_of(next(f for f in flags if f.span_text == "Bed rails up"))
    # a decided card leaves the open queue; the rest keep their order
    for f in flags:
        if card_of(f) == got[0]:
            record_decision(engine, f.flag_id, "confirmed", "ann", 0)
    assert [e.key for e in queue_keys(engine, FlagFilter(), order="uncertainty")] == got[1:]


def test_a_flags_own_threshold_wins_and_reimport_updates_it(engine: Engine, tmp_path) -> None:
    run = _run_with(tmp_path, model_version=VERSION, thresholds=THRESHOLDS)
    lines = (run / "flags.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({**first, "threshold": 0.3})
    (run / "flags.jsonl").write_text("\n".join(lines) + "\n")
    import_run(engine, run)
    thresholds = {f.flag_id: f.threshold for f in list_flags(engine)}
    assert thresholds[first["flag_id"]] == pytest.approx(0.3)
    # a re-audit with another model brings its thresholds with its scores
    summary = json.loads((run / "summary.json").read_text())
    summary["run"].update(run_id="run-a2", thresholds={**THRESHOLDS, "doing_for": 0.5})
    (run / "summary.json").write_text(json.dumps(summary))
    lines[0] = json.dumps(first)
    (run / "flags.jsonl").write_text("\n".join(lines) + "\n")
    import_run(engine, run)
    doing_for = {f.threshold for f in list_flags(engine) if f.category == "doing_for"}
    assert doing_for == {0.5}


def _fake_model(root: Path, kind: str, weights_sha: str, thresholds: dict) -> str:
    folder = root / kind
    folder.mkdir(parents=True)
    meta = {"kind": kind, "thresholds": thresholds, "files": {"weights.npz": weights_sha}}
    (folder / "model.json").write_text(json.dumps(meta))
    return f"{kind}@{weights_sha[:12]}"


def test_thresholds_come_from_the_model_folder_when_the_run_has_none(
    engine: Engine, tmp_path, monkeypatch
) -> None:
    import nlp.prediction.registry as registry

    models = tmp_path / "models"
    sha = hashlib.sha256(b"weights").hexdigest()
    version = _fake_model(models, "hybrid", sha, THRESHOLDS)
    monkeypatch.setattr(registry, "MODELS_DIR", models)
    assert model_thresholds(version) == THRESHOLDS
    assert model_thresholds("hybrid@ffffffffffff") == {}
    assert model_thresholds("rules") == {}  # no weights: decides at 0.5
    report = import_run(engine, _run_with(tmp_path, model_version=version))
    assert not report.warnings
    assert {f.category: f.threshold for f in list_flags(engine)} == {
        c: pytest.approx(THRESHOLDS[h])
        for c, h in SCORE_HEADS.items()
        if c != "plan_gap"  # run_a has no plan gaps
    }


def test_unknown_model_version_falls_back_to_one_half_with_a_warning(
    engine: Engine, tmp_path
) -> None:
    report = import_run(engine, _run_with(tmp_path / "x", model_version="hybrid@ffffffffffff"))
    assert any("no decision thresholds for model hybrid@ffffffffffff" in w for w in report.warnings)
    assert {f.threshold for f in list_flags(engine)} == {DEFAULT_THRESHOLD}


def test_the_projects_own_models_give_their_thresholds() -> None:
    from types import SimpleNamespace

    from nlp.prediction.registry import MODELS_DIR
    from nlp.prediction.store import read_model_meta
    from nlp.prediction.version import model_version

    checked = 0
    for folder in sorted(MODELS_DIR.iterdir()):
        if not (folder / "model.json").is_file():
            continue
        meta = read_model_meta(folder)
        version = model_version(SimpleNamespace(name=meta["kind"], meta=meta))
        if "@" not in version or not isinstance(meta.get("thresholds"), dict):
            continue
        assert model_thresholds(version) == meta["thresholds"]
        checked += 1
        assert flag_threshold("unrecorded_restriction", meta["thresholds"]) == pytest.approx(
            meta["thresholds"]["unauthorised"]
        )
    if not checked:
        pytest.skip("no trained model with thresholds in models/")


# --- the open queue walks an index of open flags ------------------------------------------------


def _statements(engine: Engine, fn) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return seen


@pytest.mark.parametrize("order", ["score", "uncertainty"])
@pytest.mark.parametrize("statuses", [("open",), ("confirmed",)])
def test_queue_reads_the_status_index_in_order(sqlite_url, order, statuses) -> None:
    from review_app.store import make_engine

    engine = make_engine(sqlite_url)
    import_run(engine, RUN_A)
    [(sql, params)] = [
        s
        for s in _statements(engine, lambda: queue_keys(engine, FlagFilter(), statuses, order))
        if s[0].lstrip().upper().startswith("SELECT")
    ]
    with engine.connect() as conn:
        plan = " | ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    index = "ix_flags_status_score" if order == "score" else "ix_flags_status_margin"
    assert f"USING INDEX {index} (review_status=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order
    engine.dispose()


def test_review_status_follows_decisions_and_is_checked(engine: Engine, password_hash) -> None:
    import_run(engine, RUN_A)
    add_users(engine, password_hash)
    fid = list_flags(engine)[0].flag_id

    def status() -> str:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT review_status FROM flags WHERE flag_id = :f"), {"f": fid}
            ).scalar_one()

    assert status() == "open"
    record_decision(engine, fid, "confirmed", "ann", 0)
    assert status() == "confirmed"
    record_decision(engine, fid, "dismissed", "al", 1, reason="wrong person")
    assert status() == "dismissed"
    record_decision(engine, fid, "reopened", "ann", 2)
    assert status() == "open"
    assert integrity_check(engine) == []
    # hiding an open flag from the queue by editing the column is reported
    other = list_flags(engine)[3].flag_id
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE flags SET review_status = 'dismissed' WHERE flag_id = :f"), {"f": other}
        )
    [problem] = integrity_check(engine)
    assert f"flags.review_status for flag {other} is 'dismissed'" in problem
    assert "leaves it open" in problem


def test_review_status_is_filled_for_a_store_made_before_it(sqlite_url: str) -> None:
    from review_app.store import make_engine

    engine = make_engine(sqlite_url)
    import_run(engine, RUN_A)
    flags = list_flags(engine)
    record_decision(engine, flags[0].flag_id, "confirmed", "ann", 0)
    record_decision(engine, flags[1].flag_id, "dismissed", "ann", 0, reason="wrong person")
    with engine.begin() as conn:  # as an older version left it: no trigger, no column values
        conn.execute(text("DROP TRIGGER decisions_review_status"))
        conn.execute(text("UPDATE flags SET review_status = 'open'"))
    ensure_review_schema(engine)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT flag_id, review_status FROM flags")).all())
    assert got[flags[0].flag_id] == "confirmed" and got[flags[1].flag_id] == "dismissed"
    assert {v for k, v in got.items() if k not in (flags[0].flag_id, flags[1].flag_id)} == {"open"}
    record_decision(engine, flags[0].flag_id, "reopened", "ann", 1)
    assert card_of(flags[0]) in [e.key for e in queue_keys(engine, FlagFilter())]
    engine.dispose()


# --- counts brought up to date from new decisions ------------------------------------------------


FILTERS = [
    FlagFilter(),
    FlagFilter(services=["Willow House"]),
    FlagFilter(categories=["unrecorded_restriction"], min_score=0.8),
]


def _stamp(engine: Engine) -> str:
    from review_app.store import store_stamp

    return store_stamp(engine)[0]


def test_reviewed_counts_and_decided_cube_equal_a_full_recount(engine: Engine) -> None:
    import_run(engine, RUN_A)
    counts, cube = ReviewedCounts(), stats.DecidedCube()
    flags = list_flags(engine)

    def check() -> None:
        for flt in FILTERS:
            key = f"{_stamp(engine)}|{flt!r}"
            assert counts.count(engine, flt, key) == count_reviewed(engine, flt), flt
        got = cube.frame(engine, _stamp(engine))
        assert got.equals(stats.decided_cube(engine)), got

    check()
    seq: dict[str, int] = {}
    steps = [
        (0, "confirmed", ""),
        (1, "dismissed", "wrong person"),
        (2, "confirmed", ""),
        (0, "dismissed", "other"),  # confirmed -> dismissed: reviewed count unchanged
        (1, "reopened", ""),  # dismissed -> open
        (5, "confirmed", ""),
        (8, "confirmed", ""),
        (1, "confirmed", ""),
    ]
    for i, decision, reason in steps:
        fid = flags[i].flag_id
        record_decision(engine, fid, decision, "ann", seq.get(fid, 0), reason=reason)
        seq[fid] = seq.get(fid, 0) + 1
        check()
    # several decisions between two reads
    for f in flags[9:12]:
        record_decision(engine, f.flag_id, "confirmed", "al", 0)
    check()
    # an import (here: an edited note supersedes flags) is a new key: counted again
    import_run(engine, RUN_B)
    check()
    assert counts.count(engine, FlagFilter(), f"{_stamp(engine)}|x") == count_reviewed(
        engine, FlagFilter()
    )
