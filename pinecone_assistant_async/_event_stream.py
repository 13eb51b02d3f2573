"""The machinery shared by every streamed answer: open, read, decode, end, close.

:class:`EventStream` opens the response through :meth:`Transport.open_stream` when entered.
As part of each opening attempt it checks that the answer is an event stream and reads up to
its first events (``_prime``): an error event there, before any content, is retried like a
failed opening. It then reads the body in bounded reads, decodes it with
:class:`~._sse.SSEDecoder` and hands each event to the subclass's ``_on_event``, which turns it
into a typed chunk (or ``None`` to skip it) and says when the final chunk has arrived. The
stream ends right there: the connection goes back to the pool (or is dropped, if the server
keeps sending) without waiting for the server to close it. The failure rules are documented in
:mod:`.streaming`; the errors themselves are built by :mod:`._errors_map`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable
from types import AsyncGeneratorType, TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import aiohttp
import anyio
from pydantic import ValidationError

from ._errors_map import (
    TRANSPORT_ERRORS,
    malformed_chunk,
    not_an_event_stream,
    stream_error_event,
    stream_read_error,
)
from ._observe import CURRENT_CALL, REQUEST_ID_HEADER, Call, operation_name
from ._raw import ResponseInfo
from ._sse import SSEDecoder
from .errors import PineconeError, StreamError

if TYPE_CHECKING:
    from .streaming import StreamRequest

__all__ = ["EventStream"]

C = TypeVar("C")
S = TypeVar("S", bound="EventStream[Any]")

_FIRST_READ = 4096  # the first read is small, so the first chunk is yielded early
_READ_SIZE = 65536  # at most this many bytes are decoded before the next chunk is yielded
_SNIPPET_BYTES = 2048  # read of a body that is not an event stream, for the error
_SETTLE = 0.01  # after the final chunk: how long the end of the body may take to arrive
_EVENT_STREAM = "text/event-stream"


class EventStream(Generic[C]):
    """Opening, reading, decoding, ending and closing; subclasses turn events into chunks.

    A subclass implements ``_on_event`` (set ``self._finished`` on the final chunk) and
    ``_carries_content`` (whether an event is content, for the retry rule of ``_prime``).
    Once ``_finished`` is set, the events that arrived in the same read are still delivered
    (a usage chunk after the finishing one, ``[DONE]``), then the stream ends without
    reading again.
    """

    _kind = "stream"
    _final_name = "its final chunk"

    def __init__(self, request: StreamRequest) -> None:
        self._request = request
        self._held: aiohttp.ClientResponse | None = None  # open, to be closed
        self._response: aiohttp.ClientResponse | None = None  # the one being read
        self._decoder = SSEDecoder()
        self._read_size = _FIRST_READ
        self._events: list[str] = []  # the data of the events of the last read
        self._pos = 0
        self._eof = False  # nothing more will be read
        self._finished = False  # the final chunk (or sentinel) was seen
        self._error: PineconeError | None = None
        self._entered = False
        self._closed = False
        self._url = ""
        self._call: Call | None = None  # observability, when watched: hooks, spans, raw
        self._started = self._opened_at = 0.0  # for .response (watched: the call has them)
        self._attempts = 0
        self._first_data_at = 0.0
        self._event_count = 0
        self._iterator: AsyncGeneratorType[C, None] | None = None  # see __aiter__

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self: S) -> S:
        if self._entered:
            raise RuntimeError(f"this {type(self).__name__} was already entered once")
        self._entered = True
        request = self._request
        transport = request.transport
        self._url = await transport.data_url(request.assistant, request.path)
        instruments = transport.instruments
        self._started = time.perf_counter()
        call = None  # unwatched, the stream keeps the facts of .response itself
        if instruments.watching:  # the stream's record, told to hooks/tracers as it goes
            call = self._call = Call("POST", self._url, request.assistant, body=request.body,
                                     stream=True)  # fmt: skip
            await instruments.emit("call_started", call)
        # its attempts and retries are reported against its own call (or none), not an outer one
        token = None if call is None and CURRENT_CALL.get() is None else CURRENT_CALL.set(call)
        try:
            response, self._attempts = await transport.open_stream(
                "POST",
                self._url,
                json_body=request.body,
                encoded=request.encoded,
                timeout=request.timeout,
                assistant=request.assistant,
                prime=self._prime,
            )
        except BaseException as exc:
            if call is not None:
                await instruments.finish(call, exc)
            raise
        finally:
            if token is not None:
                CURRENT_CALL.reset(token)
        self._held = response
        if call is not None:
            await instruments.emit("stream_opened", call)
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
        self._iterator = None  # a generator left mid-stream holds self: no cycle to wait for gc
        if not self._eof:
            self._events = []  # unread chunks are gone with the connection
        await self._release()

    async def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._request.transport.close_stream(held)
            await self._observe_close()

    async def _observe_close(self) -> None:
        """Count the answer's usage and tell hooks/tracers that the stream closed."""
        request = self._request
        instruments = request.transport.instruments
        usage = self._carried_usage()
        if usage is not None:
            instruments.usage.record(request.assistant, request.body.get("model"), usage)
        call = self._call
        if call is None:
            return
        if self._first_data_at:
            call.time_to_first_chunk = self._first_data_at - call.started
        call.chunks = self._event_count
        call.usage = usage
        if instruments.active:
            call.result = self._outcome()
            await instruments.emit("stream_closed", call)
            await instruments.finish(call, self._error)

    def _carried_usage(self) -> Any:
        """The usage the stream carried, if it did (subclasses know where it is)."""
        return None

    def _outcome(self) -> Any:
        """The assembled answer when the stream ended complete, else None."""
        return None

    @property
    def response(self) -> ResponseInfo:
        """The HTTP facts of the stream (status, headers, elapsed time to the headers, attempts,
        request id), available as soon as it is entered, before the first chunk."""
        response = self._response
        if response is None or not self._attempts:
            raise RuntimeError(f"enter the {type(self).__name__} with 'async with' first")
        if self._call is not None:
            return ResponseInfo.of(self._call)
        headers = response.headers
        return ResponseInfo(
            operation_name("POST", self._url),
            "POST",
            self._url,
            response.status,
            headers,
            self._opened_at - self._started,
            self._attempts,
            headers.get(REQUEST_ID_HEADER),
        )

    @property
    def request_id(self) -> str | None:
        """The ``x-pinecone-request-id`` of the response, once entered."""
        response = self._response
        return None if response is None else response.headers.get("x-pinecone-request-id")

    # -- opening (each attempt) ----------------------------------------------------------

    async def _prime(self, response: aiohttp.ClientResponse) -> None:
        """Check that ``response`` is an event stream and read up to its first events.

        Runs inside the transport's retry loop: an error event among the events before the
        first content raises a ``StreamError`` with ``before_content`` set, retried (by the
        policy and budget of any opening) since nothing has reached the caller yet.
        """
        if "Content-Type" in response.headers and response.content_type != _EVENT_STREAM:
            try:
                raw = await response.content.read(_SNIPPET_BYTES)
            except TRANSPORT_ERRORS:
                raw = b""
            raise not_an_event_stream(
                response.status,
                response.content_type,
                raw,
                response.headers,
                kind=self._kind,
                url=self._url,
                secret=self._request.transport.config.api_key,
            )
        self._response = response  # a fresh start for each attempt
        self._opened_at = time.perf_counter()  # its headers are in
        self._decoder = SSEDecoder()
        self._read_size = _FIRST_READ
        self._events, self._pos = [], 0
        self._eof, self._error = False, None
        self._first_data_at, self._event_count = 0.0, 0
        while not self._events and not self._eof:
            await self._read()
        for data in self._events:
            error = stream_error_event(
                data,
                kind=self._kind,
                url=self._url,
                secret=self._request.transport.config.api_key,
                request_id=self.request_id,
                before_content=True,
            )
            if error is not None:
                raise error
            if self._carries_content(data):
                return

    # -- iteration -----------------------------------------------------------------------

    def __aiter__(self) -> AsyncGenerator[C, None]:
        # One async generator per stream, shared by ``async for`` and ``__anext__``: its step
        # costs less than an ``async def __anext__`` call (~0.05 vs ~0.12 us, measured). The
        # state lives on ``self``: a generator that ended (an error, a cancellation) is
        # replaced by one that goes on from there, and ``_next`` raises the error again.
        iterator = self._iterator
        if iterator is None or iterator.ag_frame is None:
            iterator = self._iterator = cast("AsyncGeneratorType[C, None]", self._chunks())
        return iterator

    def __anext__(self) -> Awaitable[C]:
        return self.__aiter__().__anext__()

    async def _chunks(self) -> AsyncGenerator[C, None]:
        """The general path; each stream class has a per-token path that falls back to it."""
        while True:
            try:
                chunk = await self._next()
            except StopAsyncIteration:
                return
            yield chunk

    async def _next(self) -> C:
        while True:
            events = self._events
            pos = self._pos
            if pos < len(events):
                self._pos = pos + 1
                chunk = self._on_event(events[pos])
                if chunk is not None:
                    return chunk
                continue
            if self._finished:
                await self._stop_at_final()
                raise StopAsyncIteration
            if self._eof:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            await self._read()

    def _discard_rest(self) -> None:
        """Drop the events of the current read that follow this one (after ``[DONE]``)."""
        self._events, self._pos = [], 0

    async def _stop_at_final(self) -> None:
        """The final chunk arrived and the events read with it are delivered: stop reading
        and give the connection back at once.

        The end of the body is usually already there (or a moment away); a server that keeps
        the connection open instead (heartbeats, trailing bytes) gets ``_SETTLE`` seconds and
        then the connection is dropped. Nothing read after the final chunk counts.
        """
        self._events, self._pos = [], 0
        if self._eof:
            return
        self._eof = True
        response = self._response
        if response is None or self._closed:
            return
        content = response.content
        if not content.is_eof():
            with anyio.move_on_after(_SETTLE):
                try:
                    while not content.is_eof() and await content.readany():
                        pass
                except TRANSPORT_ERRORS:
                    pass  # damage after the final chunk costs the connection, not the answer
        await self._release()

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
        failure: PineconeError | None = None
        try:
            data = await response.content.read(self._read_size)
        except TRANSPORT_ERRORS as exc:
            failure = stream_read_error(
                exc,
                kind=self._kind,
                url=self._url,
                idle=self._request.transport.config.timeouts.stream_idle,
                secret=self._request.transport.config.api_key,
            )
        if failure is not None:  # raised here, not in the except block: no __context__
            raise self._fail(failure)
        if data:
            if not self._first_data_at:
                self._first_data_at = time.perf_counter()
            self._read_size = _READ_SIZE
            self._events = events = self._decoder.feed_data(data)
            self._event_count += len(events)
            self._pos = 0
            return
        self._eof = True
        self._decoder.close()  # an unterminated event is discarded, never dispatched
        self._events, self._pos = [], 0
        if self._decoder.has_pending:
            message = f"the {self._kind} stopped in the middle of an event (connection cut?)"
        else:
            message = f"the {self._kind} ended without {self._final_name}"
        raise self._fail(StreamError(message, method="POST", url=self._url))

    def _fail(self, error: PineconeError) -> PineconeError:
        """Remember ``error`` so that later reads (and ``final()``) raise it again."""
        self._error = error
        self._eof = True
        self._events = []
        return error

    def _malformed(self, data: str, exc: ValidationError) -> PineconeError:
        """The error for a payload that did not parse (the caller raises it outside its
        ``except`` block, so the ValidationError, which quotes the payload, is not kept)."""
        error = malformed_chunk(
            data,
            exc,
            kind=self._kind,
            url=self._url,
            secret=self._request.transport.config.api_key,
            request_id=self.request_id,
        )
        return self._fail(error)

    def _ended_without_final(self) -> PineconeError:
        """``[DONE]`` before the final chunk: the answer is incomplete."""
        message = f"the {self._kind} ended without {self._final_name}"
        return self._fail(StreamError(message, method="POST", url=self._url))

    async def _drain(self) -> None:
        """Read (and account for) every remaining chunk."""
        async for _ in self:
            pass

    def _on_event(self, data: str) -> C | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _carries_content(self, data: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError
