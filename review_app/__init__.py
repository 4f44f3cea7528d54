"""careaudit review app: store, import, review views, exports (see docs/review_app.md)."""
