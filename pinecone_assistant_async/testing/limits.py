"""Plan enforcement: Pinecone's documented Assistant limits, as the service applies them.

Figures from Pinecone's "Assistant limits" page (docs.pinecone.io/reference/api/assistant/
assistant-limits), per plan:

* rate limits per operation class in a sliding minute; a refused request gets 429 with the
  error code ``RESOURCE_EXHAUSTED`` and a ``Retry-After`` (seconds until the window frees a
  slot). Refused requests do not count against the window.
* object limits: file size by type and plan, 16 KB of metadata, files per assistant,
  assistants per project, multimodal PDFs (size, pages, count), 64,000 chat history tokens.

Limits that are the same on every plan (16 KB metadata, 10 MB .docx/.json/.md/.txt, 100 pages
of a multimodal PDF, 64,000 history tokens) are always on; the rest only with ``plan=``.
``time_scale`` compresses time: a "minute" lasts ``60 * time_scale`` seconds, and the
``Retry-After`` the emulator sends is in those compressed seconds (a decimal number when
compressed; the real service sends whole seconds).

The docs do not show the wire answers for the object limits. The emulator answers 400
``INVALID_ARGUMENT`` for a file that is too large or too long, and 400 ``QUOTA_EXCEEDED`` (a
code of the spec's error enum) when a count (files, assistants, multimodal PDFs) is used up:
a refusal of that one request, not a problem with the caller's permissions.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .replies import ApiError

__all__ = [
    "OPERATION_CLASSES",
    "PLANS",
    "Plan",
    "PlanEnforcer",
    "Throttled",
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
TEXT_TYPES = (".docx", ".json", ".md", ".txt")
TEXT_FILE_BYTES = 10 * MB  # every plan
METADATA_BYTES = 16 * 1024  # every plan (enforced by the routes' own field checks)
MULTIMODAL_PAGES = 100  # every plan
HISTORY_TOKENS = 64_000  # every plan
CHARS_PER_TOKEN = 4  # the emulator's token estimate (it has no tokenizer)


@dataclass(frozen=True)
class Plan:
    """One plan's limits (``None``: unlimited)."""

    name: str
    per_minute: Mapping[str, int]
    assistants_per_project: int | None
    files_per_assistant: int | None
    pdf_bytes: int
    multimodal_pdf_bytes: int
    multimodal_pdfs_per_assistant: int | None


def _rates(*values: int) -> Mapping[str, int]:
    return MappingProxyType(dict(zip(OPERATION_CLASSES, values, strict=True)))


# "Files per assistant" has been published as 10 / 10,000 / 10,000 and later as 100 /
# unlimited / unlimited; the emulator takes 100 for Starter and 10,000 for the paid plans.
PLANS: Mapping[str, Plan] = MappingProxyType(
    {
        "starter": Plan("starter", _rates(40, 20, 20, 100, 5, 5, 100_000), 5, 100, 10 * MB,
                        10 * MB, 1),
        "standard": Plan("standard", _rates(100, 50, 50, 300, 20, 20, 300_000), None, 10_000,
                         100 * MB, 50 * MB, 20),
        "enterprise": Plan("enterprise", _rates(500, 100, 100, 6000, 300, 300, 1_000_000),
                           None, 10_000, 100 * MB, 50 * MB, 20),
    }
)  # fmt: skip


def operation_class(method: str, path: str) -> str | None:
    """The rate-limit class of a request, or None for requests no limit covers."""
    parts = path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "assistant":
        return None
    area = parts[1]
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
    if area == "chat":
        return "chat_tokens"
    return None


@dataclass(frozen=True)
class Throttled:
    """A refused request: its class, the class's limit and when to come back."""

    kind: str
    limit: int
    retry_after: float
    header: str

    @property
    def message(self) -> str:
        unit = "chat input tokens" if self.kind == "chat_tokens" else "requests"
        what = self.kind.replace("_", " ")
        return f"Rate limit exceeded: {self.limit} {unit} per minute for {what}; retry later"


@dataclass
class _Window:
    """Admissions (time, cost) of one class within the last window."""

    entries: deque[tuple[float, int]] = field(default_factory=deque)
    used: int = 0

    def expire(self, now: float, length: float) -> None:
        while self.entries and self.entries[0][0] <= now - length:
            self.used -= self.entries.popleft()[1]

    def wait_for(self, cost: int, limit: int, now: float, length: float) -> float:
        """Seconds until ``cost`` fits under ``limit``."""
        need = self.used + cost - limit
        for moment, spent in self.entries:
            need -= spent
            if need <= 0:
                return max(moment + length - now, 0.001)
        return length


