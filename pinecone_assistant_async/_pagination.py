"""Pages and the iteration over every item across pages.

>>> page = Page(items=[1, 2], next_token="abc")
>>> page.has_more
True
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Page", "iterate_pages"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: its ``items``, the ``next_token`` for the next page (or None) and
    the ``request_id`` of the response that carried it."""

    items: list[T]
    next_token: str | None
    request_id: str | None = None

    @property
    def has_more(self) -> bool:
        return bool(self.next_token)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


async def iterate_pages(
    fetch: Callable[[str | None], Awaitable[Page[T]]], start: str | None = None
) -> AsyncIterator[T]:
    """Every item of every page, fetching the next page only when the previous one is used up.

    A token the service repeats ends the iteration instead of looping forever.
    """
    token = start
    seen: set[str] = set()
    while True:
        page = await fetch(token)
        for item in page.items:
            yield item
        token = page.next_token
        if not token or token in seen:
            return
        seen.add(token)
