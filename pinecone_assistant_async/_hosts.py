"""The data-plane host of each assistant, looked up once and shared.

Many coroutines may make their first call to the same assistant at once: exactly one of them
describes the assistant, the others wait for its answer. A failed lookup is not cached (the
waiters get the same error); ``forget`` drops an entry (after a delete, or a 404 that says the
assistant is not on its host).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

import anyio

from .errors import NotFoundError, PineconeError

__all__ = ["HostCache", "normalize_host", "says_assistant_missing"]

logger = logging.getLogger("pinecone_assistant_async")


def normalize_host(host: str, scheme: str = "https") -> str:
    """A describe() host as a base URL: a bare host name gets ``scheme`` (the scheme of the
    configured control host, so an ``http://`` emulator or proxy keeps plain HTTP).

    >>> normalize_host("prod-1-data.ke.pinecone.io")
    'https://prod-1-data.ke.pinecone.io'
    >>> normalize_host("127.0.0.1:8080/", "http")
    'http://127.0.0.1:8080'
    """
    host = host.strip().rstrip("/")
    if "://" not in host:
        host = f"{scheme}://{host}"
    if host.endswith("/assistant"):
        host = host[: -len("/assistant")]
    return host


def says_assistant_missing(error: NotFoundError, assistant: str) -> bool:
    """Whether a data-plane 404 means the assistant is not on that host (deleted or moved),
    rather than a missing file or operation inside it.

    The service says so only in its message (the spec's example: ``Assistant "docs" not
    found.``; a missing file is ``File with id ... not found in provided assistant``, with the
    same ``NOT_FOUND`` code). A 404 that is not the service's JSON error (no code: a proxy or
    load balancer in front of a host the assistant left) counts as missing too.
    """
    if error.code is None:
        return True
    pattern = rf"\bassistant\s+[\"']?{re.escape(assistant)}[\"']?\s+(?:was\s+|is\s+)?not\s+found"
    return re.search(pattern, error.message, re.IGNORECASE) is not None


class _Lookup:
    """One lookup under way. Its event is made by the first coroutine that waits for it, so a
    lone first call (the usual cold start) never creates one: the first anyio primitive of a
    process loads anyio's event-loop backend, ~15 ms measured (benchmarks/README.md, f)."""

    __slots__ = ("_done", "error", "host")

    def __init__(self) -> None:
        self._done: anyio.Event | None = None
        self.host: str | None = None
        self.error: BaseException | None = None

    async def wait(self) -> None:
        if self._done is None:
            self._done = anyio.Event()
        await self._done.wait()

    def finish(self) -> None:
        if self._done is not None:
            self._done.set()


class HostCache:
    """Single-flight cache from assistant name to data-plane base URL."""

    def __init__(self, lookup: Callable[[str], Awaitable[str]], *, scheme: str = "https") -> None:
        self._lookup = lookup
        self._scheme = scheme
        self._hosts: dict[str, str] = {}
        self._pending: dict[str, _Lookup] = {}

    async def get(self, assistant: str) -> str:
        while True:
            host = self._hosts.get(assistant)
            if host is not None:
                return host
            pending = self._pending.get(assistant)
            if pending is None:
                return await self._lead(assistant)
            await pending.wait()
            if pending.host is not None:
                return pending.host
            if pending.error is not None:
                raise pending.error
            # The leader was cancelled before it finished: take over the lookup.

    async def _lead(self, assistant: str) -> str:
        entry = _Lookup()
        self._pending[assistant] = entry
        try:
            host = normalize_host(await self._lookup(assistant), self._scheme)
        except Exception as exc:
            entry.error = exc
            raise
        else:
            entry.host = host
            self._hosts[assistant] = host
            return host
        finally:
            del self._pending[assistant]
            entry.finish()

    def remember(self, assistant: str, host: str | None) -> None:
        """Record a host learnt from a describe() the caller made anyway."""
        if host:
            self._hosts[assistant] = normalize_host(host, self._scheme)

    def forget(self, assistant: str) -> None:
        self._hosts.pop(assistant, None)

    async def rehome(self, assistant: str, url: str) -> str | None:
        """After a 404 that says the assistant is not on the host of ``url``: look it up
        again; the URL on its new host if it moved, else None (gone, or the lookup failed)."""
        base, sep, rest = url.partition("/assistant/")
        self.forget(assistant)
        try:
            new_base = await self.get(assistant)
        except PineconeError:
            return None  # gone for good (or unreachable): the call's own 404 says it best
        if not sep or new_base == base:
            return None
        logger.debug("assistant %r moved from %s to %s; sending again", assistant, base, new_base)
        return f"{new_base}{sep}{rest}"
