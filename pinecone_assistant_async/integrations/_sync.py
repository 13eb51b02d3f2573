"""Synchronous entry points for async-first integrations (LangChain's ``invoke``, ...).

A client's aiohttp session belongs to the event loop it was opened on, so a synchronous call
cannot borrow it. ``run_sync`` instead runs the call on a private event loop in a worker
thread, with a private client configured like the caller's (same key, hosts, API version,
timeouts, retries, limits, proxy, TLS settings and extra headers), and closes that client
before returning. It works whether or not the calling thread already runs an event loop; it
blocks the calling thread until the call is done (that is what a synchronous call means).

A session the caller passed with ``session=`` is not reused: the private client opens its own.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import anyio

if TYPE_CHECKING:
    from ..client import AssistantClient
    from ..handle import AssistantHandle

__all__ = ["private_client", "run_sync"]

T = TypeVar("T")


def private_client(client: AssistantClient) -> AssistantClient:
    """A new client with ``client``'s configuration and a session of its own."""
    from ..client import AssistantClient

    config = client.config
    tls = config.ssl
    return AssistantClient(
        api_key=config.api_key,
        host=config.control_base,
        evaluation_host=config.evaluation_base,
        data_host=config.data_host_override,
        api_version=config.api_version,
        timeout=config.timeouts,
        retry=config.retry,
        limits=config.limits,
        proxy=config.proxy,
        ssl_context=tls if isinstance(tls, ssl.SSLContext) else None,
        verify_ssl=tls is not False,
        extra_headers=dict(config.extra_headers),
    )


def run_sync(handle: AssistantHandle, call: Callable[[AssistantHandle], Awaitable[T]]) -> T:
    """``await call(private_handle)`` on a private loop in a worker thread; return its result.

    Errors propagate unchanged (the SDK's typed errors).
    """

    async def main() -> T:
        async with private_client(handle.client) as client:
            return await call(client.assistant(handle.name))

    def work() -> T:
        return anyio.run(main)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pinecone-assistant-sync") as pool:
        return pool.submit(work).result()
