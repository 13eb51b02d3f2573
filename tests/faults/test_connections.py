"""Below HTTP: slow headers, refused connections, unresolvable hosts, TLS failures, proxies
that answer 502, servers that hang up. Each failure is typed and retried only as the policy says.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from aiohttp import web

from pinecone_assistant_async import (
    APIConnectionError,
    APITimeoutError,
    AssistantClient,
    ConnectionLimits,
    RetryPolicy,
    ServerError,
    Timeouts,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import ASSISTANTS, DOCS, FAST_RETRY, SleepRecorder, in_use

pytestmark = pytest.mark.anyio

KEY = "conn-key-0123456789abcdef"
ASSISTANT = {"name": "docs", "status": "Ready"}
BAD_GATEWAY = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><hr>squid</body></html>"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made now with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-nodes", "-days", "1",
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-keyout", str(key), "-out", str(cert),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
async def tls_url(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    """An HTTPS server on loopback with the self-signed certificate; answers every GET."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def describe(request: web.Request) -> web.Response:
        return web.json_response(ASSISTANT)

    app = web.Application()
    app.router.add_get("/{tail:.*}", describe)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    port = _free_port()
    site = web.TCPSite(runner, "127.0.0.1", port, ssl_context=context)
    await site.start()
    yield f"https://127.0.0.1:{port}"
    await runner.cleanup()


