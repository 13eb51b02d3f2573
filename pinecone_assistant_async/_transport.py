"""The one request funnel: URLs, headers, the session, retries, deadlines and error mapping.

Only this module (and the upload payloads it is handed) touches aiohttp. Services call
:meth:`Transport.request`, :meth:`Transport.request_model` or :meth:`Transport.stream`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
import anyio
from pydantic import BaseModel, ValidationError

from ._errors_map import connection_error, redact, status_error
from ._hosts import HostCache
from ._retry import Replay, RetryBudget
from ._retrying import Deadline, is_deadline, run_with_retries, timed_out
from ._version import __version__
from .config import ClientConfig
from .errors import (
    ClientClosedError,
    NotFoundError,
    PineconeError,
    ResponseDecodeError,
)

__all__ = ["BodyFactory", "RawResponse", "Transport", "path_segment"]

logger = logging.getLogger("pinecone_assistant_async")

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
BodyFactory = Callable[[], Awaitable[Any]]
"""Builds a fresh request body for each attempt (raises if the body cannot be sent again)."""

_TRANSPORT_ERRORS = (aiohttp.ClientError, OSError, TimeoutError, asyncio.TimeoutError)


def _first_problem(exc: ValidationError) -> str:
    """Where and why a body failed validation (``name: Field required``), without its input."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return str(exc).splitlines()[0]
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))


def path_segment(value: str) -> str:
    """Quote one URL path segment."""
    return quote(value, safe="")


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes


