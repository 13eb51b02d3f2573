"""Ways to run the emulator: async context, background thread, pytest plugin, CLI, instant mode."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import anyio
import pytest

from pinecone_assistant_async.testing import Emulator
from pinecone_assistant_async.testing.__main__ import main, parse_args
from pinecone_assistant_async.testing.pytest_plugin import (  # noqa: F401  (fixtures used here)
    assistant_emulator,
    assistant_emulator_options,
)
from tests.conftest import EmulatorFactory, api_for


def _get(url: str, key: str | None) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Api-Key": key} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def test_serve_in_thread_for_sync_code() -> None:
    with Emulator.serve_in_thread(ready_delay=0) as emu:
        assert emu.url.startswith("http://127.0.0.1:")
        assert _get(f"{emu.url}/assistant/assistants", emu.api_key) == (200, {"assistants": []})
        assert _get(f"{emu.url}/assistant/assistants", None)[0] == 401
        assert emu.count(path="/assistants") == 2
    with pytest.raises(RuntimeError):
        _ = emu.url


@pytest.mark.anyio
async def test_client_helper_returns_a_connected_client(emulator: Emulator) -> None:
    async with emulator.client() as client:
        created = await client.assistants.create("via-client")
        assert created.name == "via-client"
        described = await client.assistants.describe("via-client")
        assert described.name == "via-client"
    assert emulator.count(method="POST", path="/assistants$") == 1
    assert all(r.api_key_seen == emulator.api_key for r in emulator.requests)


@pytest.mark.anyio
async def test_instant_mode_has_no_delays_and_no_log(emulator_factory: EmulatorFactory) -> None:
    async with emulator_factory(instant=True) as emu, api_for(emu) as api:
        _, created = await api.call("POST", "/assistants", json={"name": "i"}, expect=200)
        assert created["status"] == "Ready"
        _, op = await api.upload("i", "a.txt", b"Instant text here.")
        assert op["status"] == "Completed"
        _, file = await api.call("GET", f"/files/i/{op['file_id']}", expect=200)
        assert file["status"] == "Available"
        await api.call("DELETE", "/assistants/i", expect=200)
        assert (await api.call("GET", "/assistants/i"))[0] == 404
        assert emu.requests == []


@pytest.mark.anyio
async def test_custom_key_and_construction_errors(emulator_factory: EmulatorFactory) -> None:
    async with emulator_factory(api_key="k-1") as emu, api_for(emu) as api:
        await api.call("GET", "/assistants", expect=200)
        assert repr(emu) == f"Emulator({emu.url})"
        with pytest.raises(RuntimeError):
            await emu.start()
    with pytest.raises(ValueError):
        Emulator(api_key="")
    with pytest.raises(ValueError):
        Emulator(ready_delay=-1)


@pytest.mark.anyio
async def test_plugin_fixture(assistant_emulator: Emulator) -> None:  # noqa: F811
    async with api_for(assistant_emulator) as api:
        await api.create_ready("plugged")
        _, body = await api.call("GET", "/assistants", expect=200)
        assert [a["name"] for a in body["assistants"]] == ["plugged"]


def test_cli_arguments() -> None:
    args = parse_args(["--port", "0", "--fault", "status=503;times=1", "--instant"])
    assert (args.port, args.fault, args.instant) == (0, ["status=503;times=1"], True)
    with pytest.raises(SystemExit):
        parse_args(["--fault", "nonsense=1"])


@pytest.mark.anyio
async def test_cli_serves_until_sigterm() -> None:
    command = [
        sys.executable, "-m", "pinecone_assistant_async.testing", "--port", "0",
        "--api-key", "cli-key", "--ready-delay", "0",
        "--fault", "status=418", "--fault-path", "^/assistant/teapot",
    ]  # fmt: skip
    async with await anyio.open_process(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        buffer = b""
        with anyio.fail_after(30):
            while b"API key" not in buffer:
                buffer += await proc.stdout.receive()
        lines = buffer.decode().splitlines()
        url = lines[0].rsplit(" ", 1)[1]
        assert lines[1] == "API key: cli-key"
        status, body = await anyio.to_thread.run_sync(
            _get, f"{url}/assistant/assistants", "cli-key"
        )
        assert (status, body) == (200, {"assistants": []})
        status, _ = await anyio.to_thread.run_sync(_get, f"{url}/assistant/teapot", "cli-key")
        assert status == 418
        proc.send_signal(signal.SIGTERM)
        with anyio.fail_after(30):
            code = await proc.wait()
            rest = b"".join([chunk async for chunk in proc.stdout])
        assert code == 0
        assert b"Emulator stopped." in rest


def test_cli_reports_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert f"cannot serve on 127.0.0.1:{port}" in capsys.readouterr().err
