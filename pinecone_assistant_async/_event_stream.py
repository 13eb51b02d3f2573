"""The machinery shared by every streamed answer: open, read, decode, fail, close.

:class:`EventStream` opens the response through :meth:`Transport.stream` when entered, reads
the body in bounded reads, decodes it with :class:`~._sse.SSEDecoder` and hands each event to
the subclass's ``_on_event``, which turns it into a typed chunk (or ``None`` to skip it). It
owns the failure rules documented in :mod:`.streaming`: cut connections and unterminated
streams raise ``StreamError``, idle reads raise ``APITimeoutError``, and an error, once raised,
is raised again by every later read.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

import aiohttp
from pydantic import ValidationError

from ._errors_map import redact
from ._sse import ServerSentEvent, SSEDecoder
from ._transport import Transport
from .errors import APITimeoutError, PineconeError, StreamError

__all__ = ["EventStream", "StreamRequest"]

C = TypeVar("C")
S = TypeVar("S", bound="EventStream[Any]")

_READ_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError, TimeoutError)
_SHOWN = 200  # characters of an offending line quoted in an error message
_FIRST_READ = 4096  # the first read is small, so the first chunk is yielded early
_READ_SIZE = 65536  # at most this many bytes are decoded before the next chunk is yielded


@dataclass(frozen=True)
class StreamRequest:
    """What to send when a stream is entered (built and checked by the chat service)."""

    transport: Transport
    assistant: str
    path: str
    body: dict[str, Any]
    timeout: float | None


def _reason(exc: ValidationError) -> str:
    """A short description of a validation failure, without echoing the input."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "invalid chunk"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = str(first.get("msg", "invalid"))
    return f"{where}: {message}" if where else message


def _server_error(data: str) -> str | None:
    """The message of an error object sent in place of a chunk, if ``data`` is one."""
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict) or "error" not in value or "type" in value:
        return None
    error = value["error"]
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)
    return str(error)


class EventStream(Generic[C]):
    """Opening, reading, decoding and closing; subclasses turn events into chunks."""

    _kind = "stream"
    _final_name = "its final chunk"

    def __init__(self, request: StreamRequest) -> None:
        self._request = request
        self._cm: AbstractAsyncContextManager[aiohttp.ClientResponse] | None = None
        self._response: aiohttp.ClientResponse | None = None
        self._decoder = SSEDecoder()
        self._read_size = _FIRST_READ
        self._events: list[ServerSentEvent] = []
        self._pos = 0
        self._eof = False
        self._finished = False  # the final chunk (or sentinel) was seen
        self._error: PineconeError | None = None
        self._entered = False
        self._closed = False
        self._url = ""

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self: S) -> S:
        if self._entered:
            raise RuntimeError(f"this {type(self).__name__} was already entered once")
        self._entered = True
        request = self._request
        transport = request.transport
        self._url = await transport.data_url(request.assistant, request.path)
        cm = transport.stream(
            "POST",
            self._url,
            json_body=request.body,
            timeout=request.timeout,
            assistant=request.assistant,
        )
        self._response = await cm.__aenter__()
        self._cm = cm
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the stream: the connection is reused if the body was read to its end,
        otherwise dropped. Safe to call twice; ``async with`` calls it for you."""
        if self._closed:
            return
        self._closed = True
        if not self._eof:
            self._events = []  # unread chunks are gone with the connection
        cm, self._cm = self._cm, None
        if cm is not None:
            await cm.__aexit__(None, None, None)

    @property
    def request_id(self) -> str | None:
        """The ``x-pinecone-request-id`` of the response, once entered."""
        response = self._response
        return None if response is None else response.headers.get("x-pinecone-request-id")

    # -- iteration -----------------------------------------------------------------------

    def __aiter__(self) -> EventStream[C]:
        return self

    async def __anext__(self) -> C:
        while True:
            events = self._events
            pos = self._pos
            if pos < len(events):
                self._pos = pos + 1
                chunk = self._on_event(events[pos])
                if chunk is not None:
                    return chunk
                continue
            if self._eof:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            await self._read()

    async def _read(self) -> None:
        if self._error is not None:
            raise self._error
        response = self._response
        if response is None or self._closed:
            if not self._entered:
                raise RuntimeError(
                    f"enter the {type(self).__name__} with 'async with' before reading it"
                )
            raise self._fail(StreamError(f"the {self._kind} was closed before it ended"))
        try:
            data = await response.content.read(self._read_size)
        except _READ_ERRORS as exc:
            if self._finished:
                # The answer is complete; a server that then stalls or drops the connection
                # instead of ending the body cleanly costs it the connection, not the answer.
                self._eof = True
                self._events = []
                return
            raise self._fail(self._read_error(exc)) from None
        if data:
            self._read_size = _READ_SIZE
            self._events = self._decoder.feed(data)
            self._pos = 0
            return
        self._eof = True
        self._events = self._decoder.close()
        self._pos = 0
        if self._decoder.has_pending and not self._finished:
            raise self._fail(
                StreamError(
                    f"the {self._kind} stopped in the middle of an event (connection cut?)",
                    method="POST",
                    url=self._url,
                )
            )
        if not self._finished:
            raise self._fail(
                StreamError(
                    f"the {self._kind} ended without {self._final_name}",
                    method="POST",
                    url=self._url,
                )
            )

    def _read_error(self, exc: BaseException) -> PineconeError:
        url = self._url
        if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
            idle = self._request.transport.config.timeouts.stream_idle
            return APITimeoutError(
                f"the {self._kind} sent nothing for {idle:g}s (idle timeout): POST {url}",
                method="POST",
                url=url,
            )
        secret = self._request.transport.config.api_key
        detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), secret)
        return StreamError(
            f"the connection was cut during the {self._kind}: {detail}", method="POST", url=url
        )

    def _fail(self, error: PineconeError) -> PineconeError:
        """Remember ``error`` so that later reads (and ``final()``) raise it again."""
        self._error = error
        self._eof = True
        self._events = []
        return error

    def _malformed(self, data: str, exc: ValidationError) -> PineconeError:
        line = redact("data: " + data, self._request.transport.config.api_key)
        shown = line if len(line) <= _SHOWN else line[: _SHOWN - 3] + "..."
        server = _server_error(data)
        if server is not None:
            secret = self._request.transport.config.api_key
            message = f"the service reported an error during the {self._kind}: {server}"
            message = redact(message, secret)
        else:
            message = f"malformed chunk in the {self._kind} ({_reason(exc)}): {shown!r}"
        return self._fail(StreamError(message, line=line, method="POST", url=self._url))

    async def _drain(self) -> None:
        """Read (and account for) every remaining chunk."""
        async for _ in self:
            pass

    def _on_event(self, event: ServerSentEvent) -> C | None:  # pragma: no cover - abstract
        raise NotImplementedError
