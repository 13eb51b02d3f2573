"""Pinecone's per-plan Assistant limits as data: rate limits to pace by, object limits to check.

>>> client = AssistantClient(rate_limits=RateLimits.standard())          # doctest: +SKIP

Figures from Pinecone's "Assistant limits" page (docs.pinecone.io/reference/api/assistant/
assistant-limits). Every value can be overridden: ``RateLimits.standard().with_rates(
file_upload=40)``, ``dataclasses.replace(limits, objects=ObjectLimits(...))``.

* ``per_minute`` maps an operation class (``OPERATION_CLASSES``) to requests per minute
  (``chat_tokens``: chat input tokens per minute); ``None`` means "not known": the client then
  learns it from the service's 429 answers (adaptive). ``RateLimits.adaptive()`` knows none.
* ``minute`` is how long a rate-limit minute lasts, in seconds (60; smaller against a
  time-compressed emulator).
* ``backend`` holds the limiter's state: ``None`` keeps it in this process; a
  ``RedisBackend`` (``pinecone_assistant_async.redis_limits``) shares it between processes.
* ``objects`` are checked before a file is sent (``InvalidInputError`` naming the limit).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from .errors import InvalidInputError

__all__ = [
    "OPERATION_CLASSES",
    "LimiterBackend",
    "ObjectLimits",
    "RateLimits",
    "check_file_limits",
    "operation_class",
]

MB = 1024 * 1024
OPERATION_CLASSES = (
    "assistant_read",
    "assistant_write",
    "assistant_delete",
    "file_read",
    "file_upload",
    "file_delete",
    "chat_tokens",
)


class LimiterBackend(Protocol):
    """Where admissions are counted (one sliding window per operation class)."""

    async def acquire(
        self, kind: str, rate: int | None, window: float, cost: int, *, held: bool = True
    ) -> tuple[float, str | None]:
        """Admit ``cost`` units of ``kind`` now ``(0.0, ticket)`` or say how many seconds to
        wait first ``(seconds, None)``.

        ``held=False``: ignore a hold set by :meth:`block` (the caller already waited it out).
        """
        ...

    async def settle(self, kind: str, ticket: str, counted: bool) -> None:
        """The admission got its answer: date it to now, or drop it if the service refused it."""
        ...

    async def block(self, kind: str, seconds: float) -> None:
        """Hold back every request of ``kind`` for ``seconds`` (after a 429)."""
        ...

    async def recent(self, kind: str, window: float) -> int:
        """Units of ``kind`` answered (not refused) within the last ``window`` seconds."""
        ...


@dataclass(frozen=True)
class ObjectLimits:
    """Sizes and counts the service refuses beyond (checked before sending)."""

    file_bytes: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(
            {".docx": 10 * MB, ".json": 10 * MB, ".md": 10 * MB, ".txt": 10 * MB, ".pdf": 100 * MB}
        )
    )
    """Largest file per extension (lower case, with the dot); other types are not checked."""
    multimodal_pdf_bytes: int = 50 * MB
    metadata_bytes: int = 16 * 1024
    files_per_assistant: int | None = None
    assistants_per_project: int | None = None
    multimodal_pages: int = 100
    history_tokens: int = 64_000


def _rates(*values: int | None) -> Mapping[str, int | None]:
    return MappingProxyType(dict(zip(OPERATION_CLASSES, values, strict=True)))


@dataclass(frozen=True)
class RateLimits:
    """Requests per minute per operation class, the object limits, and the limiter's state."""

    per_minute: Mapping[str, int | None] = field(default_factory=lambda: _rates(*[None] * 7))
    minute: float = 60.0
    objects: ObjectLimits = field(default_factory=ObjectLimits)
    plan: str | None = None
    backend: LimiterBackend | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.minute, (int, float)) or not self.minute > 0:
            raise InvalidInputError(f"minute must be a positive number, got {self.minute!r}")
        unknown = set(self.per_minute) - set(OPERATION_CLASSES)
        if unknown:
            raise InvalidInputError(
                f"unknown operation classes {sorted(unknown)}; use {', '.join(OPERATION_CLASSES)}"
            )
        for kind, rate in self.per_minute.items():
            if rate is not None and (
                isinstance(rate, bool) or not isinstance(rate, int) or rate < 1
            ):
                raise InvalidInputError(f"{kind} must be a positive int or None, got {rate!r}")
        full = {kind: self.per_minute.get(kind) for kind in OPERATION_CLASSES}
        object.__setattr__(self, "per_minute", MappingProxyType(full))

    @classmethod
    def adaptive(cls, *, minute: float = 60.0, backend: LimiterBackend | None = None) -> RateLimits:
        """No rate known: every class is learned from the service's 429 answers."""
        return cls(minute=minute, backend=backend)

    @classmethod
    def starter(cls, *, minute: float = 60.0, backend: LimiterBackend | None = None) -> RateLimits:
        objects = ObjectLimits(
            file_bytes={**ObjectLimits().file_bytes, ".pdf": 10 * MB},
            multimodal_pdf_bytes=10 * MB,
            files_per_assistant=100,  # published as 10, later as 100
            assistants_per_project=5,
        )
        rates = _rates(40, 20, 20, 100, 5, 5, 100_000)
        return cls(rates, minute, objects, "starter", backend)

    @classmethod
    def standard(cls, *, minute: float = 60.0, backend: LimiterBackend | None = None) -> RateLimits:
        rates = _rates(100, 50, 50, 300, 20, 20, 300_000)
        return cls(rates, minute, ObjectLimits(), "standard", backend)

    @classmethod
    def enterprise(
        cls, *, minute: float = 60.0, backend: LimiterBackend | None = None
    ) -> RateLimits:
        rates = _rates(500, 100, 100, 6000, 300, 300, 1_000_000)
        return cls(rates, minute, ObjectLimits(), "enterprise", backend)

    @classmethod
    def for_plan(
        cls, plan: str, *, minute: float = 60.0, backend: LimiterBackend | None = None
    ) -> RateLimits:
        """``RateLimits.for_plan("standard")``: the plan by name."""
        makers = {"starter": cls.starter, "standard": cls.standard, "enterprise": cls.enterprise}
        maker = makers.get(str(plan).lower())
        if maker is None:
            raise InvalidInputError(f"plan must be one of {', '.join(makers)}, got {plan!r}")
        return maker(minute=minute, backend=backend)

    def with_rates(self, **per_minute: int | None) -> RateLimits:
        """A copy with some classes' rates replaced (``None``: learn it)."""
        return dataclasses.replace(self, per_minute={**self.per_minute, **per_minute})

    def with_backend(self, backend: LimiterBackend | None) -> RateLimits:
        """A copy whose limiter state lives in ``backend`` (e.g. Redis, shared by processes)."""
        return dataclasses.replace(self, backend=backend)


