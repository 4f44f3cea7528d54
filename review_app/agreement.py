"""Blind second opinions, agreement (Cohen's κ, Krippendorff's α) and adjudication.

A configurable share of decided flags (default 10 %, chosen by a hash of the flag id,
so the sample is stable and grows when the share grows) is routed to a second auditor
who never decided the flag. The second auditor sees the card only: no state, no
history, no first decision (``cards.load_card(viewer=...)`` masks it everywhere in the
app while the opinion is owed). Opinions live in their own append-only table; the flag's
state stays its latest decision. Where first and second differ, a lead (supervisor or
admin) settles it with an ordinary appended decision, marked in ``adjudications``.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_app.actions import REASONS_BY_CATEGORY, Outcome
from review_app.auth import SignedInUser
from review_app.store import (
    DISMISS_REASONS,
    Adjudication,
    Assignment,
    Decision,
    DecisionConflict,
    FlagRow,
    FlagState,
    SecondOpinion,
    User,
    now_utc,
    record_decision,
    state_after,
    write_session,
)

LEAD_ROLES = frozenset({"supervisor", "admin"})
SECOND_OPINION_ROLES = frozenset({"auditor", "admin"})
DEFAULT_SHARE = 0.10
MIN_PAIRS = 5  # fewer pairs than this: counts only, no coefficient


def sampled(flag_id: str, share: float) -> bool:
    """Whether ``flag_id`` is in the second-opinion sample for ``share`` (0–1)."""
    bucket = int(hashlib.sha256(flag_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < share


# --- routing ------------------------------------------------------------------------------


def claim(engine: Engine, reviewer: str, share: float, limit: int = 20, per_flag: int = 1) -> int:
    """Route up to ``limit`` sampled, decided flags to ``reviewer``; returns how many.

    A flag goes to at most ``per_flag`` second reviewers, never to anyone who decided
    it. Reads the decided flags (``flag_state``), not the whole store.
    """
    if share <= 0:
        return 0
    with Session(engine) as s:
        pending = s.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.reviewer == reviewer,
                Assignment.flag_id.not_in(
                    select(SecondOpinion.flag_id).where(SecondOpinion.reviewer == reviewer)
                ),
            )
        )
        room = limit - int(pending or 0)
        if room <= 0:
            return 0
        mine = select(Decision.flag_id).where(Decision.reviewer == reviewer)
        taken = (
            select(Assignment.flag_id)
            .group_by(Assignment.flag_id)
            .having(func.count() >= per_flag)
            .union(select(Assignment.flag_id).where(Assignment.reviewer == reviewer))
        )
        candidates = s.scalars(
            select(FlagState.flag_id)
            .where(
                FlagState.status.in_(("confirmed", "dismissed")),
                FlagState.flag_id.not_in(mine),
                FlagState.flag_id.not_in(taken),
            )
            .order_by(FlagState.decided_at, FlagState.flag_id)
        ).all()
    picked = [f for f in candidates if sampled(f, share)][:room]
    added = 0
    for flag_id in picked:
        try:
            with write_session(engine) as s, s.begin():
                s.add(Assignment(flag_id=flag_id, reviewer=reviewer, assigned_at=now_utc()))
            added += 1
        except IntegrityError:
            continue
    return added


def pending(engine: Engine, reviewer: str) -> list[str]:
    """Flag ids routed to ``reviewer`` whose second opinion is still owed, oldest first."""
    with Session(engine) as s:
        given = select(SecondOpinion.flag_id).where(SecondOpinion.reviewer == reviewer)
        return list(
            s.scalars(
                select(Assignment.flag_id)
                .where(Assignment.reviewer == reviewer, Assignment.flag_id.not_in(given))
                .order_by(Assignment.assigned_at, Assignment.id)
            )
        )


def record_second_opinion(
    engine: Engine,
    user: SignedInUser,
    flag_id: str,
    action: str,
    reason: str | None = None,
    comment: str = "",
) -> Outcome:
    """Store a blind second opinion (confirm / dismiss) on a flag routed to ``user``."""
    if user.role not in SECOND_OPINION_ROLES:
        return Outcome(False, "error", f"Your role ({user.role}) cannot give second opinions.")
    if action not in ("confirm", "dismiss"):
        return Outcome(False, "error", f"Unknown action {action!r}.")
    decision = "confirmed" if action == "confirm" else "dismissed"
    with Session(engine) as s:
        flag = s.get(FlagRow, flag_id)
        state = s.get(FlagState, flag_id)
        assigned = s.scalar(
            select(Assignment.id).where(
                Assignment.flag_id == flag_id, Assignment.reviewer == user.username
            )
        )
        decided_it = s.scalar(
            select(Decision.id).where(
                Decision.flag_id == flag_id, Decision.reviewer == user.username
            )
        )
    if flag is None or not assigned:
        return Outcome(False, "error", f"Flag {flag_id} is not routed to you.")
    if decided_it:
        return Outcome(False, "error", "You decided this flag: your opinion is not a second one.")
    if state is None or state.status not in ("confirmed", "dismissed"):
        return Outcome(False, "warning", "The flag was reopened; it has no first decision now.")
    if decision == "dismissed":
        allowed = REASONS_BY_CATEGORY.get(flag.category, DISMISS_REASONS)
        if reason not in allowed:
            return Outcome(False, "warning", "Choose why first, then reject.")
        if reason == "other" and not comment.strip():
            return Outcome(False, "warning", "Say why in the comment when the reason is “other”.")
    try:
        with write_session(engine) as s, s.begin():
            s.add(
                SecondOpinion(
                    flag_id=flag_id,
                    reviewer=user.username,
                    decision=decision,
                    reason=reason or "" if decision == "dismissed" else "",
                    comment=comment.strip(),
                    first_sequence=state.sequence,
                    decided_at=now_utc(),
                )
            )
    except IntegrityError:
        return Outcome(False, "error", f"You already gave a second opinion on flag {flag_id}.")
    return Outcome(True, "success", "Second opinion saved.")


# --- pairs and coefficients -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    """A first decision and a blind second opinion on one flag."""

    flag_id: str
    category: str
    first_reviewer: str
    first: str
    second_reviewer: str
    second: str
    second_reason: str
    first_reason: str
    first_sequence: int

    @property
    def agree(self) -> bool:
        return self.first == self.second


def pairs(engine: Engine) -> list[Pair]:
    """Every second opinion with the decision it is compared with."""
    q = (
        select(
            SecondOpinion.flag_id,
            FlagRow.category,
            Decision.reviewer,
            Decision.decision,
            Decision.reason,
            SecondOpinion.reviewer,
            SecondOpinion.decision,
            SecondOpinion.reason,
            SecondOpinion.first_sequence,
        )
        .join(FlagRow, FlagRow.flag_id == SecondOpinion.flag_id)
        .join(
            Decision,
            and_(
                Decision.flag_id == SecondOpinion.flag_id,
                Decision.sequence == SecondOpinion.first_sequence,
            ),
        )
        .order_by(SecondOpinion.id)
    )
    with Session(engine) as s:
        rows = s.execute(q).all()
    return [
        Pair(fid, cat, r1, state_after(d1), r2, d2, reason2 or "", reason1 or "", seq)
        for fid, cat, r1, d1, reason1, r2, d2, reason2, seq in rows
        if state_after(d1) in ("confirmed", "dismissed")
    ]


def cohens_kappa(labels: Iterable[tuple[str, str]]) -> float | None:
    """Cohen's κ for (rater 1, rater 2) label pairs; None when undefined (no pairs, pe = 1)."""
    items = list(labels)
    n = len(items)
    if n == 0:
        return None
    po = sum(a == b for a, b in items) / n
    first, second = Counter(a for a, _ in items), Counter(b for _, b in items)
    pe = sum(first[c] * second[c] for c in set(first) | set(second)) / (n * n)
    if math.isclose(pe, 1.0):
        return None
    return (po - pe) / (1 - pe)


