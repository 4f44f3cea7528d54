"""Review settings kept in the store: shortcut keys and the second-opinion share."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from review_app.store import Setting, now_utc, write_session

# Actions a key can trigger, with the default single keys (as in Prodigy: accept,
# reject, ignore, undo). Number keys 1–9 pick a dismiss reason; they are fixed.
MAX_SECOND_OPINIONS = 3
DEFAULT_KEYS: dict[str, str] = {"accept": "a", "reject": "r", "skip": "i", "undo": "u"}
KEY_LABELS: dict[str, str] = {
    "accept": "accept",
    "reject": "reject",
    "skip": "skip (ignore)",
    "undo": "undo",
}


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    second_opinion_share: float = 0.10
    second_opinions_per_flag: int = 1  # blind reviewers after the first (2+: α over 3+)

    def key_list(self, actions: Sequence[str] = tuple(DEFAULT_KEYS)) -> str:
        """'a accept · r reject · 1–9 reason · i skip (ignore) · u undo' (for ``actions``)."""
        parts = [f"{self.keys[a]} {KEY_LABELS[a]}" for a in ("accept", "reject") if a in actions]
        if "reject" in actions:
            parts.append("1–9 reason")
        parts += [f"{self.keys[a]} {KEY_LABELS[a]}" for a in ("skip", "undo") if a in actions]
        return " · ".join(parts)


class SettingsError(ValueError):
    """A setting value was refused."""


def check_keys(keys: dict[str, str]) -> dict[str, str]:
    """Lower-case single letters, one per action, all different."""
    out = {}
    for action in DEFAULT_KEYS:
        key = (keys.get(action) or "").strip().lower()
        if len(key) != 1 or not key.isalpha():
            raise SettingsError(f"the key for {action} must be one letter, not {key!r}")
        out[action] = key
    if len(set(out.values())) != len(out):
        raise SettingsError("each action needs its own key")
    return out


def load(engine: Engine) -> ReviewSettings:
    with Session(engine) as s:
        values = {k: v for k, v in s.execute(select(Setting.key, Setting.value))}
    settings = ReviewSettings()
    if "keys" in values:
        with contextlib.suppress(ValueError, TypeError):
            settings = replace(settings, keys=check_keys(json.loads(values["keys"])))
    if "second_opinion_share" in values:
        try:
            share = float(values["second_opinion_share"])
        except ValueError:
            share = settings.second_opinion_share
        settings = replace(settings, second_opinion_share=min(1.0, max(0.0, share)))
    if "second_opinions_per_flag" in values:
        with contextlib.suppress(ValueError):
            count = min(MAX_SECOND_OPINIONS, max(1, int(values["second_opinions_per_flag"])))
            settings = replace(settings, second_opinions_per_flag=count)
    return settings


def save(engine: Engine, user: str, **changes: object) -> ReviewSettings:
    """Store ``keys``, ``second_opinion_share``, ``second_opinions_per_flag``.

    Raises :class:`SettingsError` for a value it refuses.
    """
    values: dict[str, str] = {}
    if "keys" in changes:
        values["keys"] = json.dumps(check_keys(dict(changes["keys"])))  # type: ignore[call-overload]
    if "second_opinion_share" in changes:
        share = float(changes["second_opinion_share"])  # type: ignore[arg-type]
        if not 0.0 <= share <= 1.0:
            raise SettingsError("the second-opinion share must be between 0 and 1")
        values["second_opinion_share"] = str(share)
    if "second_opinions_per_flag" in changes:
        count = int(changes["second_opinions_per_flag"])  # type: ignore[call-overload]
        if not 1 <= count <= MAX_SECOND_OPINIONS:
            raise SettingsError(
                f"second opinions per flag must be between 1 and {MAX_SECOND_OPINIONS}"
            )
        values["second_opinions_per_flag"] = str(count)
    with write_session(engine) as s, s.begin():
        for key, value in values.items():
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=value, updated_by=user, updated_at=now_utc()))
            else:
                row.value, row.updated_by, row.updated_at = value, user, now_utc()
    return load(engine)
