"""What the review buttons do, without Streamlit: queue order and decision submission."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from review_app.auth import SignedInUser
from review_app.store import DISMISS_REASONS, DecisionConflict, FlagView, record_decision

ACTIONS: dict[str, str] = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "reopened"}


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    kind: str  # streamlit message kind: success | error | warning
    message: str


def order_queue(
    flags: Sequence[FlagView], statuses: Sequence[str], skipped: Sequence[str]
) -> list[FlagView]:
    """Flags in the chosen states; skipped ones go to the back, in the order skipped."""
    chosen = [f for f in flags if not statuses or f.status in statuses]
    rank = {fid: i for i, fid in enumerate(skipped)}
    return sorted(chosen, key=lambda f: (f.flag_id in rank, rank.get(f.flag_id, 0)))


def submit(
    engine: Engine,
    user: SignedInUser,
    flag_id: str,
    seen_sequence: int,
    action: str,
    reason: str | None = None,
    comment: str = "",
) -> Outcome:
    """Record ``action`` on the version of the flag the reviewer saw; never overwrites."""
    if not user.may_decide:
        return Outcome(False, "error", f"Your role ({user.role}) cannot decide flags.")
    if action not in ACTIONS:
        return Outcome(False, "error", f"Unknown action {action!r}.")
    if action == "dismiss":
        if reason not in DISMISS_REASONS:
            return Outcome(False, "warning", "Choose a dismiss reason first.")
        if reason == "other" and not comment.strip():
            return Outcome(False, "warning", "Say why in the comment when the reason is 'other'.")
    try:
        rec = record_decision(
            engine,
            flag_id,
            ACTIONS[action],
            user.username,
            seen_sequence,
            reason=reason or "",
            comment=comment,
        )
    except DecisionConflict as exc:
        return Outcome(False, "error", str(exc))
    except (KeyError, ValueError) as exc:
        return Outcome(False, "error", str(exc).strip("'\""))
    what = {
        "confirmed": "Confirmed",
        "dismissed": f"Dismissed ({rec.reason})",
        "reopened": "Reopened",
    }
    return Outcome(
        True, "success", f"{what[rec.decision]}: flag {flag_id} (decision #{rec.sequence})."
    )
