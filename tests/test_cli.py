"""The command-line tool, run as a subprocess against the emulator."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest

from pinecone_assistant_async.cli import PROG, build_parser, main
from pinecone_assistant_async.testing import Emulator
from pinecone_assistant_async.testing.__main__ import build_parser as build_emulator_parser

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
        env=env if env is not None else environment(emu),
        check=False,
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

    first = await cli(
        emu,
        "files",
        "upload",
        "kb",
        str(root),
        "--concurrency",
        "3",
        "--exclude",
        "*.log",
        "--metadata",
        '{"team": "docs"}',
    )
    assert first.returncode == 1, err(first)  # one file failed
    text = out(first)
    assert "available" in text and "8" in text
    assert "kb/sub/bad.txt" in text and "asked to fail" in text
    assert "9/9 files" in err(first)  # the progress bar's final state

    emu.reset_log()
    second = await cli(
        emu,
        "--json",
        "files",
        "upload",
        "kb",
        str(root),
        "--exclude",
        "*.log",
        "--metadata",
        '{"team": "docs"}',
    )
    assert second.returncode == 1
    report = json.loads(out(second))
    assert report["counts"] == {
        "available": 0,
        "uploaded": 0,
        "skipped": 8,
        "failed": 1,
        "pending": 0,
    }
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

    question = "How many vacation days do employees get?"
    streamed = await cli(emu, "chat", "hr", question)
    assert streamed.returncode == 0, err(streamed)
    lines = out(streamed).splitlines()
    assert "25 vacation days" in lines[0]
    # the streamed text carries its markers, and a source cited twice is listed once
    assert "per year.[1]" in lines[0]
    assert [line for line in lines if line.startswith("[")] == ["[1] handbook.md p. 1"]
    # streamed or not, the same text with the same markers
    whole_answer = await cli(emu, "chat", "hr", question, "--no-stream")
    assert out(whole_answer) == out(streamed)

    whole = await cli(emu, "chat", "hr", "When does the office open?", "--no-stream")
    assert "9am" in out(whole) and "[1]" in out(whole).splitlines()[0]

    reply = await cli_json(emu, "chat", "hr", "When does the office open?")
    assert reply["citations"][0]["references"][0]["file"]["name"] == "handbook.md"

    context = await cli_json(emu, "context", "hr", "remote work", "--top-k", "2")
    assert "Fridays" in context["snippets"][0]["content"]
    human = await cli(emu, "context", "hr", "remote work")
    assert "handbook.md" in out(human)


async def test_evaluate(emu: Emulator) -> None:
    result = await cli_json(
        emu,
        "evaluate",
        "--question",
        "Capital of France?",
        "--answer",
        "Paris is the capital of France.",
        "--ground-truth",
        "Paris is the capital of France.",
    )
    assert result["metrics"]["alignment"] == 1.0
    human = await cli(
        emu, "evaluate", "--question", "q", "--answer", "Paris.", "--ground-truth", "Paris."
    )
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
    aborted = await cli(
        emu, "--json", "files", "upload", "kb", str(tmp_path), "--no-skip", env=bad_key
    )
    assert aborted.returncode == 1
    assert json.loads(out(aborted))["counts"]["failed"] == 1  # the partial report, then:
    assert err(aborted).startswith("error: bulk upload aborted: 401")

    flag = await cli(
        None,
        "--api-key",
        emu.api_key,
        "--host",
        emu.url,
        "assistants",
        "list",
        env=environment(None),
    )
    assert flag.returncode == 0, err(flag)
    missing_key = await cli(None, "assistants", "list", env=environment(None))
    assert missing_key.returncode == 1 and "API key" in err(missing_key)

    missing = await cli(emu, "files", "upload", "kb", str(tmp_path / "nope.md"), str(tmp_path))
    assert (
        missing.returncode == 1
        and err(missing) == f"error: no such file or directory: {tmp_path / 'nope.md'}\n"
    )
    unknown = await cli(emu, "chat", "nope", "hello?")
    assert unknown.returncode == 1 and "404" in err(unknown)
    assert emu.count("PUT") == 0


async def test_emulator_command_serves_until_terminated() -> None:
    process = await anyio.open_process(
        [sys.executable, "-m", "pinecone_assistant_async", "emulator", "--port", "0", "--instant"],
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
        listed = await cli(
            None,
            "--json",
            "assistants",
            "list",
            env=environment(None, PINECONE_API_KEY=key, PINECONE_HOST=url),
        )
        assert listed.returncode == 0 and json.loads(out(listed)) == []
        process.terminate()
        assert await process.wait() == 0


async def test_version_flag() -> None:
    result = await cli(None, "--version", env=environment(None))
    assert result.returncode == 0 and out(result).startswith("pinecone-assistant ")


def _walk(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases map to one parser
                yield from _walk(sub)


def test_every_option_and_argument_has_help_and_usage_names_the_command() -> None:
    parsers = list(_walk(build_parser()))
    assert len(parsers) > 15
    parsers.append(build_emulator_parser(f"{PROG} emulator"))  # what 'emulator --help' shows
    missing = [
        f"{parser.prog}: {action.dest}"
        for parser in parsers
        for action in parser._actions
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction))
        and not action.help
    ]
    assert missing == []
    for parser in parsers:
        assert parser.format_usage().startswith(f"usage: {PROG}"), parser.prog
    names = {parser.prog for parser in parsers}
    for command in (
        "assistants update",
        "files describe",
        "operations list",
        "operations describe",
    ):
        assert f"{PROG} {command}" in names


async def test_usage_lines_name_the_command_as_typed() -> None:
    result = await cli(None, "emulator", "--help", env=environment(None))
    assert result.returncode == 0
    assert out(result).startswith("usage: python -m pinecone_assistant_async emulator ")
    assert "--processing-delay S  seconds an uploaded file stays Processing" in out(result)
    script = Path(sys.executable).parent / "pinecone-assistant"  # the installed console script
    typed = await anyio.run_process(
        [str(script), "assistants", "update", "--help"], env=environment(None), check=False
    )
    assert out(typed).startswith("usage: pinecone-assistant assistants update ")
    bad = await anyio.run_process(
        [str(script), "emulator", "--port", "x"], env=environment(None), check=False
    )
    assert bad.returncode == 2
    assert "pinecone-assistant emulator: error: argument --port" in err(bad)


async def test_assistants_update_files_describe_and_operations(
    emu: Emulator, tmp_path: Path
) -> None:
    await cli_json(emu, "assistants", "create", "hr", "--instructions", "Be brief.")
    updated = await cli_json(
        emu,
        "assistants",
        "update",
        "hr",
        "--instructions",
        "Be kind.",
        "--metadata",
        '{"team": "hr"}',
    )
    assert (updated["instructions"], updated["metadata"]) == ("Be kind.", {"team": "hr"})
    nothing = await cli(emu, "assistants", "update", "hr")
    assert nothing.returncode == 2 and "--instructions" in err(nothing)

    (tmp_path / "handbook.md").write_text(HANDBOOK)
    report = await cli_json(emu, "files", "upload", "hr", str(tmp_path / "handbook.md"))
    file_id = report["results"][0]["file_id"]
    described = await cli_json(emu, "files", "describe", "hr", file_id)
    assert described["name"] == "handbook.md" and described["status"] == "Available"
    async with aiohttp.ClientSession() as session, session.get(described["signed_url"]) as got:
        assert await got.text() == HANDBOOK  # the signed URL downloads the file, no key needed
    assert "signed_url" not in await cli_json(emu, "files", "describe", "hr", file_id, "--no-url")
    human = await cli(emu, "files", "describe", "hr", file_id)
    assert human.returncode == 0 and "signed_url" in out(human)

    operations = await cli_json(emu, "operations", "list", "hr")
    assert [(op["file_id"], op["status"]) for op in operations] == [(file_id, "Completed")]
    assert await cli_json(emu, "operations", "list", "hr", "--type", "delete_file") == []
    one = await cli_json(emu, "operations", "describe", "hr", operations[0]["id"])
    assert one["id"] == operations[0]["id"] and one["operation_type"] in (
        "upload_file",
        "upsert_file",
    )
    table = await cli(emu, "operations", "list", "hr")
    assert table.returncode == 0 and "Completed" in out(table)


async def test_chat_options_reach_the_service_and_highlights_are_printed(
    emu: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "handbook.md").write_text(HANDBOOK)
    await cli_json(emu, "assistants", "create", "hr")
    await cli_json(
        emu, "files", "upload", "hr", str(tmp_path / "handbook.md"), "--metadata", '{"team": "hr"}'
    )
    emu.reset_log()
    answer = await cli(
        emu,
        "chat",
        "hr",
        "How many vacation days do employees get?",
        "--model",
        "gpt-4.1",
        "--temperature",
        "0.5",
        "--top-k",
        "3",
        "--highlights",
        "--filter",
        '{"team": "hr"}',
    )
    assert answer.returncode == 0, err(answer)
    sent = next(r.json for r in emu.requests if r.path.startswith("/assistant/chat/"))
    assert (sent["model"], sent["temperature"], sent["include_highlights"]) == (
        "gpt-4.1",
        0.5,
        True,
    )
    assert sent["context_options"] == {"top_k": 3} and sent["filter"] == {"team": "hr"}
    lines = out(answer).splitlines()
    source = lines.index("[1] handbook.md p. 1")
    assert "25 vacation days" in lines[source + 1]  # the cited passage, under its source
    bad = await cli(emu, "chat", "hr", "q", "--temperature", "9")
    assert bad.returncode == 2 and "from 0 to 2" in err(bad)


async def test_api_version_and_data_host_from_flags_and_environment(
    emu: Emulator, tmp_path: Path
) -> None:
    await cli_json(emu, "--api-version", "2025-04", "assistants", "create", "hr")
    from_env = await cli(
        emu, "--json", "assistants", "list", env=environment(emu, PINECONE_API_VERSION="2026-04")
    )
    assert from_env.returncode == 0, err(from_env)
    assert [r.api_version for r in emu.requests if r.method in ("POST", "GET")][:2] == [
        "2025-04",
        "2026-04",
    ]
    async with Emulator(ready_delay=0) as data_plane:
        # the data plane is wherever --data-host says, not the host the assistant reports
        flag = await cli(emu, "--data-host", data_plane.url, "files", "list", "hr")
        env = await cli(
            emu, "files", "list", "hr", env=environment(emu, PINECONE_DATA_HOST=data_plane.url)
        )
        assert data_plane.count("GET", "^/assistant/files/hr") == 2
    assert flag.returncode == env.returncode == 1 and "404" in err(flag)  # no such assistant there
    assert emu.count("GET", "^/assistant/files/") == 0
    wrong = await cli(emu, "assistants", "list", env=environment(emu, PINECONE_API_VERSION="x"))
    assert wrong.returncode == 1 and "api_version must be one of" in err(wrong)


async def test_plan_paces_the_client_to_that_plan_s_limits(emu: Emulator, tmp_path: Path) -> None:
    # --plan (or PINECONE_PLAN) gives the client the plan's limits: on Starter a PDF over
    # 10 MB is refused before anything is sent; on Standard (100 MB) the same file is sent.
    await cli_json(emu, "assistants", "create", "hr")
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    starter = await cli(emu, "--plan", "starter", "files", "upload", "hr", str(big), "--no-wait")
    assert starter.returncode == 1, err(starter)
    assert "scan.pdf" in out(starter) + err(starter)

    def sent() -> int:  # uploads go out as PUT (a file id chosen by the client) or POST
        return emu.count("PUT", "^/assistant/files/hr") + emu.count("POST", "^/assistant/files/hr")

    assert sent() == 0, "refused before sending"
    standard = await cli(
        emu,
        "files",
        "upload",
        "hr",
        str(big),
        "--no-wait",
        env=environment(emu, PINECONE_PLAN="Standard"),
    )
    assert standard.returncode == 0, err(standard)
    assert sent() == 1
    bad = await cli(emu, "--plan", "free", "assistants", "list")
    assert bad.returncode == 1
    assert "--plan must be one of starter, standard, enterprise, adaptive" in err(bad)
