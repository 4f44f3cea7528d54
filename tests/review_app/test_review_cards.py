"""Cards, undo, second opinions, agreement and adjudication at the store level."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from review_app import agreement, settings
from review_app.actions import check_dismissal, decide_flags, reasons_for, undo
from review_app.auth import SignedInUser
from review_app.card_view import flag_html
from review_app.cards import HIDDEN, card_of, count_reviewed, load_card, queue_keys
from review_app.importer import import_run
from review_app.keys import key_script
from review_app.stats import wilson
from review_app.store import (
    Adjudication,
    FlagFilter,
    FlagState,
    SecondOpinion,
    decision_history,
    ensure_review_schema,
    integrity_check,
    list_flags,
    make_engine,
    record_decision,
)
from review_app.supervision import role_like_authors

from .conftest import PASSWORD, RUN_A, add_users

ANN = SignedInUser("ann", "auditor")
AL = SignedInUser("al", "auditor")
SUE = SignedInUser("sue", "supervisor")
APP = str(Path(__file__).parents[2] / "review_app" / "app.py")


@pytest.fixture
def loaded(engine, password_hash: str):
    """RUN_A with one user per role (the integrity check wants reviewers to be users)."""
    import_run(engine, RUN_A)
    add_users(engine, password_hash)
    return engine


def _flag(engine, span: str):
    return next(f for f in list_flags(engine) if f.span_text == span)


def test_flag_state_follows_every_decision(loaded) -> None:
    fid = _flag(loaded, "Kitchen locked").flag_id
    record_decision(loaded, fid, "confirmed", "ann", 0)
    record_decision(loaded, fid, "dismissed", "al", 1, reason="not a restriction")
    with Session(loaded) as s:
        state = s.get(FlagState, fid)
        assert (state.status, state.sequence, state.reviewer) == ("dismissed", 2, "al")
    assert count_reviewed(loaded, FlagFilter()) == 1
    record_decision(loaded, fid, "reopened", "ann", 2)
    with Session(loaded) as s:
        assert s.get(FlagState, fid).status == "open"
    assert count_reviewed(loaded, FlagFilter()) == 0
    assert integrity_check(loaded) == []


def test_flag_state_is_filled_for_a_store_made_before_it(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    import_run(engine, RUN_A)
    fid = list_flags(engine)[0].flag_id
    record_decision(engine, fid, "confirmed", "ann", 0)
    with engine.begin() as conn:  # as an older version left it: no trigger, no rows
        conn.execute(text("DROP TRIGGER decisions_flag_state"))
        conn.execute(text("DELETE FROM flag_state"))
    ensure_review_schema(engine)
    with Session(engine) as s:
        assert s.get(FlagState, fid).status == "confirmed"
    record_decision(engine, fid, "reopened", "ann", 1)
    with Session(engine) as s:
        assert s.get(FlagState, fid).status == "open"


def test_queue_orders_cards_by_score_or_uncertainty(loaded) -> None:
    by_score = queue_keys(loaded, FlagFilter())
    flags = list_flags(loaded)
    best = max(flags, key=lambda f: f.score)
    assert by_score[0].key == card_of(best)
    assert len({e.key for e in by_score}) == len(by_score) == len({card_of(f) for f in flags})
    informative = queue_keys(loaded, FlagFilter(), order="uncertainty")
    nearest = min(flags, key=lambda f: abs(f.score - 0.5))
    assert informative[0].key == card_of(nearest)
    # a decided card leaves the open queue; "Confirmed" shows it
    record_decision(loaded, best.flag_id, "confirmed", "ann", 0)
    assert card_of(best) not in [e.key for e in queue_keys(loaded, FlagFilter())]
    assert [e.key for e in queue_keys(loaded, FlagFilter(), ("confirmed",))] == [card_of(best)]


def test_one_card_holds_every_flag_of_the_sentence(loaded) -> None:
    kitchen = _flag(loaded, "Kitchen locked")
    card = load_card(loaded, card_of(kitchen))
    assert card is not None
    assert [f.category for f in card.flags] == ["unrecorded_restriction", "missing_rationale"]
    assert card.sentence == "Kitchen locked after 9pm."
    assert len(card.note_spans) == 3  # every flag of the note, for the highlights


def test_plan_gap_with_three_missing_elements_is_one_card(tmp_path: Path, engine) -> None:
    text_ = "Aileen's tablets are given crushed in her food. She likes tea."
    note = {
        "note_id": "N-CP1",
        "person_id": "P-1",
        "date": "2026-02-01",
        "service": "Willow House",
        "author": "Dana Kerr",
        "note_type": "care_plan",
        "text": text_,
    }
    span = "crushed in her food"
    start = text_.index(span)
    flags = [
        {
            **{k: note[k] for k in ("note_id", "person_id", "service", "author", "date")},
            "note_type": "care_plan",
            "flag_id": f"F-CP-{element}",
            "category": "plan_gap",
            "start": start,
            "end": start + len(span),
            "span_text": span,
            "sentence_start": 0,
            "sentence_end": 47,
            "restriction_type": "chemical",
            "score": 1.0,
            "source": "rules:plan_elements",
            "explanation": f"restriction '{span}' has no {element}",
            "suggestion": f"Add {element}",
            "element": element,
        }
        for element in ("rationale", "review_date", "involvement")
    ]
    run = tmp_path / "run_cp"
    run.mkdir()
    (run / "notes.jsonl").write_text(json.dumps(note) + "\n")
    (run / "flags.jsonl").write_text("".join(json.dumps(f) + "\n" for f in flags))
    import_run(engine, run)
    entries = queue_keys(engine, FlagFilter())
    assert len(entries) == 1
    card = load_card(engine, entries[0].key)
    assert card is not None and len(card.flags) == 3
    [row] = card.groups()
    html = flag_html(row)
    assert "missing: rationale, review date, involvement" in html
    assert html.count("Care-plan gap") == 1
    assert all(f"Add {e}" in html for e in ("rationale", "review_date", "involvement"))
    assert html.index("Add rationale") < html.index("Add review_date") < html.index("Add involv")
    outcome, batch = decide_flags(engine, ANN, str(card.key), card.flags, "confirm")
    assert outcome.ok and batch is not None and len(batch.decisions) == 3


def test_dismiss_reasons_belong_to_the_category() -> None:
    assert "not a restriction" not in reasons_for(["doing_for"])
    assert reasons_for(["doing_for"])[-1] == "other"
    assert "element present in the plan" in reasons_for(["plan_gap"])
    assert "rationale given elsewhere" in reasons_for(
        ["unrecorded_restriction", "missing_rationale"]
    )


def test_decide_a_card_then_undo_appends_only(loaded) -> None:
    kitchen = _flag(loaded, "Kitchen locked")
    card = load_card(loaded, card_of(kitchen))
    assert card is not None
    problem = check_dismissal(card.flags, "not doing-for in context", "")
    assert "does not fit" in problem
    # a reason that fits one flag of the card: that one is dismissed, the other stays
    outcome, partial = decide_flags(
        loaded, ANN, str(card.key), card.flags, "dismiss", "authorised elsewhere"
    )
    assert (
        outcome.kind == "warning" and "does not fit the missing rationale flag" in outcome.message
    )
    assert partial is not None and [fid for fid, _ in partial.decisions] == [kitchen.flag_id]
    assert undo(loaded, ANN, partial).ok
    card = load_card(loaded, card_of(kitchen))
    outcome, batch = decide_flags(
        loaded, ANN, str(card.key), card.flags, "dismiss", "wrong person", "not Tomasz"
    )
    assert outcome.ok and batch is not None
    assert undo(loaded, ANN, batch).ok
    for f in card.flags:
        history = decision_history(loaded, f.flag_id)
        assert [(d.decision, d.previous_state) for d in history][-2:] == [
            ("dismissed", "open"),
            ("reopened", "dismissed"),
        ]
    # a revision undone goes back to the earlier decision, reason included
    fid = kitchen.flag_id
    record_decision(loaded, fid, "dismissed", "ann", 4, reason="authorised elsewhere")
    card = load_card(loaded, card_of(kitchen))
    _, batch = decide_flags(loaded, ANN, str(card.key), card.flags[:1], "confirm")
    assert undo(loaded, ANN, batch).ok
    last = decision_history(loaded, fid)[-1]
    assert (last.decision, last.reason, last.comment) == (
        "dismissed",
        "authorised elsewhere",
        "undo of decision #6",
    )
    assert integrity_check(loaded) == []


def test_undo_never_overwrites_a_later_decision(loaded) -> None:
    flag = _flag(loaded, "sent to his room")
    card = load_card(loaded, card_of(flag))
    _, batch = decide_flags(loaded, ANN, str(card.key), card.flags, "confirm")
    record_decision(loaded, flag.flag_id, "dismissed", "al", 1, reason="not a restriction")
    outcome = undo(loaded, ANN, batch)
    assert not outcome.ok and "al marked it dismissed" in outcome.message
    assert [d.reviewer for d in decision_history(loaded, flag.flag_id)] == ["ann", "al"]


# --- agreement --------------------------------------------------------------------------------

# 10 flags: both confirmed 4, both dismissed 3, confirmed/dismissed 2, dismissed/confirmed 1
PAIRS = [("c", "c")] * 4 + [("d", "d")] * 3 + [("c", "d")] * 2 + [("d", "c")]


def test_cohens_kappa_matches_a_hand_calculation() -> None:
    # po = 7/10; first: c 6, d 4; second: c 5, d 5; pe = (6*5 + 4*5) / 100 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert agreement.cohens_kappa(PAIRS) == pytest.approx(0.4)
    assert agreement.cohens_kappa([("c", "c")] * 3) is None  # pe = 1: undefined
    assert agreement.cohens_kappa([]) is None


def test_krippendorff_alpha_matches_a_hand_calculation() -> None:
    # coincidences: o_cc = 8, o_dd = 6, o_cd = o_dc = 3; n = 20, n_c = 11, n_d = 9
    # alpha = 1 - (n - 1) * (o_cd + o_dc) / (n_c n_d + n_d n_c) = 1 - 19 * 6 / 198
    assert agreement.krippendorff_alpha([list(p) for p in PAIRS]) == pytest.approx(1 - 19 * 6 / 198)
    # three raters on one unit, two on another: 1 - (n-1) * D_o / D_e by hand
    # unit 1 (c, c, d): o_cc = 1, o_cd = o_dc = 1; unit 2 (d, d): o_dd = 2
    # n = 5, n_c = 2, n_d = 3 -> alpha = 1 - 4 * 2 / (2 * 3 * 2) = 1/3
    assert agreement.krippendorff_alpha([["c", "c", "d"], ["d", "d"]]) == pytest.approx(1 / 3)
    assert agreement.krippendorff_alpha([["c"], ["d"]]) is None


def _route_all(engine) -> None:
    settings.save(engine, "ada", second_opinion_share=1.0)


def test_kappa_on_the_dashboard_fixture_through_the_store(loaded) -> None:
    flags = list_flags(loaded)[:10]
    word = {"c": "confirmed", "d": "dismissed"}
    for f, (first, _) in zip(flags, PAIRS, strict=True):
        reason = "wrong person" if first == "d" else ""
        record_decision(loaded, f.flag_id, word[first], "ann", 0, reason=reason)
    assert agreement.claim(loaded, "al", share=1.0, limit=50) == 10
    for f, (_, second) in zip(flags, PAIRS, strict=True):
        outcome = agreement.record_second_opinion(
            loaded, AL, f.flag_id, "confirm" if second == "c" else "dismiss", "wrong person"
        )
        assert outcome.ok, outcome.message
    table = {a.category: a for a in agreement.agreement_table(agreement.pairs(loaded))}
    overall = table["all"]
    assert (overall.pairs, overall.agreed) == (10, 7)
    assert overall.kappa == pytest.approx(0.4)
    assert overall.alpha == pytest.approx(1 - 19 * 6 / 198)
    assert len(agreement.disagreements(loaded)) == 3


def test_blind_routing_never_shows_the_first_decision(
    loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = _flag(loaded, "took his phone off him")
    record_decision(
        loaded,
        flag.flag_id,
        "dismissed",
        "ann",
        0,
        reason="authorised elsewhere",
        comment="phone plan in BI file",
    )
    _route_all(loaded)
    assert agreement.claim(loaded, "ann", share=1.0) == 0  # never your own decision
    assert agreement.claim(loaded, "al", share=1.0) == 1
    assert agreement.pending(loaded, "al") == [flag.flag_id]
    masked = load_card(loaded, card_of(flag), viewer="al")
    [mine] = [f for f in masked.flags if f.flag_id == flag.flag_id]
    assert (mine.status, mine.reviewer, mine.reason, mine.comment) == (HIDDEN, "", "", "")
    for statuses in (("confirmed",), ("dismissed",), ()):
        shown = [e.key for e in queue_keys(loaded, FlagFilter(), statuses, viewer="al")]
        assert card_of(flag) not in shown
    # in the app: the second-opinion page and the queue say nothing of ann's decision
    monkeypatch.setenv("CAREAUDIT_DB", str(loaded.url.render_as_string(hide_password=False)))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_user").input("al")
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="sign_in_button").click().run()
    at.switch_page("app_pages/second_opinions.py").run()
    page = "\n".join(
        [h.value for h in at.html] + [t.value for t in at.text] + [c.value for c in at.caption]
    )
    assert "took his phone off him" in page
    for leak in ("ann", "dismissed", "authorised elsewhere", "phone plan in BI file"):
        assert leak not in page.replace("annot", ""), leak
    at.button(key="card_accept").click().run()
    assert "Second opinion saved." in "\n".join(h.value for h in at.html)
    [pair] = agreement.pairs(loaded)
    assert (pair.first, pair.second, pair.first_reviewer) == ("dismissed", "confirmed", "ann")
    # after giving it, the flag is no longer hidden from al
    after = load_card(loaded, card_of(flag), viewer="al")
    assert next(f for f in after.flags if f.flag_id == flag.flag_id).status == "dismissed"


def test_three_reviewers_on_a_flag_feed_alpha(loaded, password_hash: str) -> None:
    from review_app.store import User, now_utc

    with Session(loaded) as s, s.begin():
        s.add(
            User(
                username="bo",
                password_hash=password_hash,
                role="auditor",
                active=True,
                created_at=now_utc(),
            )
        )
    flags = list_flags(loaded)[:6]
    for f in flags:
        record_decision(loaded, f.flag_id, "confirmed", "ann", 0)
    assert agreement.claim(loaded, "al", share=1.0, per_flag=2) == 6
    assert agreement.claim(loaded, "bo", share=1.0, per_flag=2) == 6
    assert agreement.claim(loaded, "sue", share=1.0, per_flag=2) == 0  # two each already
    for f in flags:
        assert agreement.record_second_opinion(loaded, AL, f.flag_id, "confirm").ok
        bo = SignedInUser("bo", "auditor")
        reason = reasons_for([f.category])[0]
        assert agreement.record_second_opinion(loaded, bo, f.flag_id, "dismiss", reason).ok
    overall = agreement.agreement_table(agreement.pairs(loaded))[-1]
    assert (overall.pairs, overall.units, overall.raters_max) == (12, 6, 3)
    # every unit is (c, c, d): alpha = 1 - (n-1) D_o / D_e with n = 18, n_c = 12, n_d = 6,
    # o_cd + o_dc = 6 * 2 = 12  ->  1 - 17 * 12 / (2 * 12 * 6) = -5/12 (worse than chance)
    assert overall.alpha == pytest.approx(1 - 17 * 12 / 144)


def test_second_opinion_only_by_the_routed_auditor(loaded) -> None:
    flag = _flag(loaded, "sent to his room")
    record_decision(loaded, flag.flag_id, "confirmed", "ann", 0)
    assert not agreement.record_second_opinion(loaded, AL, flag.flag_id, "confirm").ok
    agreement.claim(loaded, "al", share=1.0)
    assert not agreement.record_second_opinion(loaded, SUE, flag.flag_id, "confirm").ok
    assert agreement.record_second_opinion(loaded, AL, flag.flag_id, "confirm").ok
    again = agreement.record_second_opinion(loaded, AL, flag.flag_id, "dismiss", "wrong person")
    assert not again.ok and "already" in again.message


def test_adjudication_is_an_appended_decision(loaded) -> None:
    flag = _flag(loaded, "sent to his room")
    record_decision(loaded, flag.flag_id, "confirmed", "ann", 0)
    agreement.claim(loaded, "al", share=1.0)
    agreement.record_second_opinion(loaded, AL, flag.flag_id, "dismiss", "not a restriction")
    assert len(agreement.disagreements(loaded)) == 1
    assert not agreement.adjudicate(loaded, ANN, flag.flag_id, 1, "dismiss", "wrong person").ok
    outcome = agreement.adjudicate(
        loaded, SUE, flag.flag_id, 1, "dismiss", "not a restriction", "agreed at huddle"
    )
    assert outcome.ok, outcome.message
    history = decision_history(loaded, flag.flag_id)
    assert [(d.reviewer, d.decision, d.previous_state) for d in history] == [
        ("ann", "confirmed", "open"),
        ("sue", "dismissed", "confirmed"),
    ]
    assert history[-1].comment == "adjudicated: agreed at huddle"
    assert agreement.disagreements(loaded) == []
    assert integrity_check(loaded) == []
    with Session(loaded) as s:
        [adj] = s.scalars(select(Adjudication)).all()
        assert (adj.flag_id, adj.decision_sequence, adj.adjudicator) == (flag.flag_id, 2, "sue")
    # the opinions and the adjudication marker cannot be changed or removed
    for sql in (
        "UPDATE second_opinions SET decision = 'confirmed'",
        "DELETE FROM second_opinions",
        "UPDATE adjudications SET adjudicator = 'x'",
        "DELETE FROM adjudications",
    ):
        with pytest.raises(DBAPIError, match="append-only"), loaded.begin() as conn:
            conn.execute(text(sql))
    with Session(loaded) as s:
        assert len(s.scalars(select(SecondOpinion)).all()) == 1


def test_sampling_is_stable_and_grows_with_the_share() -> None:
    ids = [f"F-{i:04d}" for i in range(2000)]
    ten = {i for i in ids if agreement.sampled(i, 0.10)}
    twenty = {i for i in ids if agreement.sampled(i, 0.20)}
    assert ten <= twenty
    assert 150 < len(ten) < 250


# --- small pieces -----------------------------------------------------------------------------


def test_wilson_interval() -> None:
    lo, hi = wilson(5, 7)
    assert (round(lo, 3), round(hi, 3)) == (0.359, 0.918)
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_key_script_is_local_and_maps_the_keys() -> None:
    html = key_script({"accept": "a", "reject": "r", "skip": "i", "undo": "u"}, "k</script>")
    assert '"a": "card_accept"' in html and '"u": "card_undo"' in html
    assert "http" not in html and "</script>" not in html[:-9]


def test_settings_validate_keys(loaded) -> None:
    with pytest.raises(settings.SettingsError):
        settings.save(loaded, "ada", keys={"accept": "a", "reject": "a", "skip": "i", "undo": "u"})
    with pytest.raises(settings.SettingsError):
        settings.save(loaded, "ada", keys={"accept": "1", "reject": "r", "skip": "i", "undo": "u"})
    saved = settings.save(
        loaded, "ada", keys={"accept": "Y", "reject": "n", "skip": "s", "undo": "z"}
    )
    assert saved.keys == {"accept": "y", "reject": "n", "skip": "s", "undo": "z"}
    assert settings.load(loaded).second_opinion_share == pytest.approx(0.10)


def test_role_like_authors(loaded) -> None:
    assert role_like_authors(loaded) == []  # Dana Kerr, Sam Oyelaran, Priya Natt are people
