"""Watching requests: the record of one call, and the fan-out to hooks, tracers and raw capture.

The transport's entry points (``request``, ``request_model``) are wrapped by
:func:`observed_call`, which asks :meth:`Instruments.begin` for a :class:`Call` covering the
logical request (all of its attempts) and makes it the current call (``CURRENT_CALL``) while it
runs; each attempt (``Transport._open``, wrapped by :func:`observed_attempt`) and each retry wait
(:meth:`Instruments.retry_sleep`) is reported against it. A stream is one call from the moment it
is entered until it closes (see ``_event_stream``). When nobody watches (no hook, no tracer, no
``with_raw_response`` capture in the current context) there is no call and every request takes
its usual path: observing costs an attribute check and two context-variable reads per request.

Watchers are *sinks* (the user's :class:`~.hooks.Hooks`, the OpenTelemetry tracer of
:mod:`.integrations.otel`). Each event is awaited on every sink in turn; a sink that raises is
reported on the ``pinecone_assistant_async.hooks`` logger (ERROR, with its traceback) and counted
in :attr:`Instruments.failures`, and the call carries on as if nothing happened.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar, cast

from .errors import APIStatusError, PineconeError
from .usage import UsageTracker

__all__ = [
    "CURRENT_CALL",
    "RAW_CAPTURE",
    "REQUEST_ID_HEADER",
    "Call",
    "Instruments",
    "Sink",
    "observed_attempt",
    "observed_call",
    "operation_name",
    "retry_reason",
]

hook_logger = logging.getLogger("pinecone_assistant_async.hooks")


class _Response(Protocol):
    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


R = TypeVar("R", bound=_Response)
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

RAW_CAPTURE: ContextVar[list[Call] | None] = ContextVar("pinecone_raw_capture", default=None)
"""Set by ``client.with_raw_response``: finished calls are appended to the list."""

CURRENT_CALL: ContextVar[Call | None] = ContextVar("pinecone_current_call", default=None)
"""The call the running request belongs to (None when nobody watches)."""

REQUEST_ID_HEADER = "x-pinecone-request-id"


def operation_name(method: str, url: str) -> str:
    """A stable name for what a request does, from its method and path.

    >>> operation_name("POST", "https://h/assistant/chat/docs")
    'chat'
    >>> operation_name("GET", "https://h/assistant/files/docs/f-1")
    'files.describe'
    """
    path = url.split("/assistant/", 1)[-1].split("?", 1)[0]
    parts = path.split("/")
    area = parts[0]
    if area == "chat":
        if len(parts) >= 4 and parts[2] == "chat" and parts[3] == "completions":
            return "chat_completions"
        if len(parts) >= 3 and parts[2] == "context":
            return "context"
        return "chat"
    if area == "evaluation":
        return "evaluation.alignment"
    one = len(parts) >= (3 if area in ("files", "operations") else 2)
    verb = {
        "GET": "describe" if one else "list",
        "POST": "create" if area == "assistants" else "upload",
        "PUT": "upsert",
        "PATCH": "update",
        "DELETE": "delete",
    }.get(method, method.lower())
    return f"{area}.{verb}"


def retry_reason(error: BaseException | None) -> str:
    """Why an attempt is retried, in a few words: ``HTTP 503``, ``APIConnectionError``."""
    if isinstance(error, APIStatusError):
        return f"HTTP {error.status}"
    return type(error).__name__ if error is not None else "unknown"


class Call:
    """One logical request, all its attempts included, as the watchers see it.

    Filled in as the call goes: ``attempts`` (1 for a first-try success), ``status``,
    ``headers`` and ``request_id`` of the last response, ``elapsed`` (seconds from the start to
    the last response's headers, retries included), ``error``, ``result`` (the parsed model of a
    unary call). Streams also get ``chunks``, ``time_to_first_chunk`` and ``usage``.
    ``scratch`` is per-sink storage (a tracer keeps its spans there).
    """

    __slots__ = (
        "adoptable",
        "assistant",
        "attempt_started",
        "attempts",
        "body",
        "chunks",
        "elapsed",
        "error",
        "headers",
        "last_error",
        "method",
        "model",
        "operation",
        "output_text",
        "request_id",
        "response_model",
        "result",
        "scratch",
        "started",
        "status",
        "stream",
        "time_to_first_chunk",
        "url",
        "usage",
    )

    def __init__(
        self,
        method: str,
        url: str,
        assistant: str | None,
        body: Any,
        stream: bool,
    ) -> None:
        self.method = method
        self.url = url
        self.assistant = assistant
        self.body = body
        self.stream = stream
        self.operation = operation_name(method, url)
        self.model: str | None = body.get("model") if isinstance(body, dict) else None
        self.started = time.perf_counter()
        self.attempt_started = self.started
        self.attempts = 0
        self.status: int | None = None
        self.headers: Mapping[str, str] = {}
        self.request_id: str | None = None
        self.elapsed = 0.0
        self.error: BaseException | None = None
        self.last_error: BaseException | None = None
        self.result: Any = None
        self.response_model: str | None = None
        self.usage: Any = None
        self.output_text: str | None = None
        self.chunks = 0
        self.time_to_first_chunk: float | None = None
        self.scratch: dict[int, Any] = {}
        self.adoptable = False  # request_model's call, waiting for its inner request()

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    def __repr__(self) -> str:
        return f"<Call {self.operation} {self.method} {self.url} attempts={self.attempts}>"


class Sink(Protocol):
    """What a watcher implements (every method is awaited; none may change the call)."""

    @property
    def live(self) -> bool: ...

    async def call_started(self, call: Call) -> None: ...

    async def request_sent(self, call: Call) -> None: ...

    async def response_received(self, call: Call) -> None: ...

    async def attempt_failed(self, call: Call, error: BaseException) -> None: ...

    async def retry_scheduled(self, call: Call, delay: float) -> None: ...

    async def stream_opened(self, call: Call) -> None: ...

    async def stream_closed(self, call: Call) -> None: ...

    async def call_finished(self, call: Call) -> None: ...


class Instruments:
    """The sinks of one client (shared by the clients ``with_options`` derives from it)."""

    def __init__(self) -> None:
        self._sinks: tuple[Sink, ...] = ()
        self.usage = UsageTracker()
        """The token totals (``client.usage``), kept whether anybody watches or not."""
        self.failures = 0
        """How many times a hook or tracer raised (each was logged)."""

    def add(self, sink: Sink) -> None:
        if sink not in self._sinks:
            self._sinks = (*self._sinks, sink)

    def remove(self, sink: Sink) -> None:
        self._sinks = tuple(s for s in self._sinks if s is not sink)

    @property
    def active(self) -> bool:
        """Whether a hook or tracer is listening."""
        sinks = self._sinks
        if len(sinks) == 1:  # the client's own Hooks: asked before every request
            return sinks[0].live
        return any(sink.live for sink in sinks)

    @property
    def watching(self) -> bool:
        """Whether a new call would be recorded (a live sink, or a raw-response capture)."""
        return RAW_CAPTURE.get() is not None or self.active

    def begin(self, method: str, url: str, assistant: str | None, body: Any) -> Call | None:
        """A record for a new unary call, or None when nothing watches it (the fast path)."""
        if not self.watching:
            return None
        return Call(method, url, assistant, body, False)

    async def observe(self, call: Call, work: Awaitable[T]) -> T:
        """Run a unary call's ``work``, telling the sinks when it starts and ends."""
        await self.emit("call_started", call)
        try:
            result = await work
        except BaseException as exc:
            await self.finish(call, exc)
            raise
        call.result = result
        await self.finish(call)
        return result

    async def emit(self, event: str, call: Call, *args: Any) -> None:
        for sink in self._sinks:
            if not sink.live:
                continue
            try:
                await getattr(sink, event)(call, *args)
            except Exception as exc:
                # A watcher's failure is reported and never changes the call's outcome.
                self.failures += 1
                hook_logger.error(
                    "%s raised in %s for %s %s: %s: %s",
                    type(sink).__name__,
                    event,
                    call.method,
                    call.url,
                    type(exc).__name__,
                    exc,
                    exc_info=exc,
                )

    # -- the transport's call sites ------------------------------------------------------

    async def attempt(self, call: Call, send: Awaitable[R]) -> R:
        """Run one attempt (``send``), telling the sinks before and after."""
        call.attempts += 1
        call.attempt_started = time.perf_counter()
        await self.emit("request_sent", call)
        try:
            response = await send
        except APIStatusError as exc:
            call.status, call.request_id = exc.status, exc.request_id
            call.headers = getattr(exc, "headers", None) or {}
            call.elapsed = time.perf_counter() - call.started
            call.last_error = exc
            await self.emit("response_received", call)
            await self.emit("attempt_failed", call, exc)
            raise
        except PineconeError as exc:
            call.last_error = exc
            await self.emit("attempt_failed", call, exc)
            raise
        headers = response.headers
        call.status = response.status
        call.headers = headers
        call.request_id = headers.get(REQUEST_ID_HEADER)
        call.elapsed = time.perf_counter() - call.started
        await self.emit("response_received", call)
        return response

    def retry_sleep(
        self, sleep: Callable[[float], Awaitable[None]]
    ) -> Callable[[float], Awaitable[None]]:
        """The retry wait: ``sleep``, first telling the sinks (every retry wait is one)."""
        call = CURRENT_CALL.get()
        if call is None:
            return sleep

        async def sleep_before_retry(delay: float) -> None:
            await self.emit("retry_scheduled", call, delay)
            await sleep(delay)

        return sleep_before_retry

    async def finish(self, call: Call, error: BaseException | None = None) -> None:
        """The call is over (unary calls; streams finish when they close)."""
        if error is not None:
            call.error = error
        capture = RAW_CAPTURE.get()
        if capture is not None:
            capture.append(call)
        await self.emit("call_finished", call)


