"""Turning what aiohttp and the service say into this package's typed errors, in one place.

aiohttp exceptions are never chained, neither as ``__cause__`` nor as ``__context__`` (callers
raise our errors outside their ``except`` blocks): some of them (``ClientResponseError``) carry
the request headers, and with them the API key, in their ``repr``. Their class name and
message go into our message instead, with the key redacted.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import aiohttp

from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    PineconeError,
    ResponseDecodeError,
    StreamError,
    error_class_for_status,
)

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "TRANSPORT_ERRORS",
    "connection_error",
    "decode_error",
    "is_deadline",
    "malformed_chunk",
    "not_an_event_stream",
    "parse_retry_after",
    "payload_error",
    "redact",
    "request_id",
    "status_error",
    "stream_error_event",
    "stream_read_error",
    "validation_summary",
]

TRANSPORT_ERRORS = (aiohttp.ClientError, OSError, TimeoutError, asyncio.TimeoutError)
"""What sending a request or reading a body can raise below HTTP."""

_REQUEST_ID_HEADERS = ("x-pinecone-request-id", "x-request-id", "x-amzn-requestid")
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def redact(text: str, secret: str | None) -> str:
    """Remove every occurrence of ``secret`` from ``text``."""
    if secret and secret in text:
        return text.replace(secret, "[redacted]")
    return text


def is_deadline(exc: BaseException) -> bool:
    """A timeout from a deadline we set (not aiohttp's connect or idle timeout)."""
    timeouts = (TimeoutError, asyncio.TimeoutError)
    return isinstance(exc, timeouts) and not isinstance(exc, aiohttp.ConnectionTimeoutError)


def validation_summary(exc: ValidationError) -> str:
    """Where and why a body failed validation (``name: Field required``), without its input."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return str(exc).splitlines()[0]
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when is None:
            return None
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        return None
    return seconds


def request_id(headers: Mapping[str, str]) -> str | None:
    """The request id the service (or a proxy in front of it) put in the response headers."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def _message_from_text(status: int, text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return f"HTTP {status} with an empty body"
    title = _TITLE.search(stripped)
    if title:
        summary = _SPACES.sub(" ", _TAGS.sub(" ", title.group(1))).strip()
    else:
        summary = _SPACES.sub(" ", _TAGS.sub(" ", stripped)).strip()
    if len(summary) > 200:
        summary = summary[:197] + "..."
    return f"HTTP {status} with a non-JSON body: {summary or '(markup only)'}"


def _parse_body(status: int, raw: bytes) -> tuple[str | None, str, Any]:
    """(code, message, body) from an error body in any of the shapes the service uses."""
    text = raw.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text) if text.strip() else None
    except ValueError:
        return None, _message_from_text(status, text), text
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = error.get("code")
            message = error.get("message")
            return (
                str(code) if code is not None else None,
                str(message) if message else f"HTTP {status}",
                body,
            )
        if isinstance(error, str):
            return None, error, body
        for key in ("message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return None, value, body
            if value:
                return None, json.dumps(value)[:500], body
    if body is None:
        return None, f"HTTP {status} with an empty body", None
    return None, _message_from_text(status, text), body


def status_error(
    status: int,
    raw: bytes,
    headers: Mapping[str, str],
    *,
    method: str,
    url: str,
    secret: str | None,
) -> APIStatusError:
    """The typed error for an error response (a redirect counts as one: none is followed)."""
    if secret and secret.encode() in raw:
        raw = raw.replace(secret.encode(), b"[redacted]")  # a body that echoes the key
    code, message, body = _parse_body(status, raw)
    if 300 <= status < 400:
        location = headers.get("Location") or "an unnamed location"
        message = f"HTTP {status}: a redirect to {location}, not followed"
    message = redact(message, secret)
    return error_class_for_status(status)(
        message,
        status=status,
        code=code,
        request_id=request_id(headers),
        body=body,
        retry_after=parse_retry_after(headers.get("Retry-After")),
        method=method,
        url=url,
        headers=[(name, redact(value, secret)) for name, value in headers.items()],
    )


def decode_error(
    reason: str,
    *,
    status: int | None,
    headers: Mapping[str, str] | None,
    raw: bytes,
    method: str,
    url: str,
    secret: str | None,
    attempts: int = 1,
) -> ResponseDecodeError:
    """The typed error for a 2xx body that is not what the spec says: its status, request id
    and the start of the body (bounded, the key redacted), so users can see what came."""
    limit = ResponseDecodeError.SNIPPET_CHARS
    text = raw[: limit * 4].decode("utf-8", errors="replace")
    snippet = redact(text, secret)[:limit]
    if secret:  # a key cut in half at the boundary: drop its visible head as well
        snippet = _drop_partial_secret(snippet, secret)
    error = ResponseDecodeError(
        redact(f"unexpected response body for {method} {url}: {reason}", secret),
        status=status,
        request_id=request_id(headers) if headers is not None else None,
        body_snippet=snippet,
        method=method,
        url=url,
    )
    error.attempts = attempts
    return error


def _drop_partial_secret(text: str, secret: str) -> str:
    for size in range(min(len(secret) - 1, len(text)), 3, -1):
        if text.endswith(secret[:size]):
            return text[:-size] + "[redacted]"
    return text


def payload_error(exc: BaseException) -> PineconeError | None:
    """Our own error, raised by an upload payload while aiohttp was writing it (a streamed
    file that changed size, a one-shot source read twice), which aiohttp wraps in a
    ``ClientConnectionError``: that error, unwrapped, so the caller sees what went wrong."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, PineconeError):
            return cause
        cause = cause.__cause__
    return None


def connection_error(
    exc: BaseException, *, method: str, url: str, secret: str | None
) -> APIConnectionError:
    """The typed error for a failure below HTTP (or a timeout)."""
    detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), secret)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return APITimeoutError(f"timed out: {method} {url}", method=method, url=url)
    if isinstance(exc, aiohttp.ClientSSLError):
        message = f"TLS failure talking to {url}: {detail}"
    elif isinstance(exc, aiohttp.ClientConnectorDNSError):
        message = f"could not resolve the host of {url}: {detail}"
    elif isinstance(exc, aiohttp.ClientConnectorError):
        message = f"could not connect to {url}: {detail}"
    elif isinstance(exc, aiohttp.ClientHttpProxyError):
        message = redact(
            f"the proxy refused the connection to {url}: HTTP {exc.status} {exc.message}", secret
        )
    else:
        message = f"connection failed: {method} {url}: {detail}"
    return APIConnectionError(
        message,
        # A connection that never opened proves the request was not sent.
        not_sent=isinstance(exc, aiohttp.ClientConnectorError)
        and not isinstance(exc, aiohttp.ClientSSLError),
        # A certificate that fails verification fails the same way on every attempt.
        permanent=isinstance(exc, aiohttp.ClientConnectorCertificateError),
        method=method,
        url=url,
    )


# -- stream bodies ---------------------------------------------------------------------------
#
# Errors raised while a stream's body is read are built here too, and none of them chains the
# exception it comes from: a pydantic ValidationError quotes its input (and with it anything
# the chunk echoed, the key included), and aiohttp's errors can carry the request headers.
# The callers raise them outside their ``except`` blocks, so not even ``__context__`` holds one.

_SHOWN = 200  # characters of an offending line quoted in a message


def stream_read_error(
    exc: BaseException, *, kind: str, url: str, idle: float, secret: str | None
) -> APIConnectionError | StreamError:
    """A read of a stream's body failed: an idle timeout, or a cut connection."""
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return APITimeoutError(
            f"the {kind} sent nothing for {idle:g}s (idle timeout): POST {url}",
            method="POST",
            url=url,
        )
    detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), secret)
    return StreamError(
        f"the connection was cut during the {kind}: {detail}", method="POST", url=url
    )


