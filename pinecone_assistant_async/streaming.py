"""Streamed answers: ``ChatStream`` and ``ChatCompletionStream``.

Both are async context managers and async iterators of typed chunks::

    async with client.chat_stream("docs", "What changed?") as stream:   # the request is sent here
        async for chunk in stream:          # MessageStartChunk, ContentChunk, CitationChunk, ...
            ...
        reply = await stream.final()        # the assembled ChatResponse

Entering sends the request, so an HTTP error (401, 404, 429 after retries, ...) raises from the
``async with`` line, never from inside the loop. A 200 that is not ``text/event-stream`` (a
proxy's page, a JSON body) raises ``ResponseDecodeError`` there too, with its status, content
type, request id and a bounded snippet of the body. Retries happen only while opening, before
any chunk reaches the caller; an error event that arrives before the first content (while
nothing has been handed out) counts as a failed opening and is retried under the same policy
and budget. Once open, the body is read in bounded reads (4 KiB first, so that the first chunk
never waits for a large buffer to be decoded, then 64 KiB) and decoded by
:class:`~._sse.SSEDecoder`; each ``data`` payload is parsed and validated in one pydantic-core
pass. How a stream can fail after it opened:

* the connection is cut, or the body stops in the middle of an event: ``StreamError``;
* the body ends (or sends ``[DONE]``) without its final chunk (``message_end``; for completions
  a ``finish_reason``): ``StreamError``;
* a chunk is not valid JSON or not a chunk: ``StreamError`` whose ``line`` is the offending
  ``data:`` line (an error event gives the server's message and ``code``);
* nothing arrives for ``Timeouts.stream_idle`` seconds: ``APITimeoutError``. Streams have no
  total deadline.

The stream ends the moment its final chunk arrives (``message_end``; for completions the chunk
that finishes the last choice, or ``[DONE]``; a ``[DONE]`` after ``message_end`` is the usual
end of a chat stream too, as in Pinecone's own SDK): ``async for`` stops there and the
connection goes back to the pool, even if the server keeps it open (heartbeats, trailing
bytes), in which case it is dropped instead. Events that arrived in the same read as the final
chunk are still delivered (a usage chunk after the finishing one); nothing is read after it, so
damage after it (a cut, a stall, a malformed or truncated trailing event) no longer fails the
stream.

A chunk of a ``type`` this SDK does not know arrives as ``UnknownChunk`` (all fields kept).
Leaving the ``async with`` before the end (``break``, an exception, cancellation) closes the
connection at once; a stream read to its end returns its connection to the pool.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ._event_stream import EventStream
from .models.chat import (
    CONTENT_CHUNK_PREFIX,
    ChatResponse,
    ChatStreamChunk,
    Citation,
    CitationChunk,
    ContentChunk,
    Message,
    MessageEndChunk,
    MessageStartChunk,
    parse_chat_chunk,
    parse_content_chunk,
    parse_known_chunk,
)
from .models.common import Usage
from .models.completions import (
    ChatCompletion,
    ChatCompletionChunk,
    CompletionChoice,
    parse_completion_chunk,
    validate_completion_chunk,
)

if TYPE_CHECKING:
    from ._transport import Transport

__all__ = ["ChatCompletionStream", "ChatStream", "StreamRequest"]

_DONE = "[DONE]"


@dataclass(frozen=True)
class StreamRequest:
    """What to send when a stream is entered (built and checked by the chat service)."""

    transport: Transport
    assistant: str
    path: str
    body: dict[str, Any]
    timeout: float | None
    encoded: bytes  # the body as sent (encoded once, when the request was checked)


class ChatStream(EventStream[ChatStreamChunk]):
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

    def _on_event(self, data: str) -> ChatStreamChunk | None:
        try:
            chunk = parse_chat_chunk(data)
        except ValidationError as exc:
            if self._finished:  # [DONE] or damage after message_end: the answer stands
                self._discard_rest()
                return None
            failure = self._ended_without_final() if data == _DONE else self._malformed(data, exc)
        else:
            self._account(chunk)
            return chunk
        raise failure  # outside the except block: the ValidationError is not kept as context

    def _account(self, chunk: ChatStreamChunk) -> None:
        """Keep what ``final()`` assembles; the final chunk ends the stream."""
        match chunk:
            case ContentChunk():
                self._parts.append(chunk.delta.content)
            case CitationChunk():
                self._citations.append(chunk.citation)
            case MessageStartChunk():
                self._start = chunk
            case MessageEndChunk():
                self._end = chunk
                self._finished = True

    async def _chunks(self) -> AsyncGenerator[ChatStreamChunk, None]:
        # The per-token path, inlined (profiled: a call frame per chunk is measurable): a
        # payload that starts like a content chunk goes straight to ContentChunk's validator,
        # any other known chunk through pydantic-core's tagged union. Anything either rejects
        # (an unknown type, [DONE], damage) takes the general path, _next, which decides, so
        # the errors and their place in the stream are the general path's. The state is read
        # again after every yield: the caller may have closed the stream meanwhile.
        while True:
            pos = self._pos
            events = self._events
            if pos < len(events):
                data = events[pos]
                content = known = None
                try:
                    if data.startswith(CONTENT_CHUNK_PREFIX):
                        content = parse_content_chunk(data)
                    else:
                        known = parse_known_chunk(data)
                except ValidationError:
                    pass
                if content is not None:
                    self._pos = pos + 1
                    self._parts.append(content.delta.content)
                    yield content
                    continue
                if known is not None:
                    self._pos = pos + 1
                    self._account(known)
                    yield known
                    continue
            try:
                chunk = await self._next()
            except StopAsyncIteration:
                return
            yield chunk

    def _carries_content(self, data: str) -> bool:
        if data.startswith(CONTENT_CHUNK_PREFIX):  # a content chunk, or damage: both count
            return True
        try:
            return not isinstance(parse_chat_chunk(data), MessageStartChunk)
        except ValidationError:
            return True

    def text(self) -> AsyncIterator[str]:
        """The answer's text deltas, in order (other chunks are consumed silently)."""
        return self._text()

    async def _text(self) -> AsyncGenerator[str, None]:
        async for chunk in self:
            if type(chunk) is ContentChunk and chunk.delta.content:
                yield chunk.delta.content

    async def final(self) -> ChatResponse:
        """Read the rest of the stream and return the answer it carried, assembled.

        The result has the same fields as ``chat()`` returns: message, citations, usage,
        finish_reason, model, id, context_snippet_count, content_filter_results.
        """
        if self._final is None:
            await self._drain()
            self._final = self._assemble()
            self._final._stamp(self.request_id)
        return self._final

    def _carried_usage(self) -> Usage | None:
        return None if self._end is None else self._end.usage

    def _outcome(self) -> ChatResponse | None:
        if self._final is None and self._end is not None:
            return self._assemble()
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


