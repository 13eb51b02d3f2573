"""Checks on caller input, run before any request is sent.

Every failure is an ``InvalidInputError`` (a ``ValueError``) or ``InvalidTypeError`` (a
``TypeError``) naming the argument and the rule, so a bad call never reaches the network.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from .errors import InvalidInputError, InvalidTypeError

__all__ = [
    "check_assistant_name",
    "check_bool",
    "check_count",
    "check_file_id",
    "check_id",
    "check_int_range",
    "check_json_object",
    "check_limit",
    "check_seconds",
    "check_text",
    "check_timeout",
    "check_wire_text",
]

_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_FILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
MAX_METADATA_BYTES = 16 * 1024


def check_assistant_name(name: object, what: str = "assistant name") -> str:
    """An assistant name per the spec: 1-63 chars, lowercase letters, digits and '-',
    starting and ending with a letter or digit.

    >>> check_assistant_name("docs-v2")
    'docs-v2'
    """
    if not isinstance(name, str):
        raise InvalidTypeError(f"{what} must be a str, got {type(name).__name__}")
    if not _NAME.match(name):
        raise InvalidInputError(
            f"invalid {what} {name!r}: use 1-63 lowercase letters, digits or '-', "
            "starting and ending with a letter or digit"
        )
    return name


def check_file_id(file_id: object, what: str = "file id") -> str:
    """A file id per the spec: 1-128 characters from ``[A-Za-z0-9_-]``."""
    if not isinstance(file_id, str):
        raise InvalidTypeError(f"{what} must be a str, got {type(file_id).__name__}")
    if not _FILE_ID.match(file_id):
        raise InvalidInputError(
            f"invalid {what} {file_id!r}: use 1-128 letters, digits, '-' or '_'"
        )
    return file_id


def check_id(value: object, what: str) -> str:
    """A server-issued identifier (operation id, file id from a listing): non-empty text."""
    if not isinstance(value, str):
        raise InvalidTypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value or len(value) > 512 or "/" in value:
        raise InvalidInputError(f"invalid {what} {value!r}")
    return value


def check_wire_text(text: str, what: str) -> bytes:
    """``text`` as UTF-8; a lone surrogate (which no UTF-8 encoder can send) is refused.

    >>> check_wire_text("caf\u00e9", "query")
    b'caf\xc3\xa9'
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        position = exc.start
    raise InvalidInputError(
        f"{what} contains a lone surrogate ({text[position]!r} at position {position}), "
        "which cannot be sent as UTF-8"
    )


def check_json_object(
    value: object, what: str, *, max_bytes: int | None = MAX_METADATA_BYTES
) -> dict[str, Any] | None:
    """A JSON object (dict with str keys and JSON values), optionally size-limited."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidTypeError(f"{what} must be a dict, got {type(value).__name__}")
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        problem: str | None = str(exc)
    else:
        problem = None
    if problem is not None:
        raise InvalidInputError(f"{what} is not JSON-serialisable: {problem}")
    if any(not isinstance(key, str) for key in value):
        raise InvalidInputError(f"{what} keys must be strings")
    size = len(check_wire_text(text, what))
    if max_bytes is not None and size > max_bytes:
        raise InvalidInputError(f"{what} is {size} bytes as JSON; the limit is {max_bytes}")
    return dict(value)


def check_text(value: object, what: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(f"{what} must be a str, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise InvalidInputError(f"{what} must not be empty")
    if not value.isascii():
        check_wire_text(value, what)
    return value


def check_timeout(value: object, what: str = "timeout") -> float:
    """A finite, positive number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidTypeError(f"{what} must be a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidInputError(f"{what} must be a finite number of seconds > 0, got {value!r}")
    return float(value)


def check_limit(value: object, what: str = "limit", *, maximum: int = 100) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"{what} must be an int, got {type(value).__name__}")
    if not 1 <= value <= maximum:
        raise InvalidInputError(f"{what} must be between 1 and {maximum}, got {value}")
    return value


def check_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidTypeError(f"{what} must be True or False, got {type(value).__name__}")
    return value


def check_int_range(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"{what} must be an int, got {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidInputError(f"{what} must be between {low} and {high}, got {value}")
    return value


def check_seconds(what: str, value: float | None, *, allow_none: bool = False) -> None:
    """A positive number of seconds (a configuration value; ``None`` only when allowed)."""
    if value is None:
        if allow_none:
            return
        raise InvalidInputError(f"{what} must be a positive number of seconds, not None")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidInputError(f"{what} must be a positive number of seconds, got {value!r}")


def check_count(what: str, value: object, minimum: int) -> None:
    """An int of at least ``minimum`` (a configuration value)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{what} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise InvalidInputError(f"{what} must be >= {minimum}, got {value}")
