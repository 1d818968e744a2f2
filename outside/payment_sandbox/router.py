"""The sandbox provider keeps its tables in a database of its own (`sandbox`), as an
outside system would: Portside's transactions and locks never touch them."""

from typing import Any

from django.db import connections

DATABASE = "sandbox"
APP_LABEL = "payment_sandbox"


def is_sandbox_database(alias: str) -> bool:
    """True when `alias` reaches the very database the sandbox uses under another name.

    The sandbox may share Portside's PostgreSQL database. Django records a migration as
    applied in that database's one `django_migrations` table even where a router skips
    it, so whichever alias migrates first must create the sandbox's tables too. While
    the test runner builds the shared test database under `default`, the `sandbox` alias
    still names the real database: its test database's name counts as well.
    """
    sandbox = connections[DATABASE]
    ours, theirs = sandbox.settings_dict, connections[alias].settings_dict
    where = (theirs["HOST"], theirs["PORT"], theirs["ENGINE"], theirs["NAME"])
    return where in {
        (ours["HOST"], ours["PORT"], ours["ENGINE"], ours["NAME"]),
        sandbox.creation.test_db_signature(),
    }


class SandboxRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return DATABASE if model._meta.app_label == APP_LABEL else None  # type: ignore[attr-defined]

    db_for_write = db_for_read

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        labels = {obj1._meta.app_label, obj2._meta.app_label}
        return None if labels == {APP_LABEL} or APP_LABEL not in labels else False

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label == APP_LABEL:
            return db == DATABASE or is_sandbox_database(db)
        return None if db != DATABASE else db == "default"
