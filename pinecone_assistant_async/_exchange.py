"""The two ends of one request, as plain values: the options and JSON body sent, the response
read whole.

Kept apart from ``_transport`` (which sends them) so that both stay small.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from ._retries import Replay
from ._validation import check_wire_text

__all__ = ["BodyFactory", "RawResponse", "RequestOptions", "json_bytes"]

BodyFactory = Callable[[], Awaitable[Any]]
"""Builds a fresh request body for each attempt (raises if the body cannot be sent again)."""


class RequestOptions(TypedDict, total=False):
    """The keyword options of ``Transport.request``, so ``request_model`` can pass them on typed."""

    params: Mapping[str, str] | None
    json_body: Any
    encoded: bytes | None
    body: BodyFactory | None
    replay: Replay
    timeout: float | None
    assistant: str | None


def json_bytes(value: Any) -> bytes:
    """A JSON body as compact UTF-8 (a lone surrogate anywhere in it is refused before sending).

    pydantic-core's encoder writes the same bytes as ``json.dumps(value, separators=(",",
    ":"), ensure_ascii=False)`` for the plain JSON values the services build, in a sixth of
    the time; whatever it refuses (a lone surrogate, a value JSON has no form for) goes
    through ``json.dumps``, which says precisely what and where.
    """
    try:
        encoded: bytes = _pydantic_to_json()(value)
    except ValueError:  # PydanticSerializationError
        pass
    else:
        return encoded
    return check_wire_text(
        json.dumps(value, separators=(",", ":"), ensure_ascii=False), "the request body"
    )


@functools.cache
def _pydantic_to_json() -> Callable[[Any], bytes]:
    # loaded by the first request with a body, not by the first client
    from pydantic_core import to_json

    return to_json


@dataclass(frozen=True)
class RawResponse:
    """A successful response, read whole; ``attempts`` counts the requests it took."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int = 1
