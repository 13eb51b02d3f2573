"""What handlers answer: a Reply (JSON, SSE events, raw bytes or nothing) or an ApiError."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .versions import error_code_for

__all__ = ["ApiError", "Reply", "error_payload", "listing", "page_of"]

T = TypeVar("T")


class ApiError(Exception):
    """Raised by handlers; the dispatcher turns it into the spec's error body."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


@dataclass
class Reply:
    """What a handler answers: a JSON payload, an SSE event list, or nothing."""

    status: int = 200
    payload: Any = None
    events: list[dict[str, Any]] | None = None
    done_marker: bool = False
    raw: bytes | None = None
    content_type: str = "application/json"
    empty: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def error_payload(status: int, message: str, code: str | None, version: str, basic: bool) -> Any:
    if basic:
        return {"message": message}
    return {
        "error": {"code": code or error_code_for(status, version), "message": message},
        "status": status,
    }


def page_of(
    items: list[T],
    seq: Callable[[T], int],
    query: Mapping[str, str],
    *,
    default: int,
    maximum: int,
) -> tuple[list[T], str | None]:
    """One page of `items` (ordered by `seq`) per the `limit` and `pagination_token` params."""
    limit = default
    if "limit" in query:
        try:
            limit = int(query["limit"])
        except ValueError:
            raise ApiError(400, f"limit must be an integer, got {query['limit']!r}") from None
        if not 1 <= limit <= maximum:
            raise ApiError(400, f"limit must be between 1 and {maximum}, got {limit}")
    after = 0
    token = query.get("pagination_token")
    if token:
        try:
            kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            after = int(number)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Invalid pagination token") from None
        if kind != "after":
            raise ApiError(400, "Invalid pagination token")
    rest = [item for item in items if seq(item) > after]
    page = rest[:limit]
    if len(rest) > limit:
        marker = f"after:{seq(page[-1])}".encode()
        return page, base64.urlsafe_b64encode(marker).decode()
    return page, None


def listing(key: str, items: list[Any], next_token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {key: items}
    if next_token is not None:
        body["pagination"] = {"next": next_token}
    return body
