"""Turning what aiohttp and the service say into this package's typed errors, in one place.

aiohttp exceptions are never chained as ``__cause__``: some of them (``ClientResponseError``)
carry the request headers, and with them the API key, in their ``repr``. Their class name and
message go into our message instead, with the key redacted.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from typing import Any

import aiohttp

from ._retry import parse_retry_after
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    error_class_for_status,
)

__all__ = ["connection_error", "redact", "status_error"]

_REQUEST_ID_HEADERS = ("x-pinecone-request-id", "x-request-id", "x-amzn-requestid")
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def redact(text: str, secret: str | None) -> str:
    """Remove every occurrence of ``secret`` from ``text``."""
    if secret and secret in text:
        return text.replace(secret, "[redacted]")
    return text


def _request_id(headers: Mapping[str, str]) -> str | None:
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
    cls = error_class_for_status(status)
    common: dict[str, Any] = {
        "status": status,
        "code": code,
        "request_id": _request_id(headers),
        "body": body,
        "method": method,
        "url": url,
    }
    if issubclass(cls, RateLimitError):
        return cls(message, retry_after=parse_retry_after(headers.get("Retry-After")), **common)
    error = cls(message, **common)
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if retry_after is not None:
        error.retry_after = retry_after  # type: ignore[attr-defined]
    return error


def connection_error(
    exc: BaseException, *, method: str, url: str, secret: str | None
) -> APIConnectionError:
    """The typed error for a failure below HTTP (or a timeout)."""
    detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), secret)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return APITimeoutError(f"timed out: {method} {url}", method=method, url=url)
    error: APIConnectionError
    if isinstance(exc, aiohttp.ClientSSLError):
        error = APIConnectionError(
            f"TLS failure talking to {url}: {detail}", method=method, url=url
        )
    elif isinstance(exc, aiohttp.ClientConnectorDNSError):
        error = APIConnectionError(
            f"could not resolve the host of {url}: {detail}", method=method, url=url
        )
    elif isinstance(exc, aiohttp.ClientConnectorError):
        error = APIConnectionError(f"could not connect to {url}: {detail}", method=method, url=url)
    elif isinstance(exc, aiohttp.ClientHttpProxyError):
        error = APIConnectionError(
            f"the proxy refused the connection to {url}: HTTP {exc.status} {exc.message}",
            method=method,
            url=url,
        )
    else:
        error = APIConnectionError(
            f"connection failed: {method} {url}: {detail}", method=method, url=url
        )
    # A connection that never opened proves the request was not sent.
    error.not_sent = isinstance(  # type: ignore[attr-defined]
        exc, aiohttp.ClientConnectorError
    ) and not isinstance(exc, aiohttp.ClientSSLError)
    # A certificate that fails verification fails the same way on every attempt.
    error.permanent = isinstance(  # type: ignore[attr-defined]
        exc, aiohttp.ClientConnectorCertificateError
    )
    return error
