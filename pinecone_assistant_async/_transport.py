"""The one request funnel: URLs, headers, the session, retries, deadlines and error mapping.

Services call :meth:`Transport.request`, :meth:`Transport.request_model` or
:meth:`Transport.open_stream` and never touch aiohttp. Below this module, ``_errors_map`` turns
aiohttp's failures into typed errors, ``_retries`` runs the retries, ``_hosts`` caches the
data-plane hosts, and the upload payloads (``_uploads``) are aiohttp payloads; the stream
reader (``_event_stream``) reads the response this module opens.

The attempts are sent by the lower half, ``_attempts.AttemptSender`` (unary calls and streams
alike). Each attempt is bounded by the call's deadline and, for a safe request other than a
POST, by ``Timeouts.attempt`` too, so a stalled attempt is retried while the deadline lasts.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import aiohttp
import anyio

from ._attempts import AttemptSender, Request, Sleep
from ._errors_map import (
    decode_error,
    validation_summary,
)
from ._exchange import BodyFactory, RawResponse, RequestOptions, json_bytes
from ._hosts import HostCache
from ._observe import REQUEST_ID_HEADER, Instruments, observed_call
from ._pacing import Pacer
from ._retries import (
    AttemptBound,
    Deadline,
    Replay,
    RetryBudget,
)
from ._validation import check_wire_text
from ._version import __version__
from .config import ClientConfig
from .errors import PineconeError

if TYPE_CHECKING:  # typing.Unpack is 3.11+; annotations are not evaluated at run time
    from pydantic import BaseModel, ValidationError
    from typing_extensions import Unpack

__all__ = ["BodyFactory", "RawResponse", "Sleep", "Transport", "path_segment"]

logger = logging.getLogger("pinecone_assistant_async")

M = TypeVar("M", bound="BaseModel")


@functools.cache
def _model_tools() -> tuple[type[ValidationError], Callable[..., Any]]:
    """pydantic's error and the response parser, loaded with the first model parsed (the first
    client loads no pydantic)."""
    from pydantic import ValidationError

    from .models._base import parse_response

    return ValidationError, parse_response


@functools.lru_cache(maxsize=1024)  # assistant names, file ids: quoted for every request
def path_segment(value: str) -> str:
    """Quote one URL path segment."""
    return quote(value, safe="")


class Transport(AttemptSender):
    """Owns (or borrows) one ``aiohttp.ClientSession`` and sends every request of a client.

    ``sleep`` is the wait between retries and polls (a testing hook: a recorder makes
    backoff observable without waiting).
    """

    def __init__(
        self,
        config: ClientConfig,
        session: aiohttp.ClientSession | None = None,
        *,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        super().__init__(config, session)
        self.config = config
        self.budget = RetryBudget(config.retry.budget_ratio, config.retry.budget_burst)
        scheme = config.control_base.split("://", 1)[0]
        self.hosts = HostCache(self._lookup_host, scheme=scheme)
        self.sleep = sleep
        self.instruments = Instruments()  # hooks, tracers, usage totals: see _observe
        self.pacer = Pacer(  # client.py replaces it when given rate limits
            sleep=lambda seconds: self.sleep(seconds), max_hold=config.retry.max_retry_after
        )
        self._headers = {
            **config.extra_headers,
            "Api-Key": config.api_key,
            "X-Pinecone-Api-Version": config.api_version,
            "User-Agent": f"pinecone-assistant-async/{__version__} aiohttp/{aiohttp.__version__}",
        }
        t = config.timeouts
        self._unary_timeout = aiohttp.ClientTimeout(total=None, sock_connect=t.connect)
        self._stream_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=t.connect, sock_read=t.stream_idle
        )

    # -- URLs ------------------------------------------------------------------------------

    def control_url(self, path: str) -> str:
        return f"{self.config.control_base}/assistant{path}"

    def evaluation_url(self, path: str) -> str:
        return f"{self.config.evaluation_base}/assistant{path}"

    async def data_url(self, assistant: str, path: str) -> str:
        override = self.config.data_host_override
        base = override if override is not None else await self.hosts.get(assistant)
        return f"{base}/assistant{path}"

    async def _lookup_host(self, assistant: str) -> str:
        url = self.control_url(f"/assistants/{path_segment(assistant)}")
        raw = await self.request("GET", url)
        try:
            host = json.loads(raw.body).get("host")
        except (ValueError, AttributeError):
            host = None
        if not isinstance(host, str) or not host:
            raise self._decode_error(
                f"the service did not say where assistant {assistant!r} is hosted", raw, "GET", url
            )
        return host

    # -- requests --------------------------------------------------------------------------

    @observed_call
    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        encoded: bytes | None = None,
        body: BodyFactory | None = None,
        replay: Replay = Replay.SAFE,
        timeout: float | None = None,
        assistant: str | None = None,
    ) -> RawResponse:
        """Send one logical request (with retries) and return its successful response.

        ``timeout`` (default ``Timeouts.total``) bounds the whole call; ``assistant`` names
        the assistant of a data-plane call, whose host is re-described when a 404 says the
        assistant is not there; ``encoded``, when given, is ``json_body`` already encoded.
        """
        headers = self._headers
        data = encoded
        if data is None and json_body is not None:
            data = json_bytes(json_body)
        if data is not None:
            headers = {**headers, "Content-Type": "application/json"}
        if params:
            for name, value in params.items():
                check_wire_text(value, name)
        t = self.config.timeouts
        per_attempt = None
        if body is not None:
            per_attempt = t.upload
        elif replay is Replay.SAFE and method != "POST":
            per_attempt = t.attempt
        request = Request(method, params, data, body, headers, per_attempt)
        raw = await self._run(self._send, request, url, replay, timeout, assistant)
        return raw if request.sent == 1 else replace(raw, attempts=request.sent)

    @observed_call
    async def request_model(
        self, model: type[M], method: str, url: str, **options: Unpack[RequestOptions]
    ) -> M:
        raw = await self.request(method, url, **options)
        return self.decode(model, raw, method=method, url=url)

    def decode(self, model: type[M], raw: RawResponse, *, method: str, url: str) -> M:
        validation_error, parse_response = _model_tools()
        try:
            result: M = parse_response(model, raw.body, raw.headers.get(REQUEST_ID_HEADER))
            return result
        except validation_error as exc:
            reason = validation_summary(exc)
        # Raised outside the except block: the ValidationError (which quotes the body, and
        # with it anything the body echoed) must not ride along as __context__.
        raise self._decode_error(reason, raw, method, url)

    def _decode_error(self, reason: str, raw: RawResponse, method: str, url: str) -> PineconeError:
        return decode_error(
            reason,
            status=raw.status,
            headers=raw.headers,
            raw=raw.body,
            method=method,
            url=url,
            secret=self.config.api_key,
            attempts=raw.attempts,
        )

    async def open_stream(
        self,
        method: str,
        url: str,
        *,
        json_body: Any,
        encoded: bytes | None = None,
        timeout: float | None = None,
        assistant: str | None = None,
        prime: Callable[[aiohttp.ClientResponse], Awaitable[None]] | None = None,
    ) -> tuple[aiohttp.ClientResponse, int]:
        """Open a streaming response and say how many attempts it took; retries happen only
        before it is handed out. The caller closes it with :meth:`close_stream`.

        Only the opening (until the status line and headers) is bounded by ``timeout``; the
        body is bounded by the idle timeout alone. ``prime`` runs as part of each attempt once
        the headers are in (the stream checks the answer and reads its first events there):
        what it raises is retried like a failed opening, when the retry policy allows.
        """
        data = encoded if encoded is not None else json_bytes(json_body)
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
        }
        request = Request(method, None, data, None, headers, None, stream=True)

        async def send(
            request: Request, url: str, deadline: Deadline | None
        ) -> aiohttp.ClientResponse:
            request.sent += 1
            bound = AttemptBound(deadline, None, method, url)
            response = await bound.run(self._open(request, url))
            if prime is not None:
                try:
                    await prime(response)
                except BaseException:
                    response.close()
                    raise
            return response

        response = await self._run(send, request, url, Replay.SAFE, timeout, assistant)
        return response, request.sent

    @staticmethod
    def close_stream(response: aiohttp.ClientResponse) -> None:
        """Released for reuse when fully read, otherwise its connection is dropped at once
        (early exit, ``break``, cancellation)."""
        if response.content.is_eof():
            response.release()
        else:
            response.close()