class RawServer:
    """A TCP server on loopback that reads one request head per connection and then answers
    with ``reply`` (or hangs up when it is empty); it keeps every request head it read."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.heads: list[str] = []
        self._server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.heads.append(head.decode("latin-1"))
            if self.reply:
                writer.write(self.reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


def _bad_gateway() -> bytes:
    return (
        b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(BAD_GATEWAY), BAD_GATEWAY)
    )


async def test_slow_headers_past_the_deadline_are_a_timeout(docs: Emulator, timer: str) -> None:
    docs.add_fault("delay=2", path=DOCS, method="GET")
    async with docs.client(timeout=Timeouts(total=0.3), retry=FAST_RETRY) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.assistants.describe("docs")
        assert in_use(client) == 0
    url = f"{docs.url}/assistant/assistants/docs"
    assert str(info.value) == f"no answer within 0.3s: GET {url}"
    assert (info.value.method, info.value.url) == ("GET", url)
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert docs.count(path=DOCS) == 1  # the deadline covers the retries too


async def test_a_per_call_timeout_overrides_the_client_deadline(docs: Emulator) -> None:
    docs.add_fault("delay=2", path="^/assistant/chat/docs/context$")
    async with docs.client(timeout=Timeouts(total=30)) as client:
        with pytest.raises(APITimeoutError, match=r"no answer within 0\.2s: POST "):
            await client.context("docs", query="anything", timeout=0.2)


async def test_a_refused_connection_is_typed_and_retried() -> None:
    port = _free_port()
    sleep = SleepRecorder()
    host = f"http://127.0.0.1:{port}"
    async with AssistantClient(api_key=KEY, host=host, retry=FAST_RETRY, sleep=sleep) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.assistants.describe("docs")
    error = info.value
    assert type(error) is APIConnectionError
    assert str(error).startswith(
        f"could not connect to http://127.0.0.1:{port}/assistant/assistants/docs: "
        "ClientConnectorError: Cannot connect to host 127.0.0.1:"
    )
    assert len(sleep.delays) == 2
    assert error.attempts == 3 and str(error).endswith(" after 3 attempts")
    assert error.__cause__ is None and error.__context__ is None


async def test_a_refused_connection_is_retried_even_for_a_create() -> None:
    sleep = SleepRecorder()
    host = f"http://127.0.0.1:{_free_port()}"
    async with AssistantClient(api_key=KEY, host=host, retry=FAST_RETRY, sleep=sleep) as client:
        with pytest.raises(APIConnectionError, match="could not connect"):
            await client.assistants.create("docs", wait=False)
    assert len(sleep.delays) == 2  # nothing was sent, so nothing can have been created


async def test_an_unresolvable_host_is_typed() -> None:
    async with AssistantClient(
        api_key=KEY, host="http://no-such-host.invalid", retry=RetryPolicy.disabled()
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.assistants.describe("docs")
    assert type(info.value) is APIConnectionError
    assert str(info.value).startswith(
        "could not resolve the host of http://no-such-host.invalid/assistant/assistants/docs: "
    )


async def test_a_self_signed_certificate_fails_verification_and_is_not_retried(
    tls_url: str,
) -> None:
    sleep = SleepRecorder()
    async with AssistantClient(api_key=KEY, host=tls_url, retry=FAST_RETRY, sleep=sleep) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.assistants.describe("docs")
    assert type(info.value) is APIConnectionError
    assert str(info.value).startswith(f"TLS failure talking to {tls_url}/assistant/assistants/")
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)
    assert sleep.delays == []  # a certificate does not become valid by asking again


async def test_the_same_server_is_trusted_with_its_ca_file(
    tls_url: str, certificate: tuple[Path, Path]
) -> None:
    async with AssistantClient(api_key=KEY, host=tls_url, ca_file=str(certificate[0])) as c:
        assistant = await c.assistants.describe("docs")
    async with AssistantClient(api_key=KEY, host=tls_url, verify_ssl=False) as c:
        unverified = await c.assistants.describe("docs")
    assert assistant.name == unverified.name == "docs"


async def test_plain_http_to_a_tls_port_is_a_connection_error(tls_url: str) -> None:
    host = tls_url.replace("https://", "http://")
    async with AssistantClient(api_key=KEY, host=host, retry=RetryPolicy.disabled()) as client:
        with pytest.raises(APIConnectionError, match=r"^connection failed: GET http://"):
            await client.assistants.describe("docs")


async def test_a_proxy_answering_502_is_a_server_error_and_retried() -> None:
    async with (
        RawServer(_bad_gateway()) as proxy,
        AssistantClient(
            api_key=KEY, host="http://api.example.invalid", proxy=proxy.url, retry=FAST_RETRY
        ) as client,
    ):
        with pytest.raises(ServerError) as info:
            await client.assistants.describe("docs")
    assert info.value.status == 502
    assert info.value.message == "HTTP 502 with a non-JSON body: 502 Bad Gateway"
    assert (info.value.code, info.value.request_id) == (None, None)
    assert [head.split("\r\n")[0] for head in proxy.heads] == [
        "GET http://api.example.invalid/assistant/assistants/docs HTTP/1.1"
    ] * 3


async def test_a_proxy_refusing_a_tunnel_is_a_connection_error_without_the_key() -> None:
    async with (
        RawServer(_bad_gateway()) as proxy,
        AssistantClient(
            api_key=KEY,
            host="https://api.example.invalid",
            proxy=proxy.url,
            retry=FAST_RETRY,
            sleep=SleepRecorder(),
        ) as client,
    ):
        with pytest.raises(APIConnectionError) as info:
            await client.assistants.describe("docs")
    assert str(info.value) == (
        "the proxy refused the connection to "
        "https://api.example.invalid/assistant/assistants/docs: HTTP 502 Bad Gateway"
        " after 3 attempts"
    )
    assert len(proxy.heads) == 3
    assert all(head.startswith("CONNECT api.example.invalid:443 ") for head in proxy.heads)
    assert not any(KEY in head for head in proxy.heads)  # the key travels inside the tunnel only


async def test_a_server_hanging_up_is_retried_for_a_get_but_not_for_a_create() -> None:
    async with (
        RawServer(b"") as server,
        AssistantClient(api_key=KEY, host=server.url, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(APIConnectionError, match="ServerDisconnectedError"):
            await client.assistants.describe("docs")
        gets = len(server.heads)
        with pytest.raises(APIConnectionError, match="ServerDisconnectedError"):
            await client.assistants.create("docs", wait=False)
    # 3 attempts; aiohttp itself sends an idempotent request once more on a fresh connection
    # when the server closed the connection before answering (RFC 9112 section 9.3.1.1)
    assert gets == 3 * 2
    assert len(server.heads) == gets + 1  # the POST may have landed: sent once


async def test_a_response_cut_mid_body_is_retried_for_a_get(docs: Emulator) -> None:
    docs.add_fault("cut_after=10;times=1", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"
    assert docs.count(path=DOCS) == 2


async def test_a_create_whose_answer_is_cut_is_not_sent_twice(docs: Emulator) -> None:
    docs.add_fault("cut_after=10;times=1", path=ASSISTANTS, method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(APIConnectionError, match=r"^connection failed: POST "):
            await client.assistants.create("second", wait=False)
        landed = await client.assistants.describe("second")  # it did land: why no retry
    assert landed.name == "second"
    assert docs.count(method="POST", path=ASSISTANTS) == 1


async def test_a_cancelled_call_frees_the_only_pool_slot(docs: Emulator) -> None:
    docs.add_fault("delay=2;times=1", path=DOCS, method="GET")
    async with docs.client(limits=ConnectionLimits(max_connections=1)) as client:
        with anyio.move_on_after(0.2) as scope:
            await client.assistants.describe("docs")
        assert scope.cancelled_caught
        assert in_use(client) == 0
        with anyio.fail_after(1.5):  # well before the slow answer would have come
            assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"


async def test_slow_headers_on_a_stream_hit_its_opening_deadline(docs: Emulator) -> None:
    docs.add_fault("delay=2", path="^/assistant/chat/docs$", method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(APITimeoutError, match=r"^no answer within 0\.3s: POST "):
            async with client.chat_stream("docs", "q", timeout=0.3):
                pytest.fail("no headers arrive within the deadline")
        assert in_use(client) == 0