def _outside(call: Call | None, work: Awaitable[T]) -> Awaitable[T]:
    """``work`` run with no current call (a request nobody watches, inside a watched one)."""
    if call is None:
        return work

    async def unwatched() -> T:
        token = CURRENT_CALL.set(None)
        try:
            return await work
        finally:
            CURRENT_CALL.reset(token)

    return unwatched()


def observed_call(fn: F) -> F:
    """Wrap ``Transport.request`` / ``request_model``: a watched call is recorded and current.

    ``request_model`` calls ``request``: that inner request is the same call (adopted), while a
    request made later inside it (a host lookup after a 404) is a call of its own. When nobody
    watches, the wrapper hands back ``fn``'s own coroutine: no extra frame on the request path.
    """
    parses = fn.__name__ == "request_model"

    async def watched(self: Any, current: Call | None, args: Any, kwargs: Any) -> Any:
        if current is not None and current.adoptable:
            current.adoptable = False
            return await fn(self, *args, **kwargs)
        method, url = args[1:3] if parses else args[:2]
        instruments: Instruments = self.instruments
        call = instruments.begin(method, url, kwargs.get("assistant"), kwargs.get("json_body"))
        if call is None:  # inside a watched call, but not watched itself
            return await _outside(current, fn(self, *args, **kwargs))
        call.adoptable = parses
        token = CURRENT_CALL.set(call)
        try:
            return await instruments.observe(call, fn(self, *args, **kwargs))
        finally:
            CURRENT_CALL.reset(token)

    @functools.wraps(fn)
    def entry(self: Any, *args: Any, **kwargs: Any) -> Awaitable[Any]:
        current = CURRENT_CALL.get()
        if current is None and not self.instruments.watching:  # the fast path
            return fn(self, *args, **kwargs)
        return watched(self, current, args, kwargs)

    return cast(F, entry)


def observed_attempt(fn: F) -> F:
    """Wrap ``Transport._open`` (one attempt): reported against the current call, if any."""

    @functools.wraps(fn)
    def attempt(self: Any, *args: Any, **kwargs: Any) -> Awaitable[Any]:
        call = CURRENT_CALL.get()
        if call is None:
            return fn(self, *args, **kwargs)
        instruments: Instruments = self.instruments
        return instruments.attempt(call, fn(self, *args, **kwargs))

    return cast(F, attempt)