def krippendorff_alpha(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's α for nominal labels; each unit lists the labels its raters gave.

    Units with fewer than two labels are not pairable and are left out. None when
    undefined (fewer than two pairable values, or one value only).
    """
    coincidence: Counter[tuple[str, str]] = Counter()
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        for i, a in enumerate(unit):
            for j, b in enumerate(unit):
                if i != j:
                    coincidence[(a, b)] += 1 / (m - 1)
    n = sum(coincidence.values())
    if n <= 1:
        return None
    totals: Counter[str] = Counter()
    for (a, _), v in coincidence.items():
        totals[a] += v
    observed = sum(v for (a, b), v in coincidence.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n - 1)
    if expected == 0:
        return None
    return 1 - observed / expected


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement of one category (or all): counts and coefficients."""

    category: str
    pairs: int
    agreed: int
    kappa: float | None
    units: int
    raters_max: int
    alpha: float | None

    @property
    def observed(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None


def agreement_table(all_pairs: Sequence[Pair]) -> list[Agreement]:
    """κ per category and overall (first vs second), α over every rating of each flag."""
    out = []
    categories = sorted({p.category for p in all_pairs})
    for category in [*categories, "all"]:
        chosen = [p for p in all_pairs if category in ("all", p.category)]
        units: dict[str, dict[str, str]] = {}
        for p in chosen:
            unit = units.setdefault(p.flag_id, {})
            unit.setdefault(p.first_reviewer, p.first)
            unit[p.second_reviewer] = p.second
        kappa = cohens_kappa((p.first, p.second) for p in chosen)
        alpha = krippendorff_alpha(list(u.values()) for u in units.values())
        out.append(
            Agreement(
                category=category,
                pairs=len(chosen),
                agreed=sum(p.agree for p in chosen),
                kappa=kappa if len(chosen) >= MIN_PAIRS else None,
                units=len(units),
                raters_max=max((len(u) for u in units.values()), default=0),
                alpha=alpha if len(chosen) >= MIN_PAIRS else None,
            )
        )
    return out


# --- adjudication ---------------------------------------------------------------------------


def disagreements(engine: Engine) -> list[Pair]:
    """Pairs whose first and second opinion differ and that no lead has settled yet."""
    with Session(engine) as s:
        settled = {
            (fid, seq)
            for fid, seq in s.execute(select(Adjudication.flag_id, Adjudication.decision_sequence))
        }
    settled_flags: dict[str, int] = {}
    for fid, seq in settled:
        settled_flags[fid] = max(seq, settled_flags.get(fid, 0))
    return [
        p
        for p in pairs(engine)
        if not p.agree and settled_flags.get(p.flag_id, 0) <= p.first_sequence
    ]


def adjudicate(
    engine: Engine,
    user: SignedInUser,
    flag_id: str,
    seen_sequence: int,
    action: str,
    reason: str | None = None,
    comment: str = "",
) -> Outcome:
    """Settle a disagreement: an ordinary appended decision, marked as an adjudication."""
    if user.role not in LEAD_ROLES:
        return Outcome(False, "error", f"Your role ({user.role}) cannot settle disagreements.")
    if action not in ("confirm", "dismiss"):
        return Outcome(False, "error", f"Unknown action {action!r}.")
    with Session(engine) as s:
        flag = s.get(FlagRow, flag_id)
    if flag is None:
        return Outcome(False, "error", f"No flag {flag_id}.")
    if action == "dismiss":
        allowed = REASONS_BY_CATEGORY.get(flag.category, DISMISS_REASONS)
        if reason not in allowed:
            return Outcome(False, "warning", "Choose why first, then dismiss.")
        if reason == "other" and not comment.strip():
            return Outcome(False, "warning", "Say why in the comment when the reason is “other”.")
    note = ("adjudicated: " + comment.strip()).strip()
    try:
        rec = record_decision(
            engine,
            flag_id,
            "confirmed" if action == "confirm" else "dismissed",
            user.username,
            seen_sequence,
            reason=reason or "" if action == "dismiss" else "",
            comment=note,
        )
    except DecisionConflict as exc:
        return Outcome(False, "error", str(exc))
    with write_session(engine) as s, s.begin():
        s.add(
            Adjudication(
                flag_id=flag_id,
                decision_sequence=rec.sequence,
                adjudicator=user.username,
                decided_at=rec.decided_at,
            )
        )
    return Outcome(
        True, "success", f"Settled: flag {flag_id} {rec.decision} (decision #{rec.sequence})."
    )


def routing_counts(engine: Engine) -> dict[str, int]:
    """Routed, answered and adjudicated counts for the dashboard."""
    with Session(engine) as s:
        return {
            "routed": int(s.scalar(select(func.count()).select_from(Assignment)) or 0),
            "answered": int(s.scalar(select(func.count()).select_from(SecondOpinion)) or 0),
            "adjudicated": int(s.scalar(select(func.count()).select_from(Adjudication)) or 0),
            "auditors": int(
                s.scalar(
                    select(func.count())
                    .select_from(User)
                    .where(User.role.in_(SECOND_OPINION_ROLES), User.active.is_(True))
                )
                or 0
            ),
        }
