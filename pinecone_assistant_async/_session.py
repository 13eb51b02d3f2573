"""The client's ``aiohttp.ClientSession``: created lazily, tied to one event loop, closed once.

A session belongs to the event loop it was created in. Used from another loop (a second
``asyncio.run()``), aiohttp would fail deep inside with "Event loop is closed"; here that is a
typed :class:`~.errors.EventLoopError` before anything is sent. A client dropped without
``aclose()`` warns once (``ResourceWarning``) and closes its connections itself, so neither
aiohttp's own warnings nor an asyncio error log follow.
"""

from __future__ import annotations

import asyncio
import warnings

import aiohttp

from .config import ClientConfig
from .errors import ClientClosedError, EventLoopError

__all__ = ["SessionOwner"]


class SessionOwner:
    """Holds the session of one client (owned, or borrowed from the caller)."""

    def __init__(self, config: ClientConfig, session: aiohttp.ClientSession | None) -> None:
        self._config = config
        self._session = session
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._parent: SessionOwner | None = None  # with_options: whose session this one uses

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this AssistantClient is closed; create a new one")
        if self._parent is not None:
            return self._parent.session
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise EventLoopError(
                "this AssistantClient was first used in another event loop (an earlier "
                "asyncio.run()?); its connections belong to that loop. Create one client "
                "per event loop, inside it."
            )
        if self._session is None:
            limits = self._config.limits
            connector = aiohttp.TCPConnector(
                limit=limits.max_connections,
                limit_per_host=limits.per_host,
                keepalive_timeout=limits.keepalive,
                ssl=self._config.ssl,
            )
            self._session = aiohttp.ClientSession(connector=connector)
        elif self._session.closed:
            raise ClientClosedError("the aiohttp session given to AssistantClient is closed")
        return self._session

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        session = self._session
        if not self._owns_session or session is None:
            return
        if self._loop is not None and asyncio.get_running_loop() is not self._loop:
            self._release(session)  # its loop is gone: nothing can be awaited there
            return
        await session.close()

    def abandon(self, owner: object) -> None:
        """The owner was dropped unclosed: warn once and let go of the connections."""
        session = self._session
        if self._closed or not self._owns_session or session is None or session.closed:
            return
        self._closed = True
        self._release(session)
        warnings.warn(
            f"unclosed {type(owner).__name__}: use 'async with' or 'await aclose()'",
            ResourceWarning,
            stacklevel=3,
        )

    @staticmethod
    def _release(session: aiohttp.ClientSession) -> None:
        """Close the session's connections without awaiting (from a finaliser or a foreign
        loop). ``detach`` marks the session closed; the connector's synchronous ``_close``
        closes its sockets (its public ``close()`` is a coroutine nothing could await here,
        and left alone it would warn and log "Unclosed connector")."""
        connector = session.connector
        session.detach()
        close_now = getattr(connector, "_close", None)
        if callable(close_now):
            close_now()
