"""Answers at the edges the suite did not reach: long error bodies give bounded messages (the
whole body stays on the error), a data-plane host from describe() may end in ``/assistant``
or lack a scheme, and ids and paths of the wrong type or size fail before any request."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import (
    AssistantClient,
    BadRequestError,
    InvalidInputError,
    InvalidTypeError,
    NotFoundError,
    RetryPolicy,
    ServerError,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import LocalServer

pytestmark = pytest.mark.anyio

KEY = "edges-key-0123456789"


def _client(server: LocalServer, **kwargs: Any) -> AssistantClient:
    return AssistantClient(api_key=KEY, host=server.url, retry=RetryPolicy.disabled(), **kwargs)


# -- error messages ------------------------------------------------------------------------------


async def test_a_long_non_json_error_body_is_summarised_in_200_characters() -> None:
    words = " ".join(f"word{n}" for n in range(200))  # about 1,400 characters of text

    async def respond(request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text=f"<html><body><p>{words}</p></body></html>")

    async with LocalServer(respond) as server, _client(server) as client:
        with pytest.raises(ServerError) as info:
            await client.assistants.describe("docs")
    summary = info.value.message.removeprefix("HTTP 500 with a non-JSON body: ")
    assert summary == words[:197] + "..."
    assert isinstance(info.value.body, str) and words in info.value.body


async def test_a_long_structured_detail_is_quoted_in_500_characters() -> None:
    detail = [{"loc": ["body", "messages", n], "msg": "field required"} for n in range(40)]

    async def respond(request: web.Request) -> web.StreamResponse:
        return web.json_response({"detail": detail}, status=400)

    async with LocalServer(respond) as server, _client(server) as client:
        with pytest.raises(BadRequestError) as info:
            await client.assistants.describe("docs")
    assert info.value.message == json.dumps(detail)[:500]
    assert info.value.body == {"detail": detail}


# -- data-plane hosts ------------------------------------------------------------------------------


def _control_and_data(host_of: Any) -> LocalServer:
    """describe() answers with ``host_of(server_url)``; chat answers from the same server."""

    async def respond(request: web.Request) -> web.StreamResponse:
        if request.path == "/assistant/assistants/docs":
            return web.json_response(
                {"name": "docs", "status": "Ready", "host": host_of(server.url)}
            )
        if request.path == "/assistant/chat/docs/context":
            return web.json_response({"snippets": [], "id": "ctx-1"})
        return web.json_response({"error": {"message": request.path}}, status=404)

    server = LocalServer(respond)
    return server


@pytest.mark.parametrize(
    "host_of",
    [
        lambda url: url + "/assistant",
        lambda url: url + "/assistant/",
        lambda url: url.removeprefix("http://"),  # no scheme: the control host's (http) is used
    ],
    ids=["ends in /assistant", "ends in /assistant/", "no scheme"],
)
async def test_a_described_host_is_used_as_a_base_url(host_of: Any) -> None:
    server = _control_and_data(host_of)
    async with server, _client(server) as client:
        context = await client.context("docs", query="anything")
    assert context.snippets == []
    assert [r.path for r in server.seen] == [
        "/assistant/assistants/docs",
        "/assistant/chat/docs/context",
    ]


# -- ids and paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", [123, None, b"op-1", ["op-1"]])
async def test_an_operation_id_that_is_not_text_fails_before_any_request(
    docs: Emulator, operation_id: Any
) -> None:
    async with docs.client() as client:
        with pytest.raises(InvalidTypeError, match="operation_id"):
            await client.operations.describe("docs", operation_id)
        with pytest.raises(InvalidTypeError, match="operation_id"):
            await client.operations.wait("docs", operation_id, timeout=1)
    assert docs.count() == 0


@pytest.mark.parametrize("operation_id", ["", "a/b", "x" * 513])
async def test_an_operation_id_of_the_wrong_shape_fails_before_any_request(
    docs: Emulator, operation_id: str
) -> None:
    async with docs.client() as client:
        with pytest.raises(InvalidInputError, match="operation_id"):
            await client.operations.describe("docs", operation_id)
    assert docs.count() == 0


async def test_an_operation_id_of_512_characters_is_sent(docs: Emulator) -> None:
    async with docs.client() as client:
        with pytest.raises(NotFoundError):
            await client.operations.describe("docs", "x" * 512)
    assert [r.method for r in docs.requests if r.path.endswith("/" + "x" * 512)] == ["GET"]


class _BytesPath:
    """An ``os.PathLike`` whose path is bytes: not accepted (names are text)."""

    def __init__(self, path: bytes) -> None:
        self._path = path

    def __fspath__(self) -> bytes:
        return self._path


async def test_a_path_like_of_bytes_fails_before_any_request(docs: Emulator, tmp_path: Any) -> None:
    target = tmp_path / "notes.txt"
    target.write_bytes(b"text")
    source = _BytesPath(os.fsencode(target))
    async with docs.client() as client:
        with pytest.raises(InvalidTypeError, match="paths must be str"):
            await client.files.upload("docs", source)
    assert docs.count() == 0
