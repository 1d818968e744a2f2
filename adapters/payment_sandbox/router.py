"""The sandbox provider keeps its tables in a database of its own (`sandbox`), as an
outside system would: Portside's transactions and locks never touch them."""

from typing import Any

DATABASE = "sandbox"
APP_LABEL = "payment_sandbox"


class SandboxRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return DATABASE if model._meta.app_label == APP_LABEL else None  # type: ignore[attr-defined]

    db_for_write = db_for_read

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        labels = {obj1._meta.app_label, obj2._meta.app_label}
        return None if labels == {APP_LABEL} or APP_LABEL not in labels else False

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label == APP_LABEL:
            return db == DATABASE
        return None if db != DATABASE else db == "default"
