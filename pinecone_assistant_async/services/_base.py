"""What every service repeats: the transport it sends through, waiting for server-side work,
the paging parameters, and how long each kind of wait lasts by default."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from .._transport import Transport
from .._validation import check_limit, check_text, check_timeout

if TYPE_CHECKING:  # the polling loop is imported by the first wait (a chat never waits)
    from .._polling import WaitSpec

__all__ = ["DEFAULT_WAITS", "Service", "page_params"]

T = TypeVar("T")

DEFAULT_WAITS = {"assistant": 300.0, "file": 600.0, "operation": 600.0}
"""Seconds a ``wait_until_*`` (or a call that waits) lasts by default, by what it waits for."""


def page_params(limit: int | None, pagination_token: str | None) -> dict[str, str]:
    """The query parameters of one page: its size and the token from the previous page."""
    params: dict[str, str] = {}
    if check_limit(limit) is not None:
        params["limit"] = str(limit)
    if pagination_token:
        params["pagination_token"] = check_text(pagination_token, "pagination_token")
    return params


class Service:
    """A group of endpoints sharing one client's transport."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def _wait(
        self,
        spec: WaitSpec[T],
        fetch: Callable[[], Awaitable[T]],
        *,
        timeout: float,
        initial: T | None = None,
    ) -> T:
        """Poll ``fetch`` until ``spec`` is done; work already done costs no request."""
        timeout = check_timeout(timeout)
        if initial is not None and spec.done(initial):
            return initial
        from .._polling import wait_for

        result = await wait_for(fetch, spec, timeout=timeout, initial=initial, sleep=self._t.sleep)
        if result is None:  # only a deletion ends with nothing, and that is not waited for here
            raise AssertionError(f"waiting for {spec.what} ended without a state")
        return result

    async def _wait_gone(
        self, spec: WaitSpec[T], fetch: Callable[[], Awaitable[T]], *, timeout: float
    ) -> None:
        """Poll ``fetch`` until it answers 404 (a deletion finished)."""
        from .._polling import wait_for

        await wait_for(fetch, spec, timeout=check_timeout(timeout), sleep=self._t.sleep)
