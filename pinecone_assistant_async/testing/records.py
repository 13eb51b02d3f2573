"""What the emulator remembers about requests and shows about responses (observability)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .controls import Control

__all__ = ["ObservedResponse", "RecordedRequest", "ResponseHook"]


@dataclass
class RecordedRequest:
    """One request as the emulator received it, and the status it answered with.

    `headers` has the `Api-Key` value redacted; the raw value is in `api_key_seen`.
    For uploads, `body_size` and `body_sha256` describe the `file` part; otherwise
    `body_size` is the size of the whole request body and `body_sha256` is None.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    api_key_seen: str | None
    api_version: str | None
    request_id: str
    json: Any = None
    body_size: int = 0
    body_sha256: str | None = None
    file_name: str | None = None
    fault: str | None = None
    status: int | None = None
    peer: str | None = None
    """The client's ``host:port``: requests with the same peer came over one connection."""

    def __repr__(self) -> str:
        return (
            f"RecordedRequest({self.method} {self.path} -> {self.status}, "
            f"fault={self.fault!r}, body_size={self.body_size})"
        )


@dataclass(frozen=True)
class ObservedResponse:
    """A response as sent (the bytes actually written, also for cut or streamed bodies)."""

    method: str
    path: str
    status: int
    content_type: str
    body: bytes
    api_version: str
    headers: Mapping[str, str] = field(default_factory=dict)
    control: Control | None = None

    @property
    def faulted(self) -> bool:
        """Whether a transient fault shaped this response (it may break the contract on purpose)."""
        return self.control is not None and self.control.transient


ResponseHook = Callable[[ObservedResponse], None]