class PlanEnforcer:
    """Applies one plan's limits (or only the always-on ones when ``plan`` is None)."""

    def __init__(
        self,
        plan: str | None = None,
        *,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if plan is not None and plan.lower() not in PLANS:
            raise ValueError(f"plan must be one of {', '.join(PLANS)} or None, got {plan!r}")
        if not time_scale > 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale!r}")
        self.plan = PLANS[plan.lower()] if plan is not None else None
        self.time_scale = time_scale
        self.minute = 60.0 * time_scale
        self._clock = clock
        self._windows = {name: _Window() for name in OPERATION_CLASSES}
        self.admitted = dict.fromkeys(OPERATION_CLASSES, 0)
        self.refused = dict.fromkeys(OPERATION_CLASSES, 0)
        self.peak = dict.fromkeys(OPERATION_CLASSES, 0)
        """The most of each class ever inside one sliding minute (cost units)."""
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        """When the first and the latest admission of each class happened (the clock's time)."""

    def admit(self, method: str, path: str, content_length: int | None) -> Throttled | None:
        """Count the request; what to answer when it is refused."""
        kind = operation_class(method, path)
        if kind is None:
            return None
        cost = 1
        if kind == "chat_tokens":
            cost = max(1, (content_length or 0) // CHARS_PER_TOKEN)
            if cost > HISTORY_TOKENS:
                raise ApiError(
                    400,
                    f"Chat history exceeds the maximum of {HISTORY_TOKENS:,} tokens per query",
                    "INVALID_ARGUMENT",
                )
        now = self._clock()
        if self.plan is None:
            self._count(kind, now)
            return None
        limit = self.plan.per_minute[kind]
        window = self._windows[kind]
        window.expire(now, self.minute)
        if window.used + cost > limit and window.entries:
            self.refused[kind] += 1
            wait = window.wait_for(cost, limit, now, self.minute)
            return Throttled(kind, limit, wait, self._header(wait))
        window.entries.append((now, cost))
        window.used += cost
        self._count(kind, now)
        self.peak[kind] = max(self.peak[kind], window.used)
        return None

    def _count(self, kind: str, now: float) -> None:
        self.admitted[kind] += 1
        self.first.setdefault(kind, now)
        self.last[kind] = now

    def _header(self, seconds: float) -> str:
        if self.time_scale >= 1.0:
            return str(math.ceil(seconds))
        return f"{math.ceil(seconds * 1000) / 1000:.3f}"  # rounded up: never too early

    # -- object limits ------------------------------------------------------------------------

    def check_new_assistant(self, existing: Callable[[], int]) -> None:
        cap = self.plan.assistants_per_project if self.plan is not None else None
        if cap is not None and existing() >= cap:
            raise ApiError(
                400,
                f"Assistants per project limit reached: the {self.plan_name} plan allows {cap}",
                "QUOTA_EXCEEDED",
            )

    @property
    def plan_name(self) -> str:
        return self.plan.name.capitalize() if self.plan is not None else "current"

    def check_file(
        self,
        name: str,
        size: int,
        *,
        multimodal: bool,
        replacing: bool,
        counts: Callable[[], tuple[int, int]],
    ) -> None:
        """Refuse an upload over a size or count limit (before it is processed)."""
        lower = name.lower()
        plan = self.plan
        if lower.endswith(TEXT_TYPES) and size > TEXT_FILE_BYTES:
            raise ApiError(400, _too_big(name, size, TEXT_FILE_BYTES, "every plan"))
        if plan is None:
            return
        where = f"the {self.plan_name} plan"
        if lower.endswith(".pdf"):
            cap = plan.multimodal_pdf_bytes if multimodal else plan.pdf_bytes
            if size > cap:
                raise ApiError(400, _too_big(name, size, cap, where))
        if replacing:
            return
        files, multimodal_files = counts()
        if plan.files_per_assistant is not None and files >= plan.files_per_assistant:
            raise ApiError(
                400,
                f"Files per assistant limit reached: {where} allows {plan.files_per_assistant}",
                "QUOTA_EXCEEDED",
            )
        cap_mm = plan.multimodal_pdfs_per_assistant
        if multimodal and cap_mm is not None and multimodal_files >= cap_mm:
            raise ApiError(
                400,
                f"Multimodal PDFs per assistant limit reached: {where} allows {cap_mm}",
                "QUOTA_EXCEEDED",
            )

    def check_pages(self, name: str, pages: int) -> None:
        if pages > MULTIMODAL_PAGES:
            raise ApiError(
                400,
                f"{name} has {pages} pages; multimodal PDFs are limited to {MULTIMODAL_PAGES}",
                "INVALID_ARGUMENT",
            )


def _too_big(name: str, size: int, cap: int, where: str) -> str:
    return (
        f"File {name} is {size / MB:.1f} MB; the maximum for this file type on {where} is "
        f"{cap // MB} MB"
    )
