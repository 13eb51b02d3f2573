"""The command-line tool, run as a subprocess against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from pinecone_assistant_async.cli import main
from pinecone_assistant_async.cli.ask import LiveText, mark_citations
from pinecone_assistant_async.models import Citation
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parent.parent
HANDBOOK = (
    "Employees get 25 vacation days per year.\n\n"
    "The office opens at 9am every weekday. Remote work is allowed on Fridays.\n"
)


def environment(emu: Emulator | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINECONE_")}
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = "200"
    if emu is not None:
        env.update(PINECONE_API_KEY=emu.api_key, PINECONE_HOST=emu.url)
    env.update(extra)
    return env


async def cli(
    emu: Emulator | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return await anyio.run_process(
        [sys.executable, "-m", "pinecone_assistant_async", *args],
        env=env if env is not None else environment(emu), check=False,
    )


def out(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode()


def err(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode()


async def cli_json(emu: Emulator, *args: str) -> Any:
    result = await cli(emu, "--json", *args)
    assert result.returncode == 0, err(result)
    return json.loads(out(result))


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(ready_delay=0, processing_delay=0.02, delete_delay=0) as emulator:
        yield emulator


def test_mark_citations_inserts_numbers_at_positions() -> None:
    file = {"id": "f", "name": "a.md"}
    cites = [
        Citation.model_validate({"position": 5, "references": [{"file": file, "pages": [1]}]}),
        Citation.model_validate({"position": 11, "references": [{"file": file}]}),
    ]
    assert mark_citations("Hello world", cites) == "Hello[1] world[2]"


def test_live_text_marks_citations_that_arrive_before_their_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = {"id": "f", "name": "a.md"}
    live = LiveText()
    live.write("Hi. ")
    live.cite(Citation.model_validate({"position": 2, "references": [{"file": file}]}))
    live.cite(Citation.model_validate({"position": 9, "references": [{"file": file}]}))
    live.cite(Citation.model_validate({"position": 99, "references": [{"file": file}]}))
    live.write("Hello")
    live.write(" world")
    live.finish()
    # [1] points into text already shown: listed only; [2] lands inside the next delta; [3]
    # points past the end: put at the end
    assert capsys.readouterr().out == "Hi. Hello[2] world[3]\n"
    assert len(live.citations) == 3


def test_usage_errors_exit_with_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["files", "upload"])
    assert info.value.code == 2
    assert "PATH" in capsys.readouterr().err


async def test_assistants_lifecycle(emu: Emulator) -> None:
    created = await cli_json(emu, "assistants", "create", "handbook", "--metadata", '{"t": 1}')
    assert created["name"] == "handbook" and created["status"] == "Ready"
    assert created["metadata"] == {"t": 1}
    listed = await cli_json(emu, "assistants", "list")
    assert [a["name"] for a in listed] == ["handbook"]
    described = await cli_json(emu, "assistants", "describe", "handbook")
    assert described["host"] == emu.url
    human = await cli(emu, "assistants", "list")
    assert human.returncode == 0 and "handbook" in out(human) and "Ready" in out(human)
    deleted = await cli(emu, "assistants", "delete", "handbook", "--json")  # option after verb
    assert deleted.returncode == 0 and json.loads(out(deleted)) == {"deleted": "handbook"}
    assert await cli_json(emu, "assistants", "list") == []


async def test_files_upload_reports_failures_and_reruns_send_nothing(
    emu: Emulator, tmp_path: Path
) -> None:
    root = tmp_path / "kb"
    (root / "sub").mkdir(parents=True)
    for i in range(8):
        (root / f"doc{i}.md").write_text(f"document number {i}")
    (root / "sub" / "bad.txt").write_bytes(b"broken EMULATOR:FAIL_PROCESSING")
    (root / "skip.log").write_text("not included")
    await cli_json(emu, "assistants", "create", "kb")

    first = await cli(emu, "files", "upload", "kb", str(root), "--concurrency", "3",
                      "--exclude", "*.log", "--metadata", '{"team": "docs"}')
    assert first.returncode == 1, err(first)  # one file failed
    text = out(first)
    assert "available" in text and "8" in text
    assert "kb/sub/bad.txt" in text and "asked to fail" in text
    assert "9/9 files" in err(first)  # the progress bar's final state

    emu.reset_log()
    second = await cli(emu, "--json", "files", "upload", "kb", str(root), "--exclude", "*.log",
                       "--metadata", '{"team": "docs"}')
    assert second.returncode == 1
    report = json.loads(out(second))
    assert report["counts"] == {"available": 0, "uploaded": 0, "skipped": 8, "failed": 1,
                                "pending": 0}
    assert emu.count("PUT") == 0
    failed = [r for r in report["results"] if r["outcome"] == "failed"]
    assert failed[0]["key"] == "kb/sub/bad.txt" and failed[0]["error"] == "FileProcessingError"

    files = await cli_json(emu, "files", "list", "kb")
    assert len(files) == 9 and {f["metadata"]["team"] for f in files} == {"docs"}
    victim = next(f["id"] for f in files if f["name"] == "doc0.md")
    deleted = await cli(emu, "files", "delete", "kb", victim)
    assert deleted.returncode == 0 and victim in out(deleted)
    assert len(await cli_json(emu, "files", "list", "kb")) == 8
    good = await cli(emu, "files", "upload", "kb", str(root / "doc0.md"))
    assert good.returncode == 0


async def test_chat_streams_with_numbered_citations(emu: Emulator, tmp_path: Path) -> None:
    (tmp_path / "handbook.md").write_text(HANDBOOK)
    await cli_json(emu, "assistants", "create", "hr")
    assert (await cli(emu, "files", "upload", "hr", str(tmp_path / "handbook.md"))).returncode == 0

    streamed = await cli(emu, "chat", "hr", "How many vacation days do employees get?")
    assert streamed.returncode == 0, err(streamed)
    lines = out(streamed).splitlines()
    assert "25 vacation days" in lines[0]
    assert "[1] handbook.md p. 1" in lines

    whole = await cli(emu, "chat", "hr", "When does the office open?", "--no-stream")
    assert "9am" in out(whole) and "[1]" in out(whole).splitlines()[0]

    reply = await cli_json(emu, "chat", "hr", "When does the office open?")
    assert reply["citations"][0]["references"][0]["file"]["name"] == "handbook.md"

    context = await cli_json(emu, "context", "hr", "remote work", "--top-k", "2")
    assert "Fridays" in context["snippets"][0]["content"]
    human = await cli(emu, "context", "hr", "remote work")
    assert "handbook.md" in out(human)


async def test_evaluate(emu: Emulator) -> None:
    result = await cli_json(emu, "evaluate", "--question", "Capital of France?",
                            "--answer", "Paris is the capital of France.",
                            "--ground-truth", "Paris is the capital of France.")
    assert result["metrics"]["alignment"] == 1.0
    human = await cli(emu, "evaluate", "--question", "q", "--answer", "Paris.",
                      "--ground-truth", "Paris.")
    assert human.returncode == 0 and "alignment" in out(human)


async def test_errors_are_one_line_without_traceback(emu: Emulator, tmp_path: Path) -> None:
    bad_key = environment(emu, PINECONE_API_KEY="wrong")
    result = await cli(emu, "assistants", "list", env=bad_key)
    assert result.returncode == 1
    assert err(result).startswith("error: 401") and err(result).count("\n") == 1
    assert "Traceback" not in err(result) and "wrong" not in err(result)
    debug = await cli(emu, "--debug", "assistants", "list", env=bad_key)
    assert debug.returncode == 1 and "Traceback" in err(debug)
    (tmp_path / "a.md").write_text("a")
    aborted = await cli(emu, "--json", "files", "upload", "kb", str(tmp_path), "--no-skip",
                        env=bad_key)
    assert aborted.returncode == 1
    assert json.loads(out(aborted))["counts"]["failed"] == 1  # the partial report, then:
    assert err(aborted).startswith("error: bulk upload aborted: 401")

    flag = await cli(None, "--api-key", emu.api_key, "--host", emu.url, "assistants", "list",
                     env=environment(None))
    assert flag.returncode == 0, err(flag)
    missing_key = await cli(None, "assistants", "list", env=environment(None))
    assert missing_key.returncode == 1 and "API key" in err(missing_key)

    missing = await cli(emu, "files", "upload", "kb", str(tmp_path / "nope.md"), str(tmp_path))
    assert missing.returncode == 1 and err(missing) == f"error: no such file or directory: " \
        f"{tmp_path / 'nope.md'}\n"
    unknown = await cli(emu, "chat", "nope", "hello?")
    assert unknown.returncode == 1 and "404" in err(unknown)
    assert emu.count("PUT") == 0


async def test_emulator_command_serves_until_terminated() -> None:
    process = await anyio.open_process(
        [sys.executable, "-m", "pinecone_assistant_async", "emulator", "--port", "0",
         "--instant"],
        env=environment(None),
    )
    async with process:
        assert process.stdout is not None
        buffer = b""
        with anyio.fail_after(20):
            while b"API key" not in buffer:
                buffer += await process.stdout.receive()
        url = buffer.decode().split("listening on ", 1)[1].split()[0]
        key = buffer.decode().split("API key: ", 1)[1].split()[0]
        listed = await cli(None, "--json", "assistants", "list",
                           env=environment(None, PINECONE_API_KEY=key, PINECONE_HOST=url))
        assert listed.returncode == 0 and json.loads(out(listed)) == []
        process.terminate()
        assert await process.wait() == 0


async def test_version_flag() -> None:
    result = await cli(None, "--version", env=environment(None))
    assert result.returncode == 0 and out(result).startswith("pinecone-assistant ")
