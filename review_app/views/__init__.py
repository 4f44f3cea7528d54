"""One module per page; each has ``render(engine, user)`` and no business logic."""

from __future__ import annotations

from types import ModuleType

from review_app.views import (
    adjudication,
    admin,
    auditor,
    dashboard,
    second_opinion,
    supervisor,
    trainer,
)

VIEWS: dict[str, ModuleType] = {
    "Queue": auditor,
    "Second opinions": second_opinion,
    "Adjudication": adjudication,
    "Supervision": supervisor,
    "Teaching examples": trainer,
    "Dashboard": dashboard,
    "Import": admin,
}
