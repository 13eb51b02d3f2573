"""The two ends of one request, as plain values: the JSON body sent, the response read whole.

Kept apart from ``_transport`` (which sends them) so that both stay small.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._validation import check_wire_text

__all__ = ["RawResponse", "json_bytes"]


def json_bytes(value: Any) -> bytes:
    """A JSON body as UTF-8 (a lone surrogate anywhere in it is refused before sending)."""
    return check_wire_text(
        json.dumps(value, separators=(",", ":"), ensure_ascii=False), "the request body"
    )


@dataclass(frozen=True)
class RawResponse:
    """A successful response, read whole; ``attempts`` counts the requests it took."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int = 1
