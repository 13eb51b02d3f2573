"""The cold path stays light: importing the package and making a first client load aiohttp and
the request core only; pydantic, the models, the services and tenacity come with the first
call that needs them (benchmarks/README.md, scenario f, measures what this saves)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from pinecone_assistant_async import AssistantClient
from pinecone_assistant_async.testing import Emulator

REPO = Path(__file__).resolve().parent.parent

PROGRAM = """
import json, sys
import pinecone_assistant_async as pa
client = pa.AssistantClient(api_key="cold-key", host="http://127.0.0.1:9")
made = sorted(sys.modules)
client.chat
print(json.dumps({"made": made, "chat": sorted(sys.modules)}))
"""

HEAVY = ("pydantic", "pydantic_core", "tenacity")
LAZY = ("models", "services", "streaming", "handle", "tools", "testing", "cli", "_hook_events")


def _modules() -> dict[str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, list[str]] = json.loads(proc.stdout)
    return result


def _ours(modules: list[str], part: str) -> bool:
    return any(m.split(".")[:2] == ["pinecone_assistant_async", part] for m in modules)


def test_a_first_client_loads_neither_pydantic_nor_tenacity_nor_the_services() -> None:
    modules = _modules()
    made = modules["made"]
    assert "aiohttp" in made
    assert [m for m in made if m.split(".")[0] in HEAVY] == []
    assert [part for part in LAZY if _ours(made, part)] == []
    # the first use of a service loads it, and the models with it
    chat = modules["chat"]
    assert _ours(chat, "services") and _ours(chat, "models") and "pydantic" in chat
    assert not _ours(chat, "testing") and not _ours(chat, "cli")


FIRST_CHAT = """
import asyncio, json, sys
import pinecone_assistant_async as pa
async def main():
    async with pa.AssistantClient(api_key=sys.argv[1], host=sys.argv[2]) as client:
        reply = await client.chat("cold", "What is in the handbook?")
    print(json.dumps({"answer": reply.message.content, "modules": sorted(sys.modules)}))
asyncio.run(main())
"""

# What a first chat has no use for: the other areas' services and models, the stream classes,
# the bulk uploader, the polling loop with tenacity, and anyio's event-loop backend (the first
# anyio primitive a process makes loads it, ~15 ms). Each was loaded by a first chat once.
NOT_FOR_A_CHAT = (
    "pinecone_assistant_async.services.files",
    "pinecone_assistant_async.services.operations",
    "pinecone_assistant_async.services.evaluation",
    "pinecone_assistant_async.bulk",
    "pinecone_assistant_async.streaming",
    "pinecone_assistant_async._polling",
    "pinecone_assistant_async.models.context",
    "pinecone_assistant_async.models.completions",
    "pinecone_assistant_async.models.evaluation",
    "pinecone_assistant_async.models.operations",
    "tenacity",
    "anyio._backends._asyncio",
)


@pytest.mark.anyio
async def test_a_first_chat_loads_what_a_chat_needs_and_no_more() -> None:
    async with Emulator(ready_delay=0, processing_delay=0) as emu:
        async with AssistantClient(api_key=emu.api_key, host=emu.url) as client:
            await client.assistants.create("cold")
            handbook = b"The handbook covers the deployment checklist."
            await client.files.upload("cold", handbook, file_name="handbook.txt")
        done = await anyio.run_process(
            [sys.executable, "-c", FIRST_CHAT, emu.api_key, emu.url], cwd=REPO, check=False
        )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    result = json.loads(done.stdout)
    assert result["answer"]  # a real answer, over loopback
    modules = set(result["modules"])
    assert {"pinecone_assistant_async.models.chat", "pydantic"} <= modules
    assert [m for m in NOT_FOR_A_CHAT if m in modules] == []


@pytest.mark.anyio
async def test_services_are_built_once_and_kept() -> None:
    async with AssistantClient(api_key="k", host="http://127.0.0.1:9") as client:
        assert client.files is client.files
        assert client.files._ops is client.operations
        assert client.chat == client._chat.chat and client.chat is client.chat
        assert client.context.__self__ is client._chat  # type: ignore[attr-defined]
        with pytest.raises(AttributeError, match="no attribute 'chta'"):
            client.chta  # type: ignore[attr-defined]  # noqa: B018
