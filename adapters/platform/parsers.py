"""`StrictJSONParser`: DRF's JSON parser that also refuses what no view should see.

Text no database can store (lone surrogates: `"\\ud800"` is valid JSON but not UTF-8;
NUL characters, which PostgreSQL refuses in text) and nesting deeper than `MAX_DEPTH`
(or deep enough to exhaust Python's recursion). Each is the usual 400 `parse-error`,
before any serializer or use case runs.

Not in limits.py: DRF imports its parser classes while `rest_framework.views` loads,
so this module imports nothing of the project's.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32  # no request shape nests more than three levels


class StrictJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        problem = _unstorable(data)
        if problem:
            raise ParseError(f"JSON parse error - {problem}")
        return data


def unstorable_text(value: str) -> str | None:
    """Why no database stores this string (a NUL, a lone surrogate), or None."""
    if "\x00" in value:
        return "a string holds a NUL character (\\u0000)."
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a string holds a lone surrogate, which is not Unicode text."
    return None


def _unstorable(data: Any) -> str | None:
    """Why `data` cannot be taken in (a string no database stores, or too deep), or None."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels."
        if isinstance(value, str):
            if why := unstorable_text(value):
                return why
        elif isinstance(value, dict):
            pending.extend((item, depth + 1) for item in (*value.keys(), *value.values()))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return None
