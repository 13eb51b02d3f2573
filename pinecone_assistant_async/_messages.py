"""Normalising the ``messages`` argument of chat, completions and context calls.

Callers may pass one question as a ``str``, a :class:`~.models.Message`, a ``dict`` with
``content`` (and optionally ``role``), or a list mixing those. The result is the list of
``{"role": ..., "content": ...}`` dicts the wire format wants. Roles default to ``"user"`` and
must be one the specification names (``user``, ``assistant``, ``system``); empty content and
unknown keys are rejected before anything is sent.

>>> to_wire_messages("What is new?")
[{'role': 'user', 'content': 'What is new?'}]
>>> to_wire_messages([{"content": "Hi"}, {"role": "assistant", "content": "Hello"}])
[{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello'}]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from .errors import InvalidInputError, InvalidTypeError
from .models.chat import Message

__all__ = ["MessageLike", "MessagesInput", "to_wire_messages"]

MessageLike: TypeAlias = "str | Message | Mapping[str, Any]"
"""One message: its text (a user message), a ``Message``, or a ``{"role", "content"}`` dict."""

MessagesInput: TypeAlias = "str | Message | Mapping[str, Any] | Sequence[MessageLike]"
"""What ``messages=`` accepts: one message or a sequence of them."""

_KEYS = frozenset({"role", "content"})
ROLES = frozenset({"user", "assistant", "system"})


def _one(value: object, where: str) -> dict[str, str]:
    if isinstance(value, str):
        role: object = "user"
        content: object = value
    elif isinstance(value, Message):
        role, content = value.role, value.content
    elif isinstance(value, Mapping):
        unknown = [key for key in value if key not in _KEYS]
        if unknown:
            raise InvalidInputError(
                f"{where} has unknown keys {sorted(map(str, unknown))}: "
                "a message has 'role' and 'content'"
            )
        if "content" not in value:
            raise InvalidInputError(f"{where} has no 'content'")
        role = value.get("role", "user")
        content = value["content"]
    else:
        raise InvalidTypeError(
            f"{where} must be a str, a Message or a dict, got {type(value).__name__}"
        )
    if not isinstance(role, str):
        raise InvalidTypeError(f"{where}: role must be a str, got {type(role).__name__}")
    if role not in ROLES:
        raise InvalidInputError(
            f"{where}: role must be 'user', 'assistant' or 'system', got {role!r}"
        )
    if not isinstance(content, str):
        raise InvalidTypeError(f"{where}: content must be a str, got {type(content).__name__}")
    if not content.strip():
        raise InvalidInputError(f"{where}: content must not be empty")
    return {"role": role, "content": content}


def to_wire_messages(messages: object, what: str = "messages") -> list[dict[str, str]]:
    """``messages`` as a non-empty list of wire dicts, or ``InvalidInputError``."""
    if isinstance(messages, (str, Message, Mapping)):
        return [_one(messages, what)]
    if isinstance(messages, (bytes, bytearray)) or not isinstance(messages, Sequence):
        raise InvalidTypeError(
            f"{what} must be a str, a Message, a dict or a list of them, "
            f"got {type(messages).__name__}"
        )
    if not messages:
        raise InvalidInputError(f"{what} must not be empty")
    return [_one(item, f"{what}[{index}]") for index, item in enumerate(messages)]