class _Choice:
    __slots__ = ("finish_reason", "parts", "role")

    def __init__(self) -> None:
        self.role: str | None = None
        self.parts: list[str] = []
        self.finish_reason: Any = None


class ChatCompletionStream(EventStream[ChatCompletionChunk]):
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
        self._final: ChatCompletion | None = None

    def _on_event(self, data: str) -> ChatCompletionChunk | None:
        try:
            chunk = parse_completion_chunk(data)
        except ValidationError as exc:
            if data == _DONE or self._finished:  # nothing after [DONE] or damage counts
                self._finished = True
                self._discard_rest()
                return None
            failure = self._malformed(data, exc)
        else:
            self._add(chunk)
            return chunk
        raise failure  # outside the except block: the ValidationError is not kept as context

    async def _chunks(self) -> AsyncGenerator[ChatCompletionChunk, None]:
        # The per-token path, inlined as for ChatStream: a chunk that validates is accounted
        # and yielded; anything else ([DONE], damage) takes the general path, _next.
        while True:
            pos = self._pos
            events = self._events
            if pos < len(events):
                try:
                    chunk = validate_completion_chunk(events[pos])
                except ValidationError:
                    pass
                else:
                    self._pos = pos + 1
                    self._add(chunk)
                    yield chunk
                    continue
            try:
                chunk = await self._next()
            except StopAsyncIteration:
                return
            yield chunk

    def _add(self, chunk: ChatCompletionChunk) -> None:
        if self._id is None:
            self._id, self._model = chunk.id, chunk.model
        choices = self._choices
        finishing = False
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
                finishing = True
        # The final chunk: every choice seen so far has its finish_reason (the service sends
        # one choice; with several, the stream is over once the last of them has finished).
        # Only a chunk that finishes a choice can be it: a new choice starts unfinished.
        if finishing and all(s.finish_reason is not None for s in choices.values()):
            self._finished = True
        extra = chunk.__pydantic_extra__
        if extra and extra.get("usage") is not None:
            self._usage = Usage.model_validate(extra["usage"])

    def _carries_content(self, data: str) -> bool:
        try:
            chunk = parse_completion_chunk(data)
        except ValidationError:
            return True
        return any(c.delta.content or c.finish_reason is not None for c in chunk.choices)

    def text(self) -> AsyncIterator[str]:
        """The content deltas of choice 0, in order."""
        return self._text()

    async def _text(self) -> AsyncGenerator[str, None]:
        async for chunk in self:
            for choice in chunk.choices:
                if choice.index == 0 and choice.delta.content:
                    yield choice.delta.content
                    break

    async def final(self) -> ChatCompletion:
        """Read the rest of the stream and return the completion it carried, assembled."""
        if self._final is None:
            await self._drain()
            self._final = self._build()
            self._final._stamp(self.request_id)
        return self._final

    def _carried_usage(self) -> Usage | None:
        return self._usage

    def _outcome(self) -> ChatCompletion | None:
        return self._build() if self._finished and self._final is None else self._final

    def _build(self) -> ChatCompletion:
        return ChatCompletion(
            id=self._id or "",
            model=self._model or "",
            choices=[
                CompletionChoice(
                    index=index,
                    message=Message(role=state.role or "assistant", content="".join(state.parts)),
                    finish_reason=state.finish_reason,
                )
                for index, state in sorted(self._choices.items())
            ],
            usage=self._usage,
        )