def _error_object(data: str) -> tuple[str, str | None] | None:
    """(message, code) of an error object sent in place of a chunk, if ``data`` is one."""
    if '"error"' not in data:
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict) or "error" not in value or "type" in value:
        return None
    error = value["error"]
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message") or code or error
        return str(message), None if code is None else str(code)
    return str(error), None


def stream_error_event(
    data: str,
    *,
    kind: str,
    url: str,
    secret: str | None,
    request_id: str | None,
    before_content: bool,
) -> StreamError | None:
    """The error for an error object the service sent in place of a chunk, or None if
    ``data`` is not one."""
    found = _error_object(data)
    if found is None:
        return None
    message, code = found
    return StreamError(
        redact(f"the service reported an error during the {kind}: {message}", secret),
        line=redact("data: " + data, secret),
        code=code,
        request_id=request_id,
        before_content=before_content,
        method="POST",
        url=url,
    )


def malformed_chunk(
    data: str,
    exc: ValidationError,
    *,
    kind: str,
    url: str,
    secret: str | None,
    request_id: str | None,
) -> StreamError:
    """A ``data:`` payload that is not JSON or not a chunk (or an error object in its place)."""
    event = stream_error_event(
        data, kind=kind, url=url, secret=secret, request_id=request_id, before_content=False
    )
    if event is not None:
        return event
    line = redact("data: " + data, secret)
    shown = line if len(line) <= _SHOWN else line[: _SHOWN - 3] + "..."
    reason = redact(validation_summary(exc), secret)
    return StreamError(
        f"malformed chunk in the {kind} ({reason}): {shown!r}",
        line=line,
        request_id=request_id,
        method="POST",
        url=url,
    )


def not_an_event_stream(
    response_status: int,
    content_type: str,
    raw: bytes,
    headers: Mapping[str, str],
    *,
    kind: str,
    url: str,
    secret: str | None,
) -> ResponseDecodeError:
    """A successful answer to a stream request that is not ``text/event-stream`` (a proxy's
    sign-in page, a JSON body): reported before anything tries to decode it as events."""
    shown = content_type or "no content type"
    error = decode_error(
        f"the {kind} answered with {shown}, not an event stream",
        status=response_status,
        headers=headers,
        raw=raw,
        method="POST",
        url=url,
        secret=secret,
    )
    error.content_type = content_type
    return error