class Transport:
    """Owns (or borrows) one ``aiohttp.ClientSession`` and sends every request of a client."""

    def __init__(self, config: ClientConfig, session: aiohttp.ClientSession | None = None) -> None:
        self.config = config
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self.budget = RetryBudget(config.retry.budget_ratio, config.retry.budget_burst)
        self.hosts = HostCache(self._lookup_host)
        self.sleep: Callable[[float], Awaitable[None]] = anyio.sleep
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

    # -- session lifecycle ---------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this AssistantClient is closed; create a new one")
        if self._session is None:
            limits = self.config.limits
            connector = aiohttp.TCPConnector(
                limit=limits.max_connections,
                limit_per_host=limits.per_host,
                keepalive_timeout=limits.keepalive,
                ssl=self.config.ssl,
            )
            self._session = aiohttp.ClientSession(connector=connector)
        elif self._session.closed:
            raise ClientClosedError("the aiohttp session given to AssistantClient is closed")
        return self._session

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()

    def warn_if_unclosed(self, owner: object) -> None:
        session = self._session
        if not self._closed and self._owns_session and session is not None and not session.closed:
            warnings.warn(
                f"unclosed {type(owner).__name__}: use 'async with' or 'await aclose()'",
                ResourceWarning,
                stacklevel=2,
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
            raise ResponseDecodeError(
                f"the service did not say where assistant {assistant!r} is hosted",
                method="GET",
                url=url,
            )
        return host

    # -- requests --------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        replay: Replay = Replay.SAFE,
        timeout: float | None = None,
        assistant: str | None = None,
    ) -> RawResponse:
        """Send one logical request (with retries) and return its successful response."""
        data = None if json_body is None else json.dumps(json_body, separators=(",", ":"))
        headers = self._headers
        if data is not None:
            headers = {**headers, "Content-Type": "application/json"}

        async def attempt(deadline: Deadline | None) -> RawResponse:
            payload = await body() if body is not None else data
            return await self._send(method, url, params, payload, headers, deadline)

        deadline = self.config.timeouts.total if timeout is None else timeout
        return await self._run(attempt, method, url, replay, deadline, assistant)

    async def request_model(self, model: type[M], method: str, url: str, **kwargs: Any) -> M:
        raw = await self.request(method, url, **kwargs)
        return self.decode(model, raw.body, method=method, url=url)

    def decode(self, model: type[M], body: bytes, *, method: str, url: str) -> M:
        try:
            return model.model_validate_json(body)
        except ValidationError as exc:
            detail = redact(_first_problem(exc), self.config.api_key)
        # Raised outside the except block: the ValidationError (which quotes the body, and
        # with it anything the body echoed) must not ride along as __context__.
        raise ResponseDecodeError(
            f"unexpected response body for {method} {url}: {detail}", method=method, url=url
        )

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        json_body: Any,
        timeout: float | None = None,
        assistant: str | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open a streaming response; retries happen only before it is handed out.

        The response is closed on exit: released for reuse when fully read, otherwise its
        connection is dropped at once (early exit, ``break``, cancellation).
        """
        data = json.dumps(json_body, separators=(",", ":"))
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
        }

        async def attempt(deadline: Deadline | None) -> aiohttp.ClientResponse:
            return await self._open_stream(method, url, data, headers, deadline)

        deadline = self.config.timeouts.total if timeout is None else timeout
        response = await self._run(attempt, method, url, Replay.SAFE, deadline, assistant)
        try:
            yield response
        finally:
            if response.content.is_eof():
                response.release()
            else:
                response.close()

    def map_stream_error(self, exc: BaseException, *, method: str, url: str) -> PineconeError:
        """A typed error for a failure while reading a stream's body."""
        return connection_error(exc, method=method, url=url, secret=self.config.api_key)

    # -- internals -------------------------------------------------------------------------

    async def _run(
        self,
        attempt: Callable[[Deadline | None], Awaitable[T]],
        method: str,
        url: str,
        replay: Replay,
        deadline_s: float | None,
        assistant: str | None,
    ) -> T:
        self.budget.record_attempt()
        try:
            return await run_with_retries(
                attempt,
                policy=self.config.retry,
                budget=self.budget,
                replay=replay,
                deadline=Deadline.after(deadline_s),
                sleep=self.sleep,
                method=method,
                url=url,
            )
        except NotFoundError:
            if assistant is not None:
                self.hosts.forget(assistant)
            raise

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        payload: Any,
        headers: Mapping[str, str],
        deadline: Deadline | None,
    ) -> RawResponse:
        session = self.session
        timeout = self._unary_timeout
        if deadline is not None:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise timed_out(deadline, method, url)
            timeout = aiohttp.ClientTimeout(total=remaining, sock_connect=timeout.sock_connect)
        debug = logger.isEnabledFor(logging.DEBUG)
        started = anyio.current_time() if debug else 0.0
        try:
            async with session.request(
                method,
                url,
                params=params,
                data=payload,
                headers=headers,
                timeout=timeout,
                proxy=self.config.proxy,
                allow_redirects=False,  # the Api-Key header would follow to any host
            ) as resp:
                raw = await resp.read()
                status, response_headers = resp.status, resp.headers
        except _TRANSPORT_ERRORS as exc:
            logger.debug("%s %s failed: %s", method, url, type(exc).__name__)
            if deadline is not None and is_deadline(exc):
                raise timed_out(deadline, method, url) from None
            raise connection_error(
                exc, method=method, url=url, secret=self.config.api_key
            ) from None
        if debug:
            elapsed = (anyio.current_time() - started) * 1e3
            logger.debug("%s %s -> %d in %.1f ms", method, url, status, elapsed)
        if status >= 300:
            raise status_error(
                status, raw, response_headers, method=method, url=url, secret=self.config.api_key
            )
        return RawResponse(status, response_headers, raw)

    async def _open_stream(
        self,
        method: str,
        url: str,
        data: str,
        headers: Mapping[str, str],
        deadline: Deadline | None,
    ) -> aiohttp.ClientResponse:
        session = self.session
        # Only the opening (until the status line and headers) has a deadline; the body
        # is bounded by the idle timeout alone.
        remaining = None if deadline is None else deadline.remaining()
        try:
            with anyio.fail_after(remaining):
                resp = await session.request(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    timeout=self._stream_timeout,
                    proxy=self.config.proxy,
                    allow_redirects=False,
                )
        except TimeoutError:
            if deadline is None:  # pragma: no cover - fail_after(None) never times out
                raise
            raise timed_out(deadline, method, url) from None
        except _TRANSPORT_ERRORS as exc:
            raise connection_error(
                exc, method=method, url=url, secret=self.config.api_key
            ) from None
        if resp.status >= 300:
            try:
                raw = await resp.read()
            except _TRANSPORT_ERRORS:
                raw = b""
            finally:
                resp.release()
            raise status_error(
                resp.status, raw, resp.headers, method=method, url=url, secret=self.config.api_key
            )
        logger.debug("%s %s -> %d (stream opened)", method, url, resp.status)
        return resp
