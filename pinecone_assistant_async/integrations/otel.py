"""OpenTelemetry tracing: a span per operation, a child span per HTTP attempt.

Needs the optional extra: ``pip install "pinecone-assistant-async[otel]"`` (opentelemetry-api;
bring your own SDK and exporter). Nothing is traced, and nothing is imported, until you call
:func:`instrument`:

>>> from pinecone_assistant_async.integrations.otel import instrument   # doctest: +SKIP
>>> tracing = instrument(client)            # the global tracer provider, or tracer_provider=
>>> tracing.uninstrument()                  # stop                       # doctest: +SKIP

Spans follow the OpenTelemetry semantic conventions for generative AI (``gen_ai.*``) and for HTTP
clients (``http.*``, ``url.full``, ``server.*``):

* one ``CLIENT`` span per operation: ``chat {model}`` for ``chat``, ``chat_completions`` and
  their streams (``gen_ai.operation.name = "chat"``, ``gen_ai.provider.name = "pinecone"``,
  ``gen_ai.request.model``, ``gen_ai.response.model``, ``gen_ai.response.id``,
  ``gen_ai.response.finish_reasons``, ``gen_ai.usage.input_tokens`` / ``output_tokens``), or the
  operation's name for everything else (``context``, ``files.upload``, ``assistants.describe``,
  ...). Every operation span also has ``pinecone.operation``, ``pinecone.assistant.name``,
  ``http.response.status_code``, ``pinecone.request_id`` and ``pinecone.retries``, and an event
  ``pinecone.retry`` (with its reason and delay) per retry. A streamed answer's span ends when
  the stream closes and carries ``pinecone.stream.time_to_first_chunk`` (seconds from the start
  of the call to the first bytes of the body) and ``pinecone.stream.events``.
* one ``CLIENT`` span per HTTP attempt under it, named after the method: ``http.request.method``,
  ``url.full``, ``server.address``, ``server.port``, ``http.response.status_code``,
  ``http.request.resend_count`` on retries, and ``error.type`` when it failed.

The API key is never recorded (request headers are not). Prompts and answers are recorded only
with ``capture_content=True`` (``gen_ai.input.messages``, ``gen_ai.output.messages``, as JSON).
A failing exporter or tracer is reported on the ``pinecone_assistant_async.hooks`` logger and
never changes a call's outcome.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

try:
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "pinecone_assistant_async.integrations.otel needs opentelemetry-api: "
        'pip install "pinecone-assistant-async[otel]"'
    ) from exc

from .._observe import Call, retry_reason
from .._version import __version__

if TYPE_CHECKING:
    from ..client import AssistantClient

__all__ = ["Tracing", "instrument"]

PROVIDER = "pinecone"
_CHAT_OPERATIONS = ("chat", "chat_completions")
_OP, _ATTEMPT = 0, 1


def _server(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    out: dict[str, Any] = {}
    if parts.hostname:
        out["server.address"] = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    out["server.port"] = port
    return out


def _finish_reasons(result: Any) -> list[str]:
    reason = getattr(result, "finish_reason", None)
    if reason is not None:
        return [str(reason)]
    choices = getattr(result, "choices", None) or []
    return [str(c.finish_reason) for c in choices if getattr(c, "finish_reason", None)]


def _output_messages(result: Any) -> list[dict[str, Any]]:
    message = getattr(result, "message", None)
    if message is not None:
        return [{"role": message.role, "content": message.content}]
    return [
        {"role": c.message.role, "content": c.message.content}
        for c in getattr(result, "choices", None) or []
    ]


class Tracing:
    """The tracer attached to a client by :func:`instrument` (a sink of its instruments)."""

    def __init__(
        self, client: AssistantClient, tracer: trace.Tracer, *, capture_content: bool
    ) -> None:
        self._client = client
        self._tracer = tracer
        self.capture_content = capture_content
        self._key = id(self)
        self._on = True

    @property
    def live(self) -> bool:
        return self._on

    def uninstrument(self) -> None:
        """Stop tracing this client (and the clients derived from it)."""
        self._on = False
        self._client._t.instruments.remove(self)

    # -- spans ----------------------------------------------------------------------------

    def _spans(self, call: Call) -> list[Any]:
        spans: list[Any] | None = call.scratch.get(self._key)
        if spans is None:
            spans = call.scratch[self._key] = [None, None]
        return spans

    async def call_started(self, call: Call) -> None:
        chat = call.operation in _CHAT_OPERATIONS
        attributes: dict[str, Any] = {
            "pinecone.operation": call.operation,
            "gen_ai.provider.name": PROVIDER,
            **_server(call.url),
        }
        if call.assistant is not None:
            attributes["pinecone.assistant.name"] = call.assistant
        if chat:
            attributes["gen_ai.operation.name"] = "chat"
            if call.model is not None:
                attributes["gen_ai.request.model"] = call.model
            body = call.body if isinstance(call.body, dict) else {}
            if isinstance(body.get("temperature"), float):
                attributes["gen_ai.request.temperature"] = body["temperature"]
            if self.capture_content and "messages" in body:
                attributes["gen_ai.input.messages"] = json.dumps(body["messages"])
        if call.stream:
            attributes["pinecone.stream"] = True
        name = f"chat {call.model}" if chat and call.model else call.operation
        span = self._tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
        self._spans(call)[_OP] = span

    async def request_sent(self, call: Call) -> None:
        spans = self._spans(call)
        parent = spans[_OP]
        context = trace.set_span_in_context(parent) if parent is not None else None
        attributes: dict[str, Any] = {
            "http.request.method": call.method,
            "url.full": call.url,
            **_server(call.url),
        }
        if call.attempts > 1:
            attributes["http.request.resend_count"] = call.attempts - 1
        spans[_ATTEMPT] = self._tracer.start_span(
            call.method, context=context, kind=SpanKind.CLIENT, attributes=attributes
        )

    async def response_received(self, call: Call) -> None:
        spans = self._spans(call)
        span, spans[_ATTEMPT] = spans[_ATTEMPT], None
        if span is None:
            return
        status = call.status or 0
        span.set_attribute("http.response.status_code", status)
        if call.request_id:
            span.set_attribute("pinecone.request_id", call.request_id)
        if status >= 400:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR))
        span.end()

    async def attempt_failed(self, call: Call, error: BaseException) -> None:
        spans = self._spans(call)
        span, spans[_ATTEMPT] = spans[_ATTEMPT], None
        if span is None:  # its response already ended it
            return
        span.set_attribute("error.type", type(error).__name__)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()

    async def retry_scheduled(self, call: Call, delay: float) -> None:
        span = self._spans(call)[_OP]
        if span is not None:
            span.add_event(
                "pinecone.retry",
                {
                    "pinecone.retry.attempt": call.attempts,
                    "pinecone.retry.delay": delay,
                    "pinecone.retry.reason": retry_reason(call.last_error),
                },
            )

    async def stream_opened(self, call: Call) -> None:
        span = self._spans(call)[_OP]
        if span is not None:
            span.add_event("pinecone.stream.opened")

    async def stream_closed(self, call: Call) -> None:
        span = self._spans(call)[_OP]
        if span is None:
            return
        if call.time_to_first_chunk is not None:
            span.set_attribute("pinecone.stream.time_to_first_chunk", call.time_to_first_chunk)
        span.set_attribute("pinecone.stream.events", call.chunks)

    async def call_finished(self, call: Call) -> None:
        spans = self._spans(call)
        span, spans[_OP] = spans[_OP], None
        if span is None:
            return
        if call.status is not None:
            span.set_attribute("http.response.status_code", call.status)
        if call.request_id:
            span.set_attribute("pinecone.request_id", call.request_id)
        span.set_attribute("pinecone.retries", call.retries)
        result = call.result
        if result is not None:
            self._result_attributes(span, call, result)
        error = call.error
        if error is not None:
            status = getattr(error, "status", None)
            span.set_attribute("error.type", str(status) if status else type(error).__name__)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()

    def _result_attributes(self, span: Any, call: Call, result: Any) -> None:
        usage = getattr(result, "usage", None)
        if call.operation in _CHAT_OPERATIONS:
            model = getattr(result, "model", None)
            if model:
                span.set_attribute("gen_ai.response.model", str(model))
            response_id = getattr(result, "id", None)
            if response_id:
                span.set_attribute("gen_ai.response.id", str(response_id))
            reasons = _finish_reasons(result)
            if reasons:
                span.set_attribute("gen_ai.response.finish_reasons", reasons)
            if self.capture_content:
                span.set_attribute("gen_ai.output.messages", json.dumps(_output_messages(result)))
        if usage is not None:
            prompt = getattr(usage, "prompt_tokens", None)
            completion = getattr(usage, "completion_tokens", None)
            if isinstance(prompt, int):
                span.set_attribute("gen_ai.usage.input_tokens", prompt)
            if isinstance(completion, int):
                span.set_attribute("gen_ai.usage.output_tokens", completion)


def instrument(
    client: AssistantClient,
    *,
    tracer_provider: trace.TracerProvider | None = None,
    capture_content: bool = False,
) -> Tracing:
    """Trace every call of ``client`` (and of the clients ``with_options`` derives from it).

    ``tracer_provider``: where spans go (default: the global one). ``capture_content=True``
    also records the messages sent and the answers received (off by default: they may hold
    personal data).
    """
    tracer = trace.get_tracer(
        "pinecone_assistant_async", __version__, tracer_provider=tracer_provider
    )
    tracing = Tracing(client, tracer, capture_content=capture_content)
    client._t.instruments.add(tracing)
    return tracing
