"""Listing across pages: a token the service repeats ends the listing instead of looping, an
empty token ends it, and a ``Page`` is a frozen value (items, token, ``has_more``, len, iter)."""

from __future__ import annotations

import dataclasses

import pytest
from aiohttp import web

from pinecone_assistant_async import AssistantClient, Page
from pinecone_assistant_async.testing import Emulator

from .conftest import LocalServer

pytestmark = pytest.mark.anyio


def _assistant(name: str) -> dict[str, str]:
    return {"name": name, "status": "Ready", "host": "http://127.0.0.1:1"}


def _pages(*pages: tuple[list[str], str | None]) -> LocalServer:
    """Request n gets page n (the last one again after the end)."""

    async def respond(request: web.Request) -> web.StreamResponse:
        names, token = pages[min(len(server.seen), len(pages)) - 1]
        body = {"assistants": [_assistant(n) for n in names], "pagination": {"next": token}}
        return web.json_response(body)

    server = LocalServer(respond)
    return server


async def test_a_repeated_token_ends_the_listing_instead_of_looping() -> None:
    server = _pages((["a"], "t1"), (["b"], "t2"), (["c"], "t1"), (["d"], "t1"))
    async with server, AssistantClient(api_key="pages-key", host=server.url) as client:
        names = [a.name async for a in client.assistants.list()]
    assert names == ["a", "b", "c"]  # the third page repeats t1: nothing more is fetched
    tokens = [r.query.get("pagination_token") for r in server.seen]
    assert tokens == [None, "t1", "t2"]


@pytest.mark.parametrize("last", [None, ""])
async def test_a_missing_or_empty_token_ends_the_listing(last: str | None) -> None:
    server = _pages((["a", "b"], "next"), (["c"], last))
    async with server, AssistantClient(api_key="pages-key", host=server.url) as client:
        names = [a.name async for a in client.assistants.list()]
    assert names == ["a", "b", "c"]
    assert len(server.seen) == 2


async def test_a_page_is_a_frozen_value(docs: Emulator) -> None:
    async with docs.client() as client:
        await client.assistants.create("second")
        page = await client.assistants.list_page(limit=1)
        rest = await client.assistants.list_page(limit=1, pagination_token=page.next_token)
    assert isinstance(page, Page)
    assert len(page) == 1 and [a.name for a in page] == [page.items[0].name]
    assert page.has_more and page.next_token
    assert not rest.has_more and rest.next_token is None
    assert {page.items[0].name, rest.items[0].name} == {"docs", "second"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.next_token = None  # type: ignore[misc]
