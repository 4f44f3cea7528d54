"""The Streamlit app through streamlit.testing.v1.AppTest: pages, cards, decisions, roles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from review_app.auth import SignedInUser
from review_app.cards import CardKey, queue_keys
from review_app.importer import import_run
from review_app.navigation import PAGES, views_for
from review_app.store import FlagFilter, decision_history, list_flags, make_engine, record_decision
from review_app.teaching import check_gold

from .conftest import PASSWORD, RUN_A, RUN_B, add_users, new_pg_database

APP = str(Path(__file__).parents[2] / "review_app" / "app.py")


@pytest.fixture
def store(loaded_sqlite, monkeypatch: pytest.MonkeyPatch):
    url, engine = loaded_sqlite
    monkeypatch.setenv("CAREAUDIT_DB", url)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path, password_hash: str, monkeypatch):
    """The loaded store on SQLite and on PostgreSQL (the app runs the same code on both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'review.db'}"
    else:
        url = new_pg_database(request.getfixturevalue("pg_server"))
    engine = make_engine(url)
    import_run(engine, RUN_A)
    add_users(engine, password_hash)
    monkeypatch.setenv("CAREAUDIT_DB", url)
    yield engine
    engine.dispose()


def sign_in(username: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="sign_in_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_view(at: AppTest, view: str) -> AppTest:
    at.switch_page(f"app_pages/{PAGES[view][0]}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def progress_text(at: AppTest) -> str:
    found = re.search(r"\d+ of \d+ flags reviewed", html_text(at))
    return found.group(0) if found else ""


def html_text(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


def status(at: AppTest) -> str:
    return next((h.value for h in at.html if 'class="ca-status' in h.value), "")


def current(at: AppTest) -> CardKey:
    return CardKey.parse(at.session_state["current_card"])


def test_wrong_password_is_refused(store) -> None:
    at = sign_in("ann", "not the password")
    assert at.error and "user" not in at.session_state
    assert not progress_text(at)


def test_empty_store_explains_how_to_add_a_user(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CAREAUDIT_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "careaudit users add" in at.warning[0].value


@pytest.mark.parametrize(
    ("user", "views"),
    [
        ("ann", ["Queue", "Second opinions", "Dashboard"]),
        ("sue", ["Adjudication", "Supervision", "Dashboard"]),
        ("tom", ["Teaching examples"]),
        ("ada", list(PAGES)),
    ],
)
def test_each_role_gets_its_pages(store, user: str, views: list[str]) -> None:
    at = sign_in(user)
    role = at.session_state["user"].role
    assert list(views_for(role)) == views
    for view in views:  # every page of the role opens without an error
        open_view(at, view)
    for view in set(PAGES) - set(views):  # the others are not in the navigation at all
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(f"app_pages/{PAGES[view][0]}")


def test_views_check_the_role_again(store) -> None:
    def page(view: str, username: str, role: str) -> None:
        from review_app import session
        from review_app.auth import SignedInUser
        from review_app.views import VIEWS

        VIEWS[view].render(session.engine(), SignedInUser(username, role))

    forbidden = [
        ("Import", "auditor"),
        ("Queue", "trainer"),
        ("Teaching examples", "auditor"),
        ("Supervision", "auditor"),
        ("Adjudication", "auditor"),
        ("Second opinions", "supervisor"),
        ("Import", "supervisor"),
    ]
    for view, role in forbidden:
        direct = AppTest.from_function(page, args=(view, "x", role), default_timeout=60).run()
        assert [e.value for e in direct.error] == [f"Your role ({role}) cannot open {view}."]
        assert not direct.button


def test_accept_and_reject_a_card(any_store) -> None:
    store = any_store
    at = sign_in("ann")
    assert progress_text(at) == "0 of 13 flags reviewed"
    first = current(at)
    assert first == queue_keys(store, FlagFilter())[0].key  # best score first
    assert '<mark class="ca-current"' in html_text(at)
    assert "Keys: a accept · r reject · 1–9 reason · i skip (ignore) · u undo" in html_text(at)

    at.button(key="card_accept").click().run()
    assert "Confirmed 1 flag." in status(at)
    assert progress_text(at) == "1 of 13 flags reviewed"
    [flag] = [
        f
        for f in list_flags(store)
        if f.sentence_start == first.sentence_start and f.note_key == first.note_key
    ]
    [d] = decision_history(store, flag.flag_id)
    assert (d.decision, d.reviewer, d.previous_state, d.sequence) == ("confirmed", "ann", "open", 1)

    second = current(at)
    assert second != first
    at.button(key="card_reject").click().run()  # no reason yet
    assert "Choose why first" in status(at)
    at.button_group(key="card_reason").set_value("other").run()
    at.button(key="card_reject").click().run()  # "other" needs a comment
    assert "comment" in status(at)
    at.text_input(key="card_comment").input("Kitchen is locked only for cleaning")
    at.button(key="card_reject").click().run()
    assert "Dismissed (other)" in status(at)
    on_card = [
        f
        for f in list_flags(store)
        if f.note_key == second.note_key and f.sentence_start == second.sentence_start
    ]
    for f in on_card:
        [d] = decision_history(store, f.flag_id)
        assert (d.decision, d.reason, d.comment) == (
            "dismissed",
            "other",
            "Kitchen is locked only for cleaning",
        )
    assert progress_text(at) == f"{1 + len(on_card)} of 13 flags reviewed"
    assert current(at) not in (first, second)


def test_card_shows_every_flag_on_the_sentence_and_decides_one_by_one(store) -> None:
    at = sign_in("ann")
    kitchen = next(f for f in list_flags(store) if f.span_text == "Kitchen locked")
    key = CardKey(kitchen.note_key, kitchen.sentence_start, kitchen.sentence_end)
    at.session_state["current_card"] = str(key)
    at.run()
    assert current(at) == key
    text = html_text(at)
    assert (
        "Unrecorded restriction · score 0.88" in text and "Missing rationale · score 0.70" in text
    )
    assert [b.label for b in at.button if b.key == "card_accept"] == ["Accept all (a)"]
    # reasons that belong to the card's categories only
    assert at.button_group(key="card_reason").options == [
        "authorised elsewhere",
        "not a restriction",
        "wrong person",
        "rationale given elsewhere",
        "not a decision or intervention",
        "other",
    ] or "not doing-for in context" not in str(at.button_group(key="card_reason").options)
    mr = next(
        f
        for f in list_flags(store, FlagFilter(categories=["missing_rationale"]))
        if f.note_key == kitchen.note_key
    )
    at.button(key=f"accept_one_{mr.flag_id}").click().run()
    assert current(at) == key  # the card stays until every flag on it is decided
    assert [d.decision for d in decision_history(store, mr.flag_id)] == ["confirmed"]
    assert decision_history(store, kitchen.flag_id) == []
    at.button(key="card_accept").click().run()
    assert [d.decision for d in decision_history(store, kitchen.flag_id)] == ["confirmed"]
    assert len(decision_history(store, mr.flag_id)) == 1  # not decided twice
    assert current(at) != key


def test_undo_restores_the_card_with_a_new_decision(store) -> None:
    at = sign_in("ann")
    first = current(at)
    at.button(key="card_accept").click().run()
    assert current(at) != first
    at.button(key="card_undo").click().run()
    assert "Undone: 1 decision restored." in status(at)
    assert current(at) == first
    flag = next(
        f
        for f in list_flags(store)
        if f.note_key == first.note_key and f.sentence_start == first.sentence_start
    )
    history = decision_history(store, flag.flag_id)
    assert [(d.decision, d.previous_state, d.comment) for d in history] == [
        ("confirmed", "open", ""),
        ("reopened", "confirmed", "undo of decision #1"),
    ]
    assert progress_text(at) == "0 of 13 flags reviewed"
    assert at.button(key="card_undo").disabled  # nothing left to undo


def test_html_in_note_is_escaped(store) -> None:
    at = sign_in("ann")
    target = next(f for f in list_flags(store) if f.note_id == "N-0003")
    at.session_state["current_card"] = (
        f"{target.note_key}:{target.sentence_start}:{target.sentence_end}"
    )
    at.run()
    html = html_text(at)
    assert "&lt;b&gt;not&lt;/b&gt;" in html and "&lt;140 &amp;" in html
    assert "<b>not</b>" not in html


def test_two_reviewers_same_card_conflict(any_store) -> None:
    store = any_store
    ann = sign_in("ann")
    key = current(ann)
    [flag] = [
        f
        for f in list_flags(store)
        if f.note_key == key.note_key and f.sentence_start == key.sentence_start
    ]
    # al decides the same flag while ann is still looking at it
    record_decision(store, flag.flag_id, "dismissed", "al", 0, reason="wrong person")
    ann.button(key="card_accept").click().run()
    message = status(ann)
    assert f"Conflict on flag {flag.flag_id}: al marked it dismissed" in message
    assert "not saved" in message
    assert [(d.reviewer, d.decision) for d in decision_history(store, flag.flag_id)] == [
        ("al", "dismissed")
    ]


def test_skip_moves_on_without_deciding(store) -> None:
    at = sign_in("ann")
    first = current(at)
    at.button(key="card_skip").click().run()
    assert current(at) != first
    assert at.session_state["skipped"] == [str(first)]
    assert progress_text(at) == "0 of 13 flags reviewed"
    assert all(not decision_history(store, f.flag_id) for f in list_flags(store))


def test_queue_filters_and_order(store) -> None:
    at = sign_in("ann")
    at.sidebar.multiselect(key="f_services").select("Birchwood Supported Living").run()
    assert progress_text(at) == "0 of 4 flags reviewed"
    at.sidebar.multiselect(key="f_categories").select("unrecorded_restriction").run()
    assert progress_text(at) == "0 of 3 flags reviewed"
    at.sidebar.slider(key="f_score").set_value(0.8).run()
    assert progress_text(at) == "0 of 2 flags reviewed"
    options = at.selectbox(key="queue_pick").options
    assert {o.split(" · ")[1] for o in options} == {"N-0005", "N-0008"}
    at.sidebar.slider(key="f_score").set_value(0.0).run()
    at.button_group(key="f_order").set_value("uncertainty").run()
    bed_rails = next(f for f in list_flags(store) if f.span_text == "Bed rails up")
    assert current(at).note_key == bed_rails.note_key  # score 0.55: nearest 0.5


def _confirm_dana(store) -> None:
    for f in list_flags(store, FlagFilter(authors=["Dana Kerr"])):
        if f.note_id == "N-0002":
            record_decision(store, f.flag_id, "dismissed", "ann", 0, reason="not a restriction")
        else:
            record_decision(store, f.flag_id, "confirmed", "ann", 0, comment="talk about this")


def test_supervisor_view_is_per_note_with_suggestions(store) -> None:
    _confirm_dana(store)
    at = open_view(sign_in("sue"), "Supervision")
    at.selectbox(key="sup_author").select("Dana Kerr").run()
    assert "5 confirmed flags in 3 notes for Dana Kerr" in [t.value for t in at.text]
    notes = [h.value for h in at.html if 'class="ca-meta"' in h.value]
    assert len(notes) == len(set(notes)) == 3  # N-0001 has 3 confirmed flags: shown once
    assert "Cite the best-interests decision or register entry." in html_text(at)
    assert {m.label for m in at.metric} >= {"Notes written", "Flags per 100 notes"}
    assert [b.label for b in at.get("download_button")] == [
        "Download pack (HTML)",
        "Download pack (CSV)",
    ]
    at.selectbox(key="sup_author").select("Priya Natt").run()
    assert not at.get("download_button")


def test_supervision_says_when_authors_are_job_titles(
    tmp_path: Path, password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run_roles"
    run.mkdir()
    for name in ("notes.jsonl", "flags.jsonl"):
        rows = [json.loads(line) for line in (RUN_A / name).read_text().splitlines()]
        for row in rows:
            row["author"] = "support worker"
        (run / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    url = f"sqlite:///{tmp_path / 'roles.db'}"
    engine = make_engine(url)
    import_run(engine, run)
    add_users(engine, password_hash)
    monkeypatch.setenv("CAREAUDIT_DB", url)
    at = open_view(sign_in("sue"), "Supervision")
    warning = at.warning[0].value
    assert "look like job titles" in warning and "“support worker” covers 8 notes" in warning
    assert "need staff names" in warning


def test_trainer_view_builds_deidentified_gold(store) -> None:
    _confirm_dana(store)
    at = sign_in("tom")
    assert len(at.multiselect(key="t_pick").value) == 7  # Dana's 5 confirmed + 2 dismissed
    at.multiselect(key="t_decisions").unselect("dismissed").run()
    assert len(at.multiselect(key="t_pick").value) == 5
    # none of the 3 notes is complete (open flags, not marked reviewed): shown before export
    assert [m.value for m in at.metric if m.label == "Complete notes"] == ["0 of 3"]
    at.button(key="t_build").click().run()
    assert at.success[0].value.startswith("0 notes ready.")  # complete notes only
    at.checkbox(key="t_partial").check().run()
    at.button(key="t_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("3 notes ready.")
    jsonl, records, _ = at.session_state["t_result"]
    for line in jsonl.splitlines():
        record = json.loads(line)
        assert check_gold(record) == []
        assert record["review_status"] == "partial"
        for ident in ("Tomasz", "Freddie", "Dana Kerr", "Willow House", "N-000", "P-10"):
            assert ident not in line
    labels = [s["doing_for"] for r in records for s in r["sentences"]]
    assert labels.count(1) == 1 and 0 not in labels  # nobody decided the rest: null


def test_dashboard_counts_rates_and_intervals(store) -> None:
    _confirm_dana(store)
    at = open_view(sign_in("ann"), "Dashboard")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Flags": "13", "Reviewed": "7", "Open": "6", "Confirmed rate": "71%"}
    assert any("5 of 7; 95% CI 36%–92%" in c.value for c in at.caption)
    page = html_text(at)
    # Willow House: N-0001 (3 flags), N-0002 (2, dismissed), N-0003 (2), N-0007 (2):
    # flags, open, reviewed, confirmed, dismissed, rate, interval
    row = "<td>{}</td>" * 8
    assert row.format("Willow House", 9, 4, 5, 3, 2, "60%", "23%–88%") in page
    birch = "<td>Birchwood Supported Living</td><td>4</td><td>2</td><td>2</td><td>2</td>"
    assert birch + '<td>0</td><td class="na">–</td><td class="na">n &lt; 5</td>' in page
    at.button_group(key="d_group").set_value("Category").run()
    assert "<td>Unrecorded restriction</td>" in html_text(at)  # human labels
    at.multiselect(key="d_services").select("Willow House").run()
    assert {m.label: m.value for m in at.metric}["Flags"] == "9"


def test_admin_imports_a_run_and_sets_keys(store) -> None:
    at = open_view(sign_in("ada"), "Import")
    at.text_input(key="import_path").input(str(RUN_B))
    at.button(key="import_button").click().run()
    assert (
        at.success[0]
        .value.replace("\\", "")
        .startswith("run run-2026-05-01-b: 14 flags (3 new, 11 already")
    )
    assert len(list_flags(make_engine(str(store.url)))) == 14
    at.text_input(key="s_accept").input("y")
    at.text_input(key="s_reject").input("n")
    at.button(key="s_save").click().run()
    assert at.success[-1].value.replace("\\", "") == "Settings saved."
    queue = open_view(at, "Queue")
    assert [b.label for b in queue.button if b.key == "card_accept"] == ["Accept (y)"]
    assert '"y": "card_accept"' in html_text(queue)


def test_reopen_a_decided_card_in_the_confirmed_view(store) -> None:
    at = sign_in("ann")
    first = current(at)
    at.button(key="card_accept").click().run()
    at.button_group(key="f_show").set_value("Confirmed").run()
    assert current(at) == first
    assert "confirmed by ann" in html_text(at)
    at.button_group(key="card_reason").set_value("wrong person").run()
    at.button(key="card_reject").click().run()
    flag = next(
        f
        for f in list_flags(store)
        if f.note_key == first.note_key and f.sentence_start == first.sentence_start
    )
    assert [(d.decision, d.previous_state) for d in decision_history(store, flag.flag_id)] == [
        ("confirmed", "open"),
        ("dismissed", "confirmed"),
    ]


def test_signed_in_user_is_kept_in_session(store) -> None:
    at = sign_in("ann")
    assert at.session_state["user"] == SignedInUser("ann", "auditor")
