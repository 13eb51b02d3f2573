"""The API key never shows: not in a log line (DEBUG on), a repr, a str, an exception, its
attributes or anything chained to it, and it never travels to a host other than the service."""

from __future__ import annotations

import json
import logging
import socket
import traceback
import types
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from pinecone_assistant_async import (
    APIConnectionError,
    APIStatusError,
    AssistantClient,
    AuthenticationError,
    BadRequestError,
    PineconeError,
    ResponseDecodeError,
    RetryPolicy,
    StreamError,
    Timeouts,
    UploadNotReplayableError,
)
from pinecone_assistant_async.testing import Emulator
from tests.conftest import EmulatorFactory

from .conftest import CHAT, DOCS, FAST_RETRY, FILES, LocalServer, json_reply, raw_reply

pytestmark = pytest.mark.anyio

SECRET = "pcsk_SECRET_4f9a1c2e7b"
WRONG = "pcsk_WRONG_88d0e1aa35"


def _texts(error: BaseException) -> Iterator[str]:
    """Every text a user or a logging tool can get out of ``error``."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        yield str(exc)
        yield repr(exc)
        for value in vars(exc).values():
            yield repr(value)
        todo += [exc.__cause__, exc.__context__]
    yield "".join(traceback.format_exception(error))


def assert_clean(error: BaseException, *secrets: str) -> None:
    for text in _texts(error):
        for secret in secrets or (SECRET,):
            assert secret not in text, text


def _log_texts(caplog: pytest.LogCaptureFixture) -> Iterator[str]:
    for record in caplog.records:
        yield record.getMessage()
        yield repr(record.args)
        if record.exc_info and record.exc_info[1] is not None:
            yield from _texts(record.exc_info[1])


@pytest.fixture
async def secret_docs(emulator_factory: EmulatorFactory) -> Any:
    async with emulator_factory(api_key=SECRET) as emu:
        async with emu.client() as client:
            await client.assistants.create("docs")
            await client.files.upload("docs", b"The office opens at nine.", file_name="a.txt")
        yield emu


async def test_a_debug_logged_session_with_failures_never_shows_the_key(
    secret_docs: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_docs.add_fault("status=503;times=2", path=DOCS, method="GET")
    secret_docs.add_fault("status=429;times=1;retry_after=0", path=CHAT, method="POST")
    secret_docs.add_fault("status=503;times=1", path=FILES, method="POST")
    errors: list[BaseException] = []

    async def once() -> Any:
        yield b"one shot"

    async with secret_docs.client(retry=FAST_RETRY) as client:
        await client.assistants.describe("docs")
        await client.chat("docs", "When does the office open?")
        async with client.chat_stream("docs", "When does the office open?") as stream:
            await stream.final()
        for call in (
            client.files.describe("docs", "missing"),
            client.files.upload("docs", once(), file_name="s.txt"),
        ):
            try:
                await call
            except PineconeError as exc:
                errors.append(exc)
        texts = [repr(client), str(client), repr(client.config), str(client.config)]
    assert [type(e) for e in errors][1] is UploadNotReplayableError
    assert sum("retrying" in r.getMessage() for r in caplog.records) >= 3
    for error in errors:
        assert_clean(error)
    for text in [*texts, *_log_texts(caplog)]:
        assert SECRET not in text


async def test_a_rejected_key_is_not_in_the_401(secret_docs: Emulator) -> None:
    async with AssistantClient(api_key=WRONG, host=secret_docs.url) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.assistants.describe("docs")
    assert info.value.message == "Invalid API key."
    assert_clean(info.value, WRONG, SECRET)


def _echo_key(status: int, html: bool = False) -> LocalServer:
    async def respond(request: web.Request) -> web.StreamResponse:
        key = request.headers.get("Api-Key", "")
        if html:
            page = f"<html><title>Denied for {key}</title></html>"
            return web.Response(status=status, text=page, content_type="text/html")
        body = {"error": {"code": "INVALID_ARGUMENT", "message": f"bad key {key}"}, "key": key}
        return web.json_response(body, status=status)

    return LocalServer(respond)


@pytest.mark.parametrize("html", [False, True], ids=["json", "html"])
async def test_an_error_body_echoing_the_key_is_redacted(html: bool) -> None:
    async with (
        _echo_key(400, html) as server,
        AssistantClient(api_key=SECRET, host=server.url) as client,
    ):
        with pytest.raises(BadRequestError) as info:
            await client.assistants.describe("docs")
    assert "[redacted]" in info.value.message
    assert_clean(info.value)


async def test_a_success_body_echoing_the_key_that_fails_to_decode_is_clean() -> None:
    async def respond(request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "Ready", "name": {"key": request.headers["Api-Key"]}})

    async with (
        LocalServer(respond) as server,
        AssistantClient(api_key=SECRET, host=server.url) as client,
    ):
        with pytest.raises(ResponseDecodeError) as info:
            await client.assistants.describe("docs")
    assert_clean(info.value)


def _stream_echoing_the_key(*payloads: Any) -> LocalServer:
    """Each payload's "KEY" is replaced by the request's Api-Key, then sent as an event."""

    async def respond(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        key = request.headers["Api-Key"]
        for payload in payloads:
            data = json.dumps(payload).replace("KEY", key)
            await resp.write(b"data: " + data.encode() + b"\n\n")
        await resp.write_eof()
        return resp

    return LocalServer(respond)


async def test_a_stream_error_echoing_the_key_is_redacted() -> None:
    error = {"error": {"message": "key KEY revoked"}}
    async with (
        _stream_echoing_the_key(error) as server,
        AssistantClient(
            api_key=SECRET, host=server.url, data_host=server.url, retry=FAST_RETRY
        ) as client,
    ):
        with pytest.raises(StreamError) as info:  # before any content: raised on entry
            async with client.chat_stream("docs", "q") as stream:
                await stream.final()
    assert "revoked" in str(info.value)
    assert_clean(info.value)


async def test_a_malformed_chunk_echoing_the_key_keeps_no_validation_error() -> None:
    # pydantic's ValidationError quotes the input it rejected, and with it the echoed key:
    # it must not ride along as __context__ (``raise ... from None`` only hides it).
    head = {"id": "r1", "model": "gpt-4o"}
    bad = {"type": "content_chunk", "delta": {"content": {"echo": "KEY"}}, **head}
    start = {"type": "message_start", "role": "assistant", **head}
    content = {"type": "content_chunk", "delta": {"content": "ok"}, **head}
    async with (
        _stream_echoing_the_key(start, content, bad) as server,
        AssistantClient(api_key=SECRET, host=server.url, data_host=server.url) as client,
        client.chat_stream("docs", "q") as stream,
    ):
        with pytest.raises(StreamError) as info:
            await stream.final()
    error = info.value
    assert "malformed chunk" in str(error) and "[redacted]" in (error.line or "")
    assert error.__context__ is None and error.__cause__ is None
    assert_clean(error)


def _refused() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_connection_failures_carry_no_key(secret_docs: Emulator) -> None:
    secret_docs.add_fault("delay=2", path=DOCS, method="GET")
    clients = [
        AssistantClient(api_key=SECRET, host=_refused(), retry=FAST_RETRY),
        AssistantClient(api_key=SECRET, host="http://no-such-host.invalid", retry=FAST_RETRY),
        secret_docs.client(timeout=Timeouts(total=0.2)),
    ]
    errors: list[BaseException] = []
    for client in clients:
        async with client:
            with pytest.raises(APIConnectionError) as info:
                await client.assistants.describe("docs")
            errors.append(info.value)
    for error in errors:
        assert_clean(error)


async def test_a_redirect_is_not_followed_so_the_key_stays_home() -> None:
    stolen: list[str] = []

    async def elsewhere(request: web.Request) -> web.StreamResponse:
        stolen.append(request.headers.get("Api-Key", ""))
        return web.json_response({"name": "docs", "status": "Ready"})

    async with LocalServer(elsewhere) as evil:
        target = f"{evil.url}/collect"

        async def redirect(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(target)

        async with (
            LocalServer(redirect) as server,
            AssistantClient(api_key=SECRET, host=server.url, retry=FAST_RETRY) as client,
        ):
            with pytest.raises(APIStatusError) as info:
                await client.assistants.describe("docs")
    assert stolen == []
    assert info.value.status == 302
    assert info.value.message == f"HTTP 302: a redirect to {target}, not followed"
    assert len(server.seen) == 1
    assert_clean(info.value)


async def test_a_proxy_error_carries_no_key() -> None:
    async with (
        LocalServer(raw_reply(b"<html>no</html>", status=502)) as proxy,
        AssistantClient(
            api_key=SECRET,
            host="https://api.example.invalid",
            proxy=proxy.url,
            retry=RetryPolicy.disabled(),
        ) as client,
    ):
        with pytest.raises(APIConnectionError) as info:
            await client.assistants.describe("docs")
    assert_clean(info.value)


async def test_errors_keep_no_key_in_their_implicit_context() -> None:
    async with (
        LocalServer(json_reply({"name": "docs", "status": "Ready"})) as server,
        AssistantClient(api_key=SECRET, host=server.url) as client,
    ):
        await client.aclose()
        with pytest.raises(PineconeError) as info:
            await client.assistants.describe("docs")
    assert_clean(info.value)


def _reachable(error: BaseException) -> Iterator[object]:
    """Every object reachable from ``error`` through attributes, containers, causes and
    contexts (not through code objects, classes or modules)."""
    seen: set[int] = set()
    todo: list[object] = [error]
    while todo:
        value = todo.pop()
        if id(value) in seen or isinstance(value, (type, types.ModuleType, types.FunctionType)):
            continue
        seen.add(id(value))
        yield value
        if isinstance(value, BaseException):
            todo += [value.__cause__, value.__context__, *value.args]
        if isinstance(value, dict):
            todo += [*value.keys(), *value.values()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            todo += list(value)
        elif hasattr(value, "__dict__") and not isinstance(value, (str, bytes)):
            todo += list(vars(value).values())


async def _cut_body(docs: Emulator) -> PineconeError:
    docs.add_fault("cut_after=5", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(PineconeError) as info:
            await client.assistants.describe("docs")
    return info.value


async def _lost_upload(docs: Emulator) -> PineconeError:
    docs.add_fault("cut_after=1;times=1", path=FILES, method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(PineconeError) as info:
            await client.files.upload("docs", b"x", file_name="x.txt")
    return info.value


async def _through(client: AssistantClient) -> PineconeError:
    async with client:
        with pytest.raises(PineconeError) as info:
            await client.assistants.describe("docs")
    return info.value


async def test_no_error_of_the_request_paths_reaches_the_key_or_an_aiohttp_object(
    secret_docs: Emulator,
) -> None:
    fast = FAST_RETRY
    errors = [
        await _through(AssistantClient(api_key=SECRET, host=_refused(), retry=fast)),
        await _through(AssistantClient(api_key=SECRET, host="http://no-such.invalid", retry=fast)),
        await _cut_body(secret_docs),
        await _lost_upload(secret_docs),
    ]
    secret_docs.add_fault("delay=2;times=1", path=DOCS, method="GET")
    errors.append(await _through(secret_docs.client(timeout=Timeouts(total=0.2))))
    async with LocalServer(raw_reply(b"<html>no</html>", status=502)) as proxy:
        via_proxy = AssistantClient(
            api_key=SECRET, host="https://api.example.invalid", proxy=proxy.url, retry=FAST_RETRY
        )
        errors.append(await _through(via_proxy))
    async with _echo_key(503) as server:
        errors.append(await _through(AssistantClient(api_key=SECRET, host=server.url, retry=fast)))

    async def echo_in_success(request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "Ready", "name": {"key": request.headers["Api-Key"]}})

    async with LocalServer(echo_in_success) as server:
        errors.append(await _through(AssistantClient(api_key=SECRET, host=server.url)))
    assert len({type(error) for error in errors}) == 4  # connection, timeout, status, decode
    for error in errors:
        assert_clean(error)
        for value in _reachable(error):
            assert not type(value).__module__.startswith("aiohttp"), (error, value)
            if isinstance(value, (str, bytes)):
                assert (SECRET if isinstance(value, str) else SECRET.encode()) not in value
            assert SECRET not in repr(value)
