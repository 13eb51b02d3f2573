"""``client.chat``, ``chat_stream``, ``chat_completions``, ``chat_completions_stream``, ``context``.

Every argument is checked before anything is sent (``InvalidInputError`` / ``InvalidTypeError``).
Limits follow the 2026-07 specification:

* ``top_k`` (context and ``context_options``): 1 to 64 snippets (the spec: "Maximum is 64");
* ``snippet_size``: 512 to 8192 tokens (the spec: "Minimum is 512 tokens. Maximum is 8192");
* ``include_binary_content=True`` needs multimodal snippets, so it is rejected together with
  ``multimodal=False`` (the spec: "Only available when multimodal=true");
* ``temperature``: a finite number from 0 to 2 (the spec gives no range; 2 is the largest value
  any of the offered models accepts);
* ``json_response=True`` cannot be streamed (the spec: "Cannot be used together with streaming").

Unary calls take ``timeout`` as their total deadline (retries included). For streams it bounds
opening the stream (until the response headers arrive, retries included); once open, a stream has
no total deadline, only the client's idle timeout (``Timeouts.stream_idle``) between two reads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from .._exchange import json_bytes
from .._messages import MessagesInput, to_wire_messages
from .._transport import path_segment
from .._validation import (
    check_assistant_name,
    check_bool,
    check_int_range,
    check_json_object,
    check_text,
    check_timeout,
)
from ..errors import InvalidInputError, InvalidTypeError
from ..models.chat import ChatResponse, ContextOptions
from ._base import Service

if TYPE_CHECKING:
    # Imported inside the calls that use them, as the services are on first use: a first
    # chat builds neither the stream classes nor the completion and context models.
    from ..models.completions import ChatCompletion
    from ..models.context import ContextResponse
    from ..streaming import ChatCompletionStream, ChatStream, StreamRequest

__all__ = ["ChatService", "check_context_options"]

TOP_K_MAX = 64
SNIPPET_SIZE_MIN = 512
SNIPPET_SIZE_MAX = 8192
TEMPERATURE_MAX = 2.0
M = TypeVar("M", bound=BaseModel)
_CONTEXT_OPTION_KEYS = ("top_k", "snippet_size", "multimodal", "include_binary_content")


def _check_model(model: object) -> str:
    if isinstance(model, Enum):
        model = model.value
    if not isinstance(model, str):
        raise InvalidTypeError(f"model must be a str, got {type(model).__name__}")
    if not model.strip():
        raise InvalidInputError("model must not be empty")
    return model


def _check_temperature(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidTypeError(f"temperature must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or not 0 <= value <= TEMPERATURE_MAX:
        raise InvalidInputError(
            f"temperature must be a number from 0 to {TEMPERATURE_MAX:g}, got {value!r}"
        )
    return float(value)


def _retrieval_options(
    *,
    top_k: object,
    snippet_size: object,
    multimodal: object,
    include_binary_content: object,
    prefix: str,
) -> dict[str, Any]:
    """The set retrieval options, checked, as wire fields."""
    out: dict[str, Any] = {}
    if top_k is not None:
        out["top_k"] = check_int_range(top_k, f"{prefix}top_k", 1, TOP_K_MAX)
    if snippet_size is not None:
        out["snippet_size"] = check_int_range(
            snippet_size, f"{prefix}snippet_size", SNIPPET_SIZE_MIN, SNIPPET_SIZE_MAX
        )
    if multimodal is not None:
        out["multimodal"] = check_bool(multimodal, f"{prefix}multimodal")
    if include_binary_content is not None:
        out["include_binary_content"] = check_bool(
            include_binary_content, f"{prefix}include_binary_content"
        )
    if out.get("include_binary_content") is True and out.get("multimodal") is False:
        raise InvalidInputError(
            f"{prefix}include_binary_content=True needs multimodal snippets; "
            f"it cannot be combined with {prefix}multimodal=False"
        )
    return out


def check_context_options(value: object) -> dict[str, Any] | None:
    """``context_options`` (a ``ContextOptions`` or a dict) as checked wire fields."""
    if value is None:
        return None
    if isinstance(value, ContextOptions):
        raw: Mapping[str, Any] = value.model_dump(exclude_none=True)
    elif isinstance(value, Mapping):
        raw = value
    else:
        raise InvalidTypeError(
            f"context_options must be a ContextOptions or a dict, got {type(value).__name__}"
        )
    unknown = [key for key in raw if key not in _CONTEXT_OPTION_KEYS]
    if unknown:
        raise InvalidInputError(
            f"context_options has unknown keys {sorted(map(str, unknown))}; "
            f"known: {', '.join(_CONTEXT_OPTION_KEYS)}"
        )
    return _retrieval_options(
        top_k=raw.get("top_k"),
        snippet_size=raw.get("snippet_size"),
        multimodal=raw.get("multimodal"),
        include_binary_content=raw.get("include_binary_content"),
        prefix="context_options.",
    )


def _completion_body(
    messages: MessagesInput, model: object, temperature: object, filter: object, stream: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messages": to_wire_messages(messages),
        "stream": stream,
        "model": _check_model(model),
    }
    if temperature is not None:
        body["temperature"] = _check_temperature(temperature)
    checked_filter = check_json_object(filter, "filter", max_bytes=None)
    if checked_filter is not None:
        body["filter"] = checked_filter
    return body


def _chat_body(
    messages: MessagesInput,
    *,
    model: object,
    temperature: object,
    filter: object,
    json_response: object,
    include_highlights: object,
    context_options: object,
    stream: bool,
) -> dict[str, Any]:
    body = _completion_body(messages, model, temperature, filter, stream)
    if check_bool(json_response, "json_response"):
        if stream:
            raise InvalidInputError(
                "json_response=True cannot be streamed; use chat() for a JSON answer"
            )
        body["json_response"] = True
    if check_bool(include_highlights, "include_highlights"):
        body["include_highlights"] = True
    options = check_context_options(context_options)
    if options:
        body["context_options"] = options
    return body


def _optional_timeout(timeout: object) -> float | None:
    return None if timeout is None else check_timeout(timeout)


class ChatService(Service):
    """Chat with an assistant, through its own API or the OpenAI-compatible one, and retrieve
    context snippets.

    >>> reply = await client.chat("docs", "What changed in 2026?")  # doctest: +SKIP
    >>> async with client.chat_stream("docs", "Summarise the guide") as stream:  # doctest: +SKIP
    ...     async for text in stream.text():
    ...         print(text, end="")
    ...     reply = await stream.final()
    """

    def _checked(
        self, assistant: str, suffix: str, body: dict[str, Any], timeout: object
    ) -> tuple[str, str, bytes, float | None]:
        """The assistant's name, the path, the body as sent and the timeout, all checked."""
        name = check_assistant_name(assistant)
        # Encoded once, here, before the host lookup sends anything: a lone surrogate anywhere
        # in the body is refused now (InvalidInputError), and every attempt sends these bytes.
        encoded = json_bytes(body)
        path = f"/chat/{path_segment(name)}{suffix}"
        return name, path, encoded, _optional_timeout(timeout)

    def _stream_request(
        self, assistant: str, suffix: str, body: dict[str, Any], timeout: object
    ) -> StreamRequest:
        from ..streaming import StreamRequest

        name, path, encoded, checked_timeout = self._checked(assistant, suffix, body, timeout)
        return StreamRequest(self._t, name, path, body, checked_timeout, encoded)

    async def _post(
        self,
        model: type[M],
        assistant: str,
        suffix: str,
        body: dict[str, Any],
        timeout: object,
        *,
        context: bool = False,
    ) -> M:
        name, path, encoded, checked_timeout = self._checked(assistant, suffix, body, timeout)
        url = await self._t.data_url(name, path)
        result = await self._t.request_model(
            model,
            "POST",
            url,
            json_body=body,
            encoded=encoded,
            timeout=checked_timeout,
            assistant=name,
        )
        # usage accounting, filed under the model asked for (context: no model)
        self._t.instruments.usage.record(
            name, body.get("model"), getattr(result, "usage", None), context=context
        )
        return result

    async def chat(
        self,
        assistant: str,
        /,
        messages: MessagesInput,
        *,
        model: str = "gpt-4o",
        temperature: float | None = None,
        filter: Mapping[str, Any] | None = None,
        json_response: bool = False,
        include_highlights: bool = False,
        context_options: ContextOptions | Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ChatResponse:
        """Ask ``assistant``; return the whole answer with its citations and usage.

        ``messages``: a question (``str``), a ``Message``, a ``{"role", "content"}`` dict or a
        list of them (roles default to ``"user"``). ``filter`` restricts retrieval by file
        metadata; ``context_options`` (``top_k``, ``snippet_size``, ``multimodal``,
        ``include_binary_content``) controls the context given to the model.
        """
        body = _chat_body(
            messages,
            model=model,
            temperature=temperature,
            filter=filter,
            json_response=json_response,
            include_highlights=include_highlights,
            context_options=context_options,
            stream=False,
        )
        return await self._post(ChatResponse, assistant, "", body, timeout)

    def chat_stream(
        self,
        assistant: str,
        /,
        messages: MessagesInput,
        *,
        model: str = "gpt-4o",
        temperature: float | None = None,
        filter: Mapping[str, Any] | None = None,
        include_highlights: bool = False,
        context_options: ContextOptions | Mapping[str, Any] | None = None,
        json_response: bool = False,
        timeout: float | None = None,
    ) -> ChatStream:
        """Stream the answer: use as ``async with client.chat_stream(...) as stream``.

        Entering sends the request (a 401 or 404 raises there); the stream then yields typed
        chunks. Arguments as :meth:`chat`; ``json_response=True`` is rejected here.
        """
        body = _chat_body(
            messages,
            model=model,
            temperature=temperature,
            filter=filter,
            json_response=json_response,
            include_highlights=include_highlights,
            context_options=context_options,
            stream=True,
        )
        from ..streaming import ChatStream

        return ChatStream(self._stream_request(assistant, "", body, timeout))

    async def chat_completions(
        self,
        assistant: str,
        /,
        messages: MessagesInput,
        *,
        model: str = "gpt-4o",
        temperature: float | None = None,
        filter: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ChatCompletion:
        """Ask ``assistant`` through the OpenAI-compatible endpoint."""
        from ..models.completions import ChatCompletion

        body = _completion_body(messages, model, temperature, filter, stream=False)
        return await self._post(ChatCompletion, assistant, "/chat/completions", body, timeout)

    def chat_completions_stream(
        self,
        assistant: str,
        /,
        messages: MessagesInput,
        *,
        model: str = "gpt-4o",
        temperature: float | None = None,
        filter: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ChatCompletionStream:
        """Stream an OpenAI-compatible completion: ``async with ... as stream``."""
        from ..streaming import ChatCompletionStream

        body = _completion_body(messages, model, temperature, filter, stream=True)
        return ChatCompletionStream(
            self._stream_request(assistant, "/chat/completions", body, timeout)
        )

    async def context(
        self,
        assistant: str,
        /,
        query: str | None = None,
        *,
        messages: MessagesInput | None = None,
        filter: Mapping[str, Any] | None = None,
        top_k: int | None = None,
        snippet_size: int | None = None,
        multimodal: bool | None = None,
        include_binary_content: bool | None = None,
        timeout: float | None = None,
    ) -> ContextResponse:
        """Retrieve the context snippets relevant to ``query`` or to ``messages`` (exactly one).

        ``top_k``: 1-64 snippets; ``snippet_size``: 512-8192 tokens; ``multimodal``: include
        image snippets; ``include_binary_content``: with them, the base64 image data.
        """
        from ..models.context import ContextResponse

        if (query is None) == (messages is None):
            raise InvalidInputError("pass exactly one of query= and messages=")
        body: dict[str, Any] = {}
        if query is not None:
            body["query"] = check_text(query, "query")
        else:
            body["messages"] = to_wire_messages(messages)
        checked_filter = check_json_object(filter, "filter", max_bytes=None)
        if checked_filter is not None:
            body["filter"] = checked_filter
        body.update(
            _retrieval_options(
                top_k=top_k,
                snippet_size=snippet_size,
                multimodal=multimodal,
                include_binary_content=include_binary_content,
                prefix="",
            )
        )
        return await self._post(ContextResponse, assistant, "/context", body, timeout, context=True)
