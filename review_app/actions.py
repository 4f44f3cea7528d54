"""What the review buttons do, without Streamlit: decisions on cards, undo, reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from review_app.auth import SignedInUser
from review_app.store import (
    DISMISS_REASONS,
    DecisionConflict,
    FlagView,
    decision_history,
    record_decision,
)

ACTIONS: dict[str, str] = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "reopened"}


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    kind: str  # streamlit message kind: success | error | warning
    message: str


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


# --- cards: decide every flag on a sentence at once or one by one; undo -------------------

REASONS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "doing_for": ("not doing-for in context", "wrong person", "other"),
    "unrecorded_restriction": (
        "authorised elsewhere",
        "not a restriction",
        "wrong person",
        "other",
    ),
    "missing_rationale": (
        "rationale given elsewhere",
        "not a decision or intervention",
        "wrong person",
        "other",
    ),
    "plan_gap": ("element present in the plan", "not a restriction", "other"),
}


def reasons_for(categories: Sequence[str]) -> list[str]:
    """Dismiss reasons that fit any of ``categories``, in category order, "other" last."""
    out: list[str] = []
    for category in categories:
        out += [r for r in REASONS_BY_CATEGORY.get(category, DISMISS_REASONS) if r not in out]
    return [r for r in out if r != "other"] + (["other"] if "other" in out else [])


@dataclass(frozen=True, slots=True)
class Batch:
    """Decisions made by one key press: (flag_id, sequence) pairs, for undo."""

    card: str
    decisions: tuple[tuple[str, int], ...]


def check_dismissal(flags: Sequence[FlagView], reason: str | None, comment: str) -> str:
    """Why this dismissal cannot be recorded ('' when it can)."""
    if not reason:
        return "Choose why first (number keys pick a reason), then reject."
    for f in flags:
        allowed = REASONS_BY_CATEGORY.get(f.category, DISMISS_REASONS)
        if reason not in allowed:
            return (
                f"“{reason}” does not fit a {f.category.replace('_', ' ')} flag: "
                "reject that flag on its own with a reason that fits."
            )
    if reason == "other" and not comment.strip():
        return "Say why in the comment when the reason is “other”."
    return ""


def decide_flags(
    engine: Engine,
    user: SignedInUser,
    card: str,
    flags: Sequence[FlagView],
    action: str,
    reason: str | None = None,
    comment: str = "",
) -> tuple[Outcome, Batch | None]:
    """Confirm or dismiss ``flags`` (the versions on screen); each is its own decision.

    Flags already in that state, and flags whose state is hidden from this reviewer
    (a blind second opinion is owed), are left alone; so are flags the dismiss reason
    does not fit (a mixed card: they stay on it, and the message says so). Returns the
    outcome and the batch of decisions made (for undo). A conflict on one flag does not
    stop the others; it is reported and nothing is overwritten.
    """
    if not user.may_decide:
        return Outcome(False, "error", f"Your role ({user.role}) cannot decide flags."), None
    if action not in ("confirm", "dismiss"):
        return Outcome(False, "error", f"Unknown action {action!r}."), None
    wanted = ACTIONS[action]
    targets = [f for f in flags if f.status in ("open", "confirmed", "dismissed")]
    targets = [f for f in targets if f.status != wanted]
    if not targets:
        return Outcome(False, "warning", f"Nothing to change: already {wanted}."), None
    left: list[FlagView] = []
    if action == "dismiss":
        fits = [f for f in targets if not check_dismissal([f], reason, comment)]
        if not fits:
            return Outcome(False, "warning", check_dismissal(targets, reason, comment)), None
        # a mixed card: dismiss the flags the reason fits, leave the others on the card
        left = [f for f in targets if f not in fits]
        targets = fits
    done: list[tuple[str, int]] = []
    errors: list[str] = []
    for f in targets:
        try:
            rec = record_decision(
                engine,
                f.flag_id,
                ACTIONS[action],
                user.username,
                f.sequence,
                reason=reason or "" if action == "dismiss" else "",
                comment=comment,
            )
        except DecisionConflict as exc:
            errors.append(str(exc))
            continue
        except (KeyError, ValueError) as exc:
            errors.append(str(exc).strip("'\""))
            continue
        done.append((f.flag_id, rec.sequence))
    batch = Batch(card, tuple(done)) if done else None
    verb = "Confirmed" if action == "confirm" else f"Dismissed ({reason})"
    text = f"{verb} {len(done)} flag{'s' if len(done) != 1 else ''}." if done else ""
    if errors:
        return Outcome(bool(done), "error", " ".join([text, *errors]).strip()), batch
    if left:
        kinds = sorted({f.category.replace("_", " ") for f in left})
        return Outcome(
            True,
            "warning",
            f"{text} “{reason}” does not fit the {' and '.join(kinds)} flag"
            f"{'s' if len(left) > 1 else ''} on this card: choose a reason for "
            f"{'them' if len(left) > 1 else 'it'} and reject again, or accept.",
        ), batch
    return Outcome(True, "success", text), batch


def undo(engine: Engine, user: SignedInUser, batch: Batch) -> Outcome:
    """Restore the state before ``batch`` by appending one decision per flag.

    The restoring decision is ``reopened`` when the flag was open before, else the
    earlier decision again (same reason), with the comment "undo of decision #n".
    A flag someone else decided since is left alone and reported.
    """
    if not user.may_decide:
        return Outcome(False, "error", f"Your role ({user.role}) cannot decide flags.")
    restored, errors = 0, []
    for flag_id, sequence in batch.decisions:
        history = decision_history(engine, flag_id)
        if not history or history[-1].sequence != sequence:
            latest = history[-1] if history else None
            errors.append(
                str(DecisionConflict(flag_id, sequence, latest)).replace(
                    "Your decision was not saved", "The undo was not saved"
                )
            )
            continue
        undone = history[-1]
        before = next((d for d in history if d.sequence == sequence - 1), None)
        decision = (
            "reopened" if undone.previous_state == "open" or before is None else before.decision
        )
        try:
            record_decision(
                engine,
                flag_id,
                decision,
                user.username,
                sequence,
                reason=before.reason if before and decision == "dismissed" else "",
                comment=f"undo of decision #{sequence}",
            )
        except DecisionConflict as exc:
            errors.append(str(exc))
            continue
        restored += 1
    text = (
        f"Undone: {restored} decision{'s' if restored != 1 else ''} restored." if restored else ""
    )
    if errors:
        return Outcome(bool(restored), "error", " ".join([text, *errors]).strip())
    return Outcome(True, "success", text)
