"""Checks every API test makes of a problem-details response (RFC 9457)."""

from typing import Any

from adapters.api.problems import PROBLEM_JSON


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """The response is the problem `slug` with `status`; its body, to check further."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"]
    assert "detail" in body
    return body


def pointers(body: dict[str, Any]) -> list[str]:
    """The JSON pointers of a validation problem's errors, in order."""
    return [error["pointer"] for error in body.get("errors", [])]
