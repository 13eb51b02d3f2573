"""The data-plane host of each assistant, looked up once and shared.

Many coroutines may make their first call to the same assistant at once: exactly one of them
describes the assistant, the others wait for its answer. A failed lookup is not cached (the
waiters get the same error); ``forget`` drops an entry (after a 404 or a delete).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

__all__ = ["HostCache", "normalize_host"]


def normalize_host(host: str) -> str:
    """A describe() host as a base URL: a bare host name gets ``https://``.

    >>> normalize_host("prod-1-data.ke.pinecone.io")
    'https://prod-1-data.ke.pinecone.io'
    >>> normalize_host("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    """
    host = host.strip().rstrip("/")
    if "://" not in host:
        host = "https://" + host
    if host.endswith("/assistant"):
        host = host[: -len("/assistant")]
    return host


class _Lookup:
    __slots__ = ("done", "error", "host")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.host: str | None = None
        self.error: BaseException | None = None


class HostCache:
    """Single-flight cache from assistant name to data-plane base URL."""

    def __init__(self, lookup: Callable[[str], Awaitable[str]]) -> None:
        self._lookup = lookup
        self._hosts: dict[str, str] = {}
        self._pending: dict[str, _Lookup] = {}
        self.lookups = 0

    async def get(self, assistant: str) -> str:
        while True:
            host = self._hosts.get(assistant)
            if host is not None:
                return host
            pending = self._pending.get(assistant)
            if pending is None:
                return await self._lead(assistant)
            await pending.done.wait()
            if pending.host is not None:
                return pending.host
            if pending.error is not None:
                raise pending.error
            # The leader was cancelled before it finished: take over the lookup.

    async def _lead(self, assistant: str) -> str:
        entry = _Lookup()
        self._pending[assistant] = entry
        self.lookups += 1
        try:
            host = normalize_host(await self._lookup(assistant))
        except Exception as exc:
            entry.error = exc
            raise
        else:
            entry.host = host
            self._hosts[assistant] = host
            return host
        finally:
            del self._pending[assistant]
            entry.done.set()

    def remember(self, assistant: str, host: str | None) -> None:
        """Record a host learnt from a describe() the caller made anyway."""
        if host:
            self._hosts[assistant] = normalize_host(host)

    def forget(self, assistant: str) -> None:
        self._hosts.pop(assistant, None)
