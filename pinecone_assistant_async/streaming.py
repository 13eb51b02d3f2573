"""Streamed answers: ``ChatStream`` and ``ChatCompletionStream``.

Both are async context managers and async iterators of typed chunks::

    async with client.chat_stream("docs", "What changed?") as stream:   # the request is sent here
        async for chunk in stream:          # MessageStartChunk, ContentChunk, CitationChunk, ...
            ...
        reply = await stream.final()        # the assembled ChatResponse

Entering sends the request, so an HTTP error (401, 404, 429 after retries, ...) raises from the
``async with`` line, never from inside the loop. Retries happen only while opening, before any
byte reaches the caller. Once open, the body is read in reads of at most 64 KiB (so the first
chunk never waits for a large buffer to be decoded) and decoded by
:class:`~._sse.SSEDecoder`; each ``data`` payload is parsed and validated in one pydantic-core
pass. How a stream can fail after it opened:

* the connection is cut, or the body stops in the middle of an event: ``StreamError``;
* the body ends cleanly but without its final chunk (``message_end``; for completions a
  ``finish_reason`` or ``[DONE]``): ``StreamError``;
* a chunk is not valid JSON or not a chunk: ``StreamError`` whose ``line`` is the offending
  ``data:`` line (an error object sent mid-stream gives the server's message);
* nothing arrives for ``Timeouts.stream_idle`` seconds: ``APITimeoutError``. Streams have no
  total deadline.

A chunk of a ``type`` this SDK does not know arrives as ``UnknownChunk`` (all fields kept).
Leaving the ``async with`` before the end (``break``, an exception, cancellation) closes the
connection at once; a stream read to its end returns its connection to the pool.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
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
from .models.chat import (
    ChatResponse,
    ChatStreamChunk,
    Citation,
    CitationChunk,
    ContentChunk,
    Message,
    MessageEndChunk,
    MessageStartChunk,
    parse_chat_chunk,
)
from .models.common import Usage
from .models.completions import (
    ChatCompletion,
    ChatCompletionChunk,
    CompletionChoice,
    parse_completion_chunk,
)

__all__ = ["ChatCompletionStream", "ChatStream", "StreamRequest"]

C = TypeVar("C")
S = TypeVar("S", bound="_EventStream[Any]")

_READ_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError, TimeoutError)
_DONE = "[DONE]"
_SHOWN = 200  # characters of an offending line quoted in an error message
_READ_SIZE = 65536  # at most this many bytes are decoded before the next chunk is yielded


@dataclass(frozen=True)
class StreamRequest:
    """What to send when a stream is entered (built and checked by the chat service)."""

    transport: Transport
    assistant: str
    path: str
    body: dict[str, Any]
    timeout: float | None


_BY_TAG: dict[str, Callable[[str], ChatStreamChunk]] = {
    "content_chunk": ContentChunk.model_validate_json,
    "citation": CitationChunk.model_validate_json,
    "message_start": MessageStartChunk.model_validate_json,
    "message_end": MessageEndChunk.model_validate_json,
}
_TAG_PREFIXES = ('{"type":"', '{"type": "')


def _parse_chat_data(data: str) -> ChatStreamChunk:
    """``parse_chat_chunk`` with a shortcut for payloads that open with their ``type``.

    The union's callable discriminator makes pydantic-core build a Python dict before it
    validates; when the payload starts with ``{"type":"<known>"`` the model for that type is
    validated straight from the JSON instead (about twice as fast). Whenever the shortcut does
    not apply or does not validate, the general parser decides, so the result (or the error)
    is always the one ``parse_chat_chunk`` gives.
    """
    if data.startswith(_TAG_PREFIXES):
        start = 9 if data[8] == '"' else 10
        validate = _BY_TAG.get(data[start : data.find('"', start)])
        if validate is not None:
            try:
                return validate(data)
            except ValidationError:
                pass
    return parse_chat_chunk(data)


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


class _EventStream(Generic[C]):
    """Opening, reading, decoding and closing; subclasses turn events into chunks."""

    _kind = "stream"
    _final_name = "its final chunk"

    def __init__(self, request: StreamRequest) -> None:
        self._request = request
        self._cm: AbstractAsyncContextManager[aiohttp.ClientResponse] | None = None
        self._response: aiohttp.ClientResponse | None = None
        self._decoder = SSEDecoder()
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

    def __aiter__(self) -> _EventStream[C]:
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
            data = await response.content.read(_READ_SIZE)
        except _READ_ERRORS as exc:
            raise self._fail(self._read_error(exc)) from None
        if data:
            self._events = self._decoder.feed(data)
            self._pos = 0
            return
        self._eof = True
        self._events = self._decoder.close()
        self._pos = 0
        if self._decoder.has_pending:
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
        line = "data: " + data
        shown = line if len(line) <= _SHOWN else line[: _SHOWN - 3] + "..."
        server = _server_error(data)
        if server is not None:
            message = f"the service reported an error during the {self._kind}: {server}"
        else:
            message = f"malformed chunk in the {self._kind} ({_reason(exc)}): {shown!r}"
        return self._fail(StreamError(message, line=line, method="POST", url=self._url))

    async def _drain(self) -> None:
        """Read (and account for) every remaining chunk."""
        async for _ in self:
            pass

    def _on_event(self, event: ServerSentEvent) -> C | None:  # pragma: no cover - abstract
        raise NotImplementedError


class ChatStream(_EventStream[ChatStreamChunk]):
    """The chunks of ``POST /chat/{assistant}`` with ``stream=true``.

    Iterate for typed chunks (``MessageStartChunk``, ``ContentChunk``, ``CitationChunk``,
    ``MessageEndChunk``, ``UnknownChunk``), or use :meth:`text` for the text deltas only;
    :meth:`final` reads whatever is left and returns the whole ``ChatResponse``.
    """

    _kind = "chat stream"
    _final_name = "a message_end chunk"

    def __init__(self, request: StreamRequest) -> None:
        super().__init__(request)
        self._parts: list[str] = []
        self._citations: list[Citation] = []
        self._start: MessageStartChunk | None = None
        self._end: MessageEndChunk | None = None
        self._final: ChatResponse | None = None

    def _on_event(self, event: ServerSentEvent) -> ChatStreamChunk | None:
        data = event.data
        try:
            chunk = _parse_chat_data(data)
        except ValidationError as exc:
            raise self._malformed(data, exc) from None
        kind = type(chunk)
        if kind is ContentChunk:
            self._parts.append(chunk.delta.content)  # type: ignore[union-attr]
        elif kind is CitationChunk:
            self._citations.append(chunk.citation)  # type: ignore[union-attr]
        elif kind is MessageStartChunk:
            self._start = chunk  # type: ignore[assignment]
        elif kind is MessageEndChunk:
            self._end = chunk  # type: ignore[assignment]
            self._finished = True
        return chunk

    def text(self) -> AsyncIterator[str]:
        """The answer's text deltas, in order (other chunks are consumed silently)."""
        return _ChatText(self)

    async def final(self) -> ChatResponse:
        """Read the rest of the stream and return the answer it carried, assembled.

        The result has the same fields as ``chat()`` returns: message, citations, usage,
        finish_reason, model, id, context_snippet_count, content_filter_results.
        """
        if self._final is None:
            await self._drain()
            self._final = self._assemble()
        return self._final

    def _assemble(self) -> ChatResponse:
        start, end = self._start, self._end
        assert end is not None  # a stream without message_end raised StreamError
        head: MessageStartChunk | MessageEndChunk = start if start is not None else end
        filters = end.content_filter_results
        if filters is None and start is not None:
            filters = start.content_filter_results
        return ChatResponse(
            id=head.id,
            message=Message(
                role=start.role if start is not None else "assistant",
                content="".join(self._parts),
            ),
            model=head.model,
            finish_reason=end.finish_reason,
            citations=list(self._citations),
            usage=end.usage,
            context_snippet_count=None if start is None else start.context_snippet_count,
            content_filter_results=filters,
        )


class _ChatText:
    __slots__ = ("_stream",)

    def __init__(self, stream: ChatStream) -> None:
        self._stream = stream

    def __aiter__(self) -> _ChatText:
        return self

    async def __anext__(self) -> str:
        stream = self._stream
        while True:
            chunk = await stream.__anext__()
            if type(chunk) is ContentChunk and chunk.delta.content:
                return chunk.delta.content


class _Choice:
    __slots__ = ("finish_reason", "parts", "role")

    def __init__(self) -> None:
        self.role: str | None = None
        self.parts: list[str] = []
        self.finish_reason: Any = None


class ChatCompletionStream(_EventStream[ChatCompletionChunk]):
    """The chunks of the OpenAI-compatible ``POST /chat/{assistant}/chat/completions``.

    The stream ends with a chunk carrying ``finish_reason`` and then ``data: [DONE]``; either
    one marks a complete stream. :meth:`text` yields the content deltas of choice 0;
    :meth:`final` returns the assembled ``ChatCompletion`` (``usage`` is ``None`` unless the
    service sent one in a chunk: the streamed chunk format has no usage field).
    """

    _kind = "chat completion stream"
    _final_name = "a finish_reason or [DONE]"

    def __init__(self, request: StreamRequest) -> None:
        super().__init__(request)
        self._choices: dict[int, _Choice] = {}
        self._id: str | None = None
        self._model: str | None = None
        self._usage: Usage | None = None
        self._done = False
        self._final: ChatCompletion | None = None

    def _on_event(self, event: ServerSentEvent) -> ChatCompletionChunk | None:
        if self._done:
            return None  # nothing counts after [DONE]
        data = event.data
        if data == _DONE:
            self._done = self._finished = True
            return None
        try:
            chunk = parse_completion_chunk(data)
        except ValidationError as exc:
            raise self._malformed(data, exc) from None
        if self._id is None:
            self._id, self._model = chunk.id, chunk.model
        choices = self._choices
        for choice in chunk.choices:
            state = choices.get(choice.index)
            if state is None:
                state = choices[choice.index] = _Choice()
            delta = choice.delta
            if delta.role is not None:
                state.role = delta.role
            if delta.content:
                state.parts.append(delta.content)
            if choice.finish_reason is not None:
                state.finish_reason = choice.finish_reason
                self._finished = True
        extra = chunk.__pydantic_extra__
        if extra and extra.get("usage") is not None:
            self._usage = Usage.model_validate(extra["usage"])
        return chunk

    def text(self) -> AsyncIterator[str]:
        """The content deltas of choice 0, in order."""
        return _CompletionText(self)

    async def final(self) -> ChatCompletion:
        """Read the rest of the stream and return the completion it carried, assembled."""
        if self._final is None:
            await self._drain()
            self._final = ChatCompletion(
                id=self._id or "",
                model=self._model or "",
                choices=[
                    CompletionChoice(
                        index=index,
                        message=Message(
                            role=state.role or "assistant", content="".join(state.parts)
                        ),
                        finish_reason=state.finish_reason,
                    )
                    for index, state in sorted(self._choices.items())
                ],
                usage=self._usage,
            )
        return self._final


class _CompletionText:
    __slots__ = ("_stream",)

    def __init__(self, stream: ChatCompletionStream) -> None:
        self._stream = stream

    def __aiter__(self) -> _CompletionText:
        return self

    async def __anext__(self) -> str:
        stream = self._stream
        while True:
            chunk = await stream.__anext__()
            for choice in chunk.choices:
                if choice.index == 0 and choice.delta.content:
                    return choice.delta.content
