"""The Streamlit app through streamlit.testing.v1.AppTest: views, decisions, conflicts, roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from review_app.auth import SignedInUser
from review_app.importer import import_run
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
    at.sidebar.radio(key="view").set_value(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def progress_text(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def test_wrong_password_is_refused(store) -> None:
    at = sign_in("ann", "not the password")
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert "user" not in at.session_state
    assert not at.sidebar.radio


def test_empty_store_explains_how_to_add_a_user(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CAREAUDIT_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "careaudit users add" in at.warning[0].value


@pytest.mark.parametrize(
    ("user", "views"),
    [
        ("ann", ["Queue", "Dashboard"]),
        ("sue", ["Supervision", "Dashboard"]),
        ("tom", ["Teaching examples"]),
        ("ada", ["Queue", "Supervision", "Teaching examples", "Dashboard", "Import"]),
    ],
)
def test_each_role_sees_its_views(store, user: str, views: list[str]) -> None:
    at = sign_in(user)
    assert at.sidebar.radio(key="view").options == views
    assert at.sidebar.radio(key="view").value == views[0]


def test_role_cannot_reach_other_views(store) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = SignedInUser("ann", "auditor")
    at.session_state["view"] = "Import"  # not in the auditor's menu: falls back
    at.run()
    assert at.sidebar.radio(key="view").value == "Queue"
    assert [h.value for h in at.header] == ["Review queue"]

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
        ("Import", "supervisor"),
    ]
    for view, role in forbidden:
        direct = AppTest.from_function(page, args=(view, "x", role), default_timeout=60).run()
        assert [e.value for e in direct.error] == [f"Your role ({role}) cannot open {view}."]
        assert not direct.button and not direct.header


def test_confirm_and_dismiss_flow(any_store) -> None:
    store = any_store
    at = sign_in("ann")
    assert progress_text(at) == "0 of 13 reviewed"
    first = at.session_state["current_flag"]
    assert first == list_flags(store)[0].flag_id  # best score first
    html = at.html[0].value
    assert '<mark class="ca-current"' in html

    at.button(key="confirm").click().run()
    assert at.success[0].value.startswith(f"Confirmed: flag {first}")
    assert progress_text(at) == "1 of 13 reviewed"
    [d] = decision_history(store, first)
    assert (d.decision, d.reviewer, d.previous_state, d.sequence) == ("confirmed", "ann", "open", 1)

    second = at.session_state["current_flag"]
    assert second != first
    at.button(key="dismiss").click().run()  # no reason yet
    assert at.warning[0].value == "Choose a dismiss reason first."
    assert decision_history(store, second) == []
    at.selectbox(key=f"reason-{second}").select("other")
    at.button(key="dismiss").click().run()  # "other" needs a comment
    assert "comment" in at.warning[0].value
    at.text_area(key=f"comment-{second}").input("Kitchen is locked only for cleaning")
    at.button(key="dismiss").click().run()
    assert at.success[0].value.startswith(f"Dismissed (other): flag {second}")
    [d] = decision_history(store, second)
    assert (d.decision, d.reason, d.comment) == (
        "dismissed",
        "other",
        "Kitchen is locked only for cleaning",
    )
    assert progress_text(at) == "2 of 13 reviewed"
    assert at.session_state["current_flag"] not in (first, second)


def test_html_in_note_is_escaped(store) -> None:
    at = sign_in("ann")
    target = next(f for f in list_flags(store) if f.note_id == "N-0003")
    at.selectbox(key="queue_pick").select(target.flag_id).run()
    html = at.html[0].value
    assert "&lt;b&gt;not&lt;/b&gt;" in html and "&lt;140 &amp;" in html
    assert "<b>not</b>" not in html


def test_two_reviewers_same_flag_conflict(any_store) -> None:
    store = any_store
    ann = sign_in("ann")
    flag_id = ann.session_state["current_flag"]
    # al decides the same flag while ann is still looking at it
    record_decision(store, flag_id, "dismissed", "al", 0, reason="wrong person")
    ann.button(key="confirm").click().run()
    message = ann.error[0].value
    assert message.startswith(f"Conflict on flag {flag_id}: al marked it dismissed")
    assert "not saved" in message
    history = decision_history(store, flag_id)
    assert [(d.reviewer, d.decision) for d in history] == [("al", "dismissed")]
    # ann now sees the current version and can decide on top of it
    ann.sidebar.radio(key="f_show").set_value("All").run()
    ann.selectbox(key="queue_pick").select(flag_id).run()
    ann.button(key="confirm").click().run()
    assert ann.success[0].value.startswith("Confirmed")
    history = decision_history(store, flag_id)
    assert [(d.reviewer, d.decision, d.previous_state) for d in history] == [
        ("al", "dismissed", "open"),
        ("ann", "confirmed", "dismissed"),
    ]


def test_skip_moves_on_without_deciding(store) -> None:
    at = sign_in("ann")
    first = at.session_state["current_flag"]
    at.button(key="skip").click().run()
    assert at.session_state["current_flag"] != first
    skipped = next(f for f in list_flags(store) if f.flag_id == first)
    assert at.session_state["skipped"] == [first]
    assert f"“{skipped.span_text[:40]}”" in at.selectbox(key="queue_pick").options[-1]
    assert decision_history(store, first) == []
    assert progress_text(at) == "0 of 13 reviewed"


def test_queue_filters(store) -> None:
    at = sign_in("ann")
    at.sidebar.multiselect(key="f_services").select("Birchwood Supported Living").run()
    assert progress_text(at) == "0 of 4 reviewed"
    at.sidebar.multiselect(key="f_categories").select("unrecorded_restriction").run()
    assert progress_text(at) == "0 of 3 reviewed"
    at.sidebar.slider(key="f_score").set_value(0.8).run()
    assert progress_text(at) == "0 of 2 reviewed"
    wanted = FlagFilter(
        services=["Birchwood Supported Living"],
        categories=["unrecorded_restriction"],
        min_score=0.8,
    )
    shown = {f.flag_id for f in list_flags(store, wanted)}
    options = at.selectbox(key="queue_pick").options  # labels: date · note · category · span
    assert {o.split(" · ")[1] for o in options} == {"N-0005", "N-0008"}
    assert len(options) == len(shown) == 2


def _confirm_dana(store) -> None:
    for f in list_flags(store, FlagFilter(authors=["Dana Kerr"])):
        if f.note_id == "N-0002":
            record_decision(store, f.flag_id, "dismissed", "ann", 0, reason="not a restriction")
        else:
            record_decision(store, f.flag_id, "confirmed", "ann", 0, comment="talk about this")


def test_supervisor_view(store) -> None:
    _confirm_dana(store)
    at = open_view(sign_in("sue"), "Supervision")
    at.selectbox(key="sup_author").select("Dana Kerr").run()
    subheaders = [h.value for h in at.subheader]
    assert subheaders == ["Doing for (1)", "Unrecorded restriction (2)", "Missing rationale (2)"]
    assert "**5** confirmed flags for **Dana Kerr**" in [m.value for m in at.markdown]
    assert [b.label for b in at.get("download_button")] == [
        "Download pack (HTML)",
        "Download pack (CSV)",
    ]
    at.selectbox(key="sup_author").select("Priya Natt").run()
    assert not at.subheader and not at.get("download_button")


def test_trainer_view_builds_deidentified_gold(store) -> None:
    _confirm_dana(store)
    at = sign_in("tom")
    assert len(at.multiselect(key="t_pick").value) == 7  # Dana's 5 confirmed + 2 dismissed
    at.multiselect(key="t_decisions").unselect("dismissed").run()
    assert len(at.multiselect(key="t_pick").value) == 5
    at.button(key="t_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("3 notes ready.")
    jsonl, records, _ = at.session_state["t_result"]
    for line in jsonl.splitlines():
        record = json.loads(line)
        assert check_gold(record) == []
        for ident in ("Tomasz", "Freddie", "Dana Kerr", "Willow House", "N-000", "P-10"):
            assert ident not in line
    assert sum(s["doing_for"] for r in records for s in r["sentences"]) == 1


def test_dashboard(store) -> None:
    _confirm_dana(store)
    at = open_view(sign_in("ann"), "Dashboard")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Flags": "13", "Reviewed": "7", "Open": "6", "Confirmed rate": "71%"}
    assert len(at.get("vega_lite_chart")) == 6  # counts + confirmed rate, per tab
    by_service = at.dataframe[0].value
    willow = by_service[by_service["service"] == "Willow House"].iloc[0]
    # Willow House: N-0001 (3 flags), N-0002 (2, dismissed), N-0003 (2), N-0007 (2)
    assert (willow["flags"], willow["reviewed"], willow["confirmed"]) == (9, 5, 3)
    assert willow["confirmed_rate"] == pytest.approx(0.6)


def test_admin_imports_a_run(store) -> None:
    at = open_view(sign_in("ada"), "Import")
    at.text_input(key="import_path").input(str(RUN_B))
    at.button(key="import_button").click().run()
    assert at.success[0].value.startswith("run run-2026-05-01-b: 14 flags (3 new, 11 already")
    assert len(list_flags(make_engine(str(store.url)))) == 14
    at.text_input(key="import_path").input("/nowhere")
    at.button(key="import_button").click().run()
    assert "not a directory" in at.error[0].value


def test_reopen_a_decided_flag(store) -> None:
    at = sign_in("ann")
    flag_id = at.session_state["current_flag"]
    assert not [b for b in at.button if b.key == "reopen"]  # open flags cannot be reopened
    at.button(key="confirm").click().run()
    at.sidebar.radio(key="f_show").set_value("Confirmed").run()
    assert at.session_state["current_flag"] == flag_id
    at.button(key="reopen").click().run()
    assert at.success[0].value.startswith(f"Reopened: flag {flag_id} (decision #2)")
    assert [(d.decision, d.previous_state) for d in decision_history(store, flag_id)] == [
        ("confirmed", "open"),
        ("reopened", "confirmed"),
    ]
    assert progress_text(at) == "0 of 13 reviewed"
