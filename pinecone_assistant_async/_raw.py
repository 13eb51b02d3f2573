"""``client.with_raw_response``: the same calls, returning the HTTP facts with the parsed result.

>>> raw = await client.with_raw_response.chat("docs", "What changed?")   # doctest: +SKIP
>>> raw.status, raw.request_id, raw.attempts, raw.elapsed                 # doctest: +SKIP
(200, '5f0c...', 1, 0.012)
>>> reply = raw.parsed                                                   # a ChatResponse

Every wrapped method keeps its signature (type checkers see the same parameters) and returns
``APIResponse[<what the plain call returns>]``. A call that makes several requests (a host lookup
first, ``create(wait=True)`` polling until Ready) reports its *last* request in the top-level
fields and every request in ``exchanges``. Streams need no wrapper: once entered, a stream's
``response`` attribute gives the same facts before the first chunk is read, so
``with_raw_response.chat_stream`` is ``chat_stream`` itself.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, ParamSpec, TypeVar

from ._observe import RAW_CAPTURE, Call

if TYPE_CHECKING:
    from .client import AssistantClient

__all__ = ["APIResponse", "ResponseInfo", "WithRawResponse", "raw_call"]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class ResponseInfo:
    """The HTTP facts of one request: ``status`` and ``headers`` of its last response,
    ``elapsed`` seconds from the first attempt to those headers (retries and their waits
    included), ``attempts`` made (1 when the first one succeeded) and the ``request_id``."""

    operation: str
    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    elapsed: float
    attempts: int
    request_id: str | None

    @classmethod
    def of(cls, call: Call) -> ResponseInfo:
        return cls(
            call.operation,
            call.method,
            call.url,
            call.status or 0,
            call.headers,
            call.elapsed,
            call.attempts,
            call.request_id,
        )

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)


@dataclass(frozen=True)
class APIResponse(ResponseInfo, Generic[T]):
    """A call's result with the HTTP facts of its (last) request; see :class:`ResponseInfo`."""

    parsed: T
    exchanges: tuple[ResponseInfo, ...]
    """Every request the call made, oldest first (the last one is the top-level fields')."""

    def parse(self) -> T:
        """The parsed result (what the plain call returns)."""
        return self.parsed


def raw_call(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[APIResponse[T]]]:
    """``fn`` with the same parameters, returning an :class:`APIResponse` of its result."""

    @functools.wraps(fn)
    async def call(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        captured: list[Call] = []
        token = RAW_CAPTURE.set(captured)
        try:
            result = await fn(*args, **kwargs)
        finally:
            RAW_CAPTURE.reset(token)
        if not captured:
            raise RuntimeError(f"{fn.__qualname__} returned without sending a request")
        exchanges = tuple(ResponseInfo.of(c) for c in captured)
        last = exchanges[-1]
        return APIResponse(
            last.operation,
            last.method,
            last.url,
            last.status,
            last.headers,
            last.elapsed,
            last.attempts,
            last.request_id,
            result,
            exchanges,
        )

    return call


class _Namespace:
    def __repr__(self) -> str:
        return f"<with_raw_response.{type(self).__name__.removeprefix('_Raw').lower()}>"


class _RawAssistants(_Namespace):
    def __init__(self, client: AssistantClient) -> None:
        s = client.assistants
        self.create = raw_call(s.create)
        self.describe = raw_call(s.describe)
        self.list_page = raw_call(s.list_page)
        self.update = raw_call(s.update)
        self.delete = raw_call(s.delete)


class _RawFiles(_Namespace):
    def __init__(self, client: AssistantClient) -> None:
        s = client.files
        self.upload = raw_call(s.upload)
        self.upsert = raw_call(s.upsert)
        self.describe = raw_call(s.describe)
        self.list_page = raw_call(s.list_page)
        self.delete = raw_call(s.delete)


class _RawOperations(_Namespace):
    def __init__(self, client: AssistantClient) -> None:
        s = client.operations
        self.describe = raw_call(s.describe)
        self.list_page = raw_call(s.list_page)


class _RawEvaluation(_Namespace):
    def __init__(self, client: AssistantClient) -> None:
        self.alignment = raw_call(client.evaluation.alignment)


class WithRawResponse:
    """``client.with_raw_response``: the client's calls returning :class:`APIResponse`."""

    def __init__(self, client: AssistantClient) -> None:
        self.chat = raw_call(client.chat)
        self.chat_completions = raw_call(client.chat_completions)
        self.context = raw_call(client.context)
        self.chat_stream = client.chat_stream
        self.chat_completions_stream = client.chat_completions_stream
        self.assistants = _RawAssistants(client)
        self.files = _RawFiles(client)
        self.operations = _RawOperations(client)
        self.evaluation = _RawEvaluation(client)

    def __repr__(self) -> str:
        return "<with_raw_response>"
