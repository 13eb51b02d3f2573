"""Hooks: your async callables, told when a request is sent, answered, retried, streamed.

>>> async def log_retry(event: RetryScheduled) -> None:
...     print(f"retrying {event.operation} in {event.delay:.2f}s after {event.reason}")
>>> hooks = Hooks(retry_scheduled=log_retry)
>>> client = AssistantClient(hooks=hooks)          # doctest: +SKIP

Each hook is awaited in the request's own task, in the order they were added, so keep them
quick (hand slow work to a queue). A hook that raises is reported on the
``pinecone_assistant_async.hooks`` logger at ERROR level, with its traceback, and counted in
``Hooks.failures``; the request carries on exactly as if the hook had returned. Events never
hold the API key: request headers are not included, only the response's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._lazy import load as _load
from ._observe import Call, hook_logger, retry_reason

if TYPE_CHECKING:  # defined in _hook_events, loaded on first use (see __getattr__)
    from ._hook_events import (
        HookEvent,
        RequestSent,
        ResponseReceived,
        RetryScheduled,
        StreamClosed,
        StreamOpened,
    )

__all__ = [
    "HookEvent",
    "Hooks",
    "RequestSent",
    "ResponseReceived",
    "RetryScheduled",
    "StreamClosed",
    "StreamOpened",
]


EventName = Literal[
    "request_sent", "response_received", "retry_scheduled", "stream_opened", "stream_closed"
]
E = TypeVar("E")
Hook = Callable[[E], Awaitable[Any]]


# The names of __all__ not defined here: the event classes, from _hook_events on first use
# (kept off the cold path); the others are found before __getattr__ is asked.
_LAZY = dict.fromkeys(__all__, "._hook_events")


def __getattr__(name: str) -> Any:
    return _load(__name__, name, _LAZY, __package__)


_NAMES: tuple[EventName, ...] = (
    "request_sent",
    "response_received",
    "retry_scheduled",
    "stream_opened",
    "stream_closed",
)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if callable(value):
        return [value]
    if isinstance(value, Iterable):
        hooks = list(value)
        if all(callable(h) for h in hooks):
            return hooks
    raise TypeError("a hook must be an async callable or a list of them")


class Hooks:
    """The hooks of a client: pass ``hooks=Hooks(...)`` or add to ``client.hooks`` later.

    Each argument is an async callable taking the event (or a list of them):
    ``request_sent`` (:class:`RequestSent`), ``response_received`` (:class:`ResponseReceived`),
    ``retry_scheduled`` (:class:`RetryScheduled`), ``stream_opened`` (:class:`StreamOpened`),
    ``stream_closed`` (:class:`StreamClosed`).
    """

    def __init__(
        self,
        *,
        request_sent: Hook[RequestSent] | Iterable[Hook[RequestSent]] | None = None,
        response_received: Hook[ResponseReceived] | Iterable[Hook[ResponseReceived]] | None = None,
        retry_scheduled: Hook[RetryScheduled] | Iterable[Hook[RetryScheduled]] | None = None,
        stream_opened: Hook[StreamOpened] | Iterable[Hook[StreamOpened]] | None = None,
        stream_closed: Hook[StreamClosed] | Iterable[Hook[StreamClosed]] | None = None,
    ) -> None:
        self._hooks: dict[str, list[Any]] = {
            "request_sent": _as_list(request_sent),
            "response_received": _as_list(response_received),
            "retry_scheduled": _as_list(retry_scheduled),
            "stream_opened": _as_list(stream_opened),
            "stream_closed": _as_list(stream_closed),
        }
        self._count = sum(len(v) for v in self._hooks.values())
        self.failures = 0
        """How many times one of these hooks raised (each was logged)."""

    def add(self, event: EventName, hook: Callable[[Any], Awaitable[Any]]) -> None:
        """Add ``hook`` for ``event`` (one of the constructor's argument names)."""
        if event not in _NAMES:
            raise ValueError(f"unknown hook event {event!r}; known: {', '.join(_NAMES)}")
        if not callable(hook):
            raise TypeError("a hook must be an async callable")
        self._hooks[event].append(hook)
        self._count += 1

    def remove(self, event: EventName, hook: Callable[[Any], Awaitable[Any]]) -> None:
        """Remove a hook added before (``ValueError`` if it is not there)."""
        self._hooks[event].remove(hook)
        self._count -= 1

    @property
    def live(self) -> bool:
        return self._count > 0

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self._hooks.items() if v)
        return f"Hooks({counts})"

    # -- the sink interface (see _observe.Sink) ------------------------------------------

    async def _run(self, event: str, payload: object) -> None:
        for hook in self._hooks[event]:
            try:
                await hook(payload)
            except Exception as exc:
                # Reported, counted, and then ignored: a hook never changes the call's outcome.
                self.failures += 1
                hook_logger.error(
                    "hook %s for %s raised %s: %s",
                    getattr(hook, "__qualname__", repr(hook)),
                    event,
                    type(exc).__name__,
                    exc,
                    exc_info=exc,
                )

    async def call_started(self, call: Call) -> None:
        return None

    async def request_sent(self, call: Call) -> None:
        if self._hooks["request_sent"]:
            from ._hook_events import RequestSent

            await self._run(
                "request_sent",
                RequestSent(call.operation, call.method, call.url, call.assistant, call.attempts),
            )

    async def response_received(self, call: Call) -> None:
        if self._hooks["response_received"]:
            from ._hook_events import ResponseReceived

            event = ResponseReceived(
                call.operation,
                call.method,
                call.url,
                call.assistant,
                call.attempts,
                call.status or 0,
                call.headers,
                call.request_id,
                call.elapsed,
                perf_counter() - call.attempt_started,
            )
            await self._run("response_received", event)

    async def attempt_failed(self, call: Call, error: BaseException) -> None:
        return None

    async def retry_scheduled(self, call: Call, delay: float) -> None:
        if self._hooks["retry_scheduled"]:
            from ._hook_events import RetryScheduled

            event = RetryScheduled(
                call.operation,
                call.method,
                call.url,
                call.assistant,
                call.attempts,
                delay,
                retry_reason(call.last_error),
                call.last_error,
            )
            await self._run("retry_scheduled", event)

    async def stream_opened(self, call: Call) -> None:
        if self._hooks["stream_opened"]:
            from ._hook_events import StreamOpened

            event = StreamOpened(
                call.operation,
                call.url,
                call.assistant,
                call.status or 0,
                call.request_id,
                call.attempts,
                call.elapsed,
            )
            await self._run("stream_opened", event)

    async def stream_closed(self, call: Call) -> None:
        if self._hooks["stream_closed"]:
            from ._hook_events import StreamClosed

            event = StreamClosed(
                call.operation,
                call.url,
                call.assistant,
                call.request_id,
                call.chunks,
                call.time_to_first_chunk,
                perf_counter() - call.started,
                call.usage,
                call.error,
            )
            await self._run("stream_closed", event)

    async def call_finished(self, call: Call) -> None:
        return None