@functools.lru_cache(maxsize=1024)  # called for every request; a client's URLs repeat
def operation_class(method: str, url: str) -> str | None:
    """The rate-limit class of a request to ``url`` (None: no limit covers it)."""
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else "/"
    parts = path.split("?", 1)[0].strip("/").split("/")
    try:
        area = parts[parts.index("assistant") + 1]
    except (ValueError, IndexError):
        return None
    if area == "assistants":
        if method == "GET":
            return "assistant_read"
        return "assistant_delete" if method == "DELETE" else "assistant_write"
    if area in ("files", "operations"):
        if method == "GET":
            return "file_read"
        if method in ("POST", "PUT"):
            return "file_upload"
        return "file_delete" if method == "DELETE" else None
    return "chat_tokens" if area == "chat" else None


def check_file_limits(
    limits: ObjectLimits,
    file_name: str,
    size: int | None,
    *,
    multimodal: bool,
    metadata_json: str | None = None,
) -> None:
    """Refuse, before sending, a file the service would refuse for its size or metadata."""
    if metadata_json is not None and len(metadata_json.encode()) > limits.metadata_bytes:
        raise InvalidInputError(
            f"metadata of {file_name} is {len(metadata_json.encode())} bytes as JSON; the limit "
            f"is {limits.metadata_bytes} (ObjectLimits.metadata_bytes)"
        )
    if size is None:
        return  # a stream of unknown length: the service decides
    ext = os.path.splitext(file_name)[1].lower()
    if multimodal and ext == ".pdf":
        cap: int | None = limits.multimodal_pdf_bytes
        what, name = "a multimodal PDF", "multimodal_pdf_bytes"
    else:
        cap = limits.file_bytes.get(ext)
        what, name = f"a {ext} file", f"file_bytes[{ext!r}]"
    if cap is not None and size > cap:
        raise InvalidInputError(
            f"{file_name} is {size / MB:.1f} MB; the limit for {what} is {cap / MB:g} MB "
            f"(ObjectLimits.{name})"
        )
