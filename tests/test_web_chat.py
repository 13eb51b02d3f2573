"""The web chat example end to end: the app on the emulator, the page in headless Chromium.

The browser test needs Debian's ``chromium`` package (``.ci/run`` installs it); it is skipped
only when ``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import aiohttp
import anyio
import pytest
from aiohttp import web

from pinecone_assistant_async.testing import Emulator, ObservedResponse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "How many vacation days do employees get?"
Serve = Callable[[web.Application], Awaitable[str]]


def load_app() -> ModuleType:
    path = ROOT / "examples" / "web_chat" / "app.py"
    spec = importlib.util.spec_from_file_location("web_chat_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start an aiohttp app on a free loopback port; yields a function returning its URL."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


def sse_events(raw: str) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in raw.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


@pytest.mark.anyio
async def test_answer_is_relayed_while_the_assistant_is_still_streaming(serve: Serve) -> None:
    app_module = load_app()
    finished: list[str] = []

    def on_response(seen: ObservedResponse) -> None:
        if seen.path.startswith("/assistant/chat/"):
            finished.append(seen.path)

    async with (
        Emulator(ready_delay=0, processing_delay=0, on_response=on_response) as emu,
        emu.client() as client,
    ):
        await client.assistants.create("relay")
        docs = client.assistant("relay")
        await docs.files.upload(app_module.SAMPLE_DOCS / "handbook.md")
        # The emulator pauses its answer after 3 events: the browser must see text before that.
        emu.add_fault("stall_after=3;stall=1", path="^/assistant/chat/")
        url = await serve(app_module.create_app(docs))
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url}/api/ask", params={"q": QUESTION}) as response,
        ):
            assert response.headers["Content-Type"].startswith("text/event-stream")
            first = await response.content.readuntil(b"\n\n")
            assert first.startswith(b"event: text\n")
            assert finished == []  # the upstream answer is still being written
            rest = (await response.read()).decode()
        events = sse_events(first.decode() + rest)
        assert finished == ["/assistant/chat/relay"]
        kinds = [kind for kind, _ in events]
        assert kinds[-1] == "done"
        assert kinds.count("text") > 1 and "citation" in kinds
        text = "".join(str(data["text"]) for kind, data in events if kind == "text")
        assert "25 vacation days" in text
        cited = [data for kind, data in events if kind == "citation"]
        assert cited[0]["numbers"] == [1]
        assert cited[0]["sources"] == [{"number": 1, "file": "handbook.md", "pages": [1]}]
        assert 0 < int(str(cited[0]["position"])) <= len(text)
        # the same file and page cited again keeps its number and is not listed again
        assert len(cited) > 1
        assert all(c["numbers"] == [1] and c["sources"] == [] for c in cited[1:])


@pytest.mark.anyio
async def test_errors_reach_the_page_as_a_failure_event(serve: Serve) -> None:
    app_module = load_app()
    async with Emulator(ready_delay=0) as emu, emu.client() as client:
        url = await serve(app_module.create_app(client.assistant("missing")))
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/api/ask", params={"q": "hello"}) as response:
                events = sse_events(await response.text())
            async with session.get(f"{url}/api/ask") as response:
                assert response.status == 400
    assert [kind for kind, _ in events] == ["failure"]
    assert "404" in str(events[0][1]["message"])


@pytest.mark.anyio
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (/usr/bin/chromium)")
async def test_page_shows_streamed_answer_and_citations_in_chromium(
    serve: Serve,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    app_module = load_app()
    async with app_module.demo_assistant() as assistant:  # what `python app.py` serves
        url = await serve(app_module.create_app(assistant))
        page = f"{url}/?q={quote(QUESTION)}"  # the page asks at once
        command = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            page,
        ]
        with anyio.fail_after(50):
            done = await anyio.run_process(command, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = done.stdout.decode()
    assert '<body data-state="done">' in dom
    answer = re.search(r'<div id="answer"[^>]*>(.*?)</div>', dom, re.S)
    assert answer is not None
    assert "Every full-time employee gets 25 vacation days per calendar year." in answer[1]
    assert "<sup>[1]</sup>" in answer[1]
    citations = re.findall(r'<li class="citation">(.*?)</li>', dom)
    assert citations == ["handbook.md (page 1)"]  # cited several times, listed once
    assert answer[1].count("<sup>[1]</sup>") > 1
    assert re.search(r'<p id="status">Done \(stop\) \d+ tokens</p>', dom)


@pytest.mark.anyio
async def test_a_browser_leaving_mid_answer_ends_the_relay_without_a_traceback(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    app_module = load_app()
    caplog.set_level(logging.INFO)
    relay_ended = anyio.Event()
    ended = logging.Handler()
    ended.emit = lambda record: relay_ended.set()  # type: ignore[method-assign]
    logging.getLogger("web_chat").addHandler(ended)
    async with Emulator(ready_delay=0, processing_delay=0) as emu, emu.client() as client:
        await client.assistants.create("leaving")
        docs = client.assistant("leaving")
        await docs.files.upload(app_module.SAMPLE_DOCS / "handbook.md")
        # the answer pauses after its first events; the browser leaves during the pause
        emu.add_fault("stall_after=3;stall=0.3", path="^/assistant/chat/")
        url = await serve(app_module.create_app(docs))
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url}/api/ask", params={"q": QUESTION}) as response,
        ):
            assert (await response.content.readuntil(b"\n\n")).startswith(b"event: text\n")
            response.connection.transport.abort()  # type: ignore[union-attr]
        with anyio.fail_after(10):  # a guard against hanging, not a timing check
            await relay_ended.wait()
    logging.getLogger("web_chat").removeHandler(ended)
    assert [r.getMessage() for r in caplog.records if r.name == "web_chat"] == [
        "the browser left before the answer was complete; relay stopped"
    ]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


def test_a_busy_port_is_one_line_and_the_service_is_named_on_stderr() -> None:
    app = ROOT / "examples" / "web_chat" / "app.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINECONE_", "PORT"))}
    env["PYTHONPATH"] = str(ROOT)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        by_flag = subprocess.run(
            [sys.executable, str(app), "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=50,
            check=False,
        )
        by_env = subprocess.run(
            [sys.executable, str(app)],
            env={**env, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=50,
            check=False,
        )
    for done in (by_flag, by_env):
        assert done.returncode == 1
        assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port} ")
        assert done.stderr.count("\n") == 1 and "--port" in done.stderr


def test_the_app_names_the_emulator_on_stderr_serves_on_port_and_stops_on_sigterm() -> None:
    app = ROOT / "examples" / "web_chat" / "app.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINECONE_", "PORT"))}
    env.update(PYTHONPATH=str(ROOT), PORT="0", PINECONE_APIKEY="typo")
    process = subprocess.Popen(
        [sys.executable, str(app)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        served = process.stdout.readline()  # printed once the sample documents are loaded
        assert served.startswith("web chat on http://127.0.0.1:")
        url = served.split()[3]
        with urllib.request.urlopen(url, timeout=10) as page:
            assert b"<html" in page.read().lower()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        errors = process.stderr.read()
    finally:
        process.kill()  # no-op once it has exited; never leave the server behind
        process.communicate()
    assert errors.startswith("Talking to the offline emulator at http://127.0.0.1:")
    assert "set PINECONE_API_KEY to use Pinecone" in errors
    assert "PINECONE_APIKEY is set, but the key is read from PINECONE_API_KEY" in errors
    assert "Traceback" not in errors
