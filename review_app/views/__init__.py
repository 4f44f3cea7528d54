"""One module per page; each has ``render(engine, user)`` and no business logic."""

from __future__ import annotations

from types import ModuleType

from review_app.views import admin, auditor, dashboard, supervisor, trainer

VIEWS: dict[str, ModuleType] = {
    "Queue": auditor,
    "Supervision": supervisor,
    "Teaching examples": trainer,
    "Dashboard": dashboard,
    "Import": admin,
}
