"""Every example runs as written against the embedded emulator, and does what it says."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
Loader = Callable[[str], ModuleType]


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch) -> Loader:
    """Import an example by file name the way ``python examples/<name>.py`` would see it."""
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    monkeypatch.delenv("PINECONE_HOST", raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def _load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return _load


def test_every_example_is_a_runnable_script() -> None:
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith(("_", "test_")))
    assert scripts == [
        "agent_langchain.py",
        "agent_mcp.py",
        "agent_pydantic_ai.py",
        "agent_tool.py",
        "bulk_upload_folder.py",
        "chat_with_history.py",
        "handling_errors.py",
        "metadata_filters.py",
        "quickstart.py",
        "tracing_a_streamed_chat.py",
        "upsert_and_reupload.py",
        "waiting_and_configuration.py",
    ]
    for name in [*scripts, "web_chat/app.py"]:
        source = (EXAMPLES / name).read_text()
        assert "async def main(" in source, name
        assert 'if __name__ == "__main__":' in source, name


def test_sample_documents_are_small_and_varied() -> None:
    docs = sorted((EXAMPLES / "sample_docs").iterdir())
    assert {p.suffix for p in docs} == {".md", ".txt", ".json"}
    assert sum(p.stat().st_size for p in docs) < 8 * 1024


@pytest.mark.anyio
async def test_quickstart(load: Loader, capsys: pytest.CaptureFixture[str]) -> None:
    result = await load("quickstart").main()
    assert result["uploaded"] == 5
    assert "25 vacation days" in result["answer"]
    assert result["cited"] == ["handbook.md"]  # cited three times, listed once
    assert result["snippets"] >= 1
    assert 0 < result["alignment"] <= 1
    out = capsys.readouterr().out
    assert "uploaded 5 files, 0 failed" in out
    assert out.count("[1] handbook.md p. 1") == 1
    # the streamed text, printed piece by piece, with a marker where each citation points
    assert result["marked"] in out and "calendar year.[1]" in result["marked"]
    assert result["marked"].replace("[1]", "") == result["answer"]
    scores = re.search(r"correctness (\S+), completeness (\S+), alignment (\S+)", out)
    assert scores is not None and float(scores[3]) == pytest.approx(result["alignment"], abs=0.01)
    assert result["facts"]
    for fact, verdict in result["facts"]:
        assert f"  {verdict}: {fact}" in out


@pytest.mark.anyio
async def test_chat_with_history(load: Loader) -> None:
    history = await load("chat_with_history").main()
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert "circadian" in history[1].content
    assert "voice control" in history[3].content


@pytest.mark.anyio
async def test_metadata_filters(load: Loader) -> None:
    result = await load("metadata_filters").main()
    assert result["product"] == ["release_notes_2025.txt", "release_notes_2026.md"]
    assert result["recent"] == ["faq.json", "handbook.md", "release_notes_2026.md"]
    assert result["cited"] == ["release_notes_2025.txt"]
    assert "Wi-Fi" in result["answer"]
    assert result["context_sources"]
    assert set(result["context_sources"]) <= {"handbook.md", "security_policy.txt"}


@pytest.mark.anyio
async def test_upsert_and_reupload(load: Loader) -> None:
    result = await load("upsert_and_reupload").main()
    assert result["upsert_ids"] == ("lamp-pricing", "lamp-pricing")
    assert result["metadata"] == {"version": 2}
    assert "89 euros" in result["before"]
    assert "99 euros" in result["after"] and "89 euros" not in result["after"]
    assert result["ids_after_upserts"] == ["lamp-pricing"]
    first, second = result["upload_ids"]
    assert first != second
    assert result["remaining"] == sorted([first, "lamp-pricing"])


@pytest.mark.anyio
async def test_bulk_upload_folder(load: Loader, capsys: pytest.CaptureFixture[str]) -> None:
    result = await load("bulk_upload_folder").main(count=12)
    assert result["first"]["available"] == 12
    assert result["failed"] == ["notes/broken.json"]
    assert result["second"]["skipped"] == 12
    assert result["second"]["available"] == 0
    assert result["stored"] == 13
    last = result["progress"][-1]
    assert (last.files_done, last.files_total) == (13, 13)
    assert last.bytes_done == last.bytes_total > 0
    out = capsys.readouterr().out
    assert "failed: notes/broken.json" in out
    # the summaries say what happened, not a row of zeros ('uploaded': 0 after 12 uploads)
    assert "first run: 13 files: 12 available, 1 failed in " in out
    assert "second run: 13 files: 12 skipped, 1 failed in " in out
    assert "'uploaded'" not in out and ": 0" not in out


@pytest.mark.anyio
async def test_handling_errors(load: Loader) -> None:
    seen = await load("handling_errors").main()
    assert seen == [
        "InvalidInputError",
        "NotFoundError",
        "ConflictError",
        "RateLimitError",
        "ServiceUnavailableError",
        "FileProcessingError",
        "NotFoundError",
    ]


@pytest.mark.anyio
async def test_waiting_and_configuration(load: Loader) -> None:
    result = await load("waiting_and_configuration").main()
    assert result == {
        "created": "Initializing",
        "timed_out": "Initializing",
        "ready": "Ready",
        "operation": "Completed",
        "file": "Available",
        "session_closed_with_client": False,  # a borrowed session stays open
    }


@pytest.mark.anyio
async def test_agent_tool(load: Loader) -> None:
    result = await load("agent_tool").main()
    ask, search = result["tools"]
    assert ask.startswith("ask_agent_tool_") and search.startswith("search_agent_tool_")
    assert "25 vacation days" in result["answer"]
    assert "Sources:\n[1] handbook.md" in result["answer"]
    assert "600 euros" in result["passages"]


@pytest.mark.anyio
async def test_agent_langchain(load: Loader) -> None:
    result = await load("agent_langchain").main()
    assert result["hr_only"] == ["handbook.md"]
    assert "security_policy.txt" in result["sync_files"]
    assert "25 vacation days" in result["answer"]


@pytest.mark.anyio
async def test_agent_pydantic_ai(load: Loader) -> None:
    result = await load("agent_pydantic_ai").main()
    assert "25 vacation days" in result["output"]
    assert result["output"].endswith("(sources: handbook.md)")


@pytest.mark.anyio
async def test_agent_mcp(load: Loader) -> None:
    result = await load("agent_mcp").main()
    tools = ["assistant_chat", "assistant_context", "list_assistants", "list_files"]
    assert result["tools"] == tools
    assert "faq.json" in result["snippet_files"]
    assert "three year warranty" in result["answer"]
    assert result["citations"][0]["sources"][0]["file_name"] == "faq.json"
    assert "/mcp/assistants/agent-mcp-" in result["remote_url"]
    assert result["remote_tools"] == ["get_context"]
    assert "25 vacation days" in result["remote_text"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINECONE_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )


def installed_entry_points(site: Path) -> None:
    """What ``pip install`` writes for this package's pytest11 entry points, from pyproject."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        declared = tomllib.load(f)["project"]["entry-points"]["pytest11"]
    info = site / "pinecone_assistant_async_under_test-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: under-test\nVersion: 0\n")
    lines = [f"{name} = {target}" for name, target in declared.items()]
    (info / "entry_points.txt").write_text("[pytest11]\n" + "\n".join(lines) + "\n")


@pytest.mark.parametrize("how", ["installed", "-p", "pytest_plugins"])
def test_the_pytest_fixture_example_passes_when_copied(tmp_path: Path, how: str) -> None:
    """``examples/test_with_emulator.py`` copied into another project: installing the package
    is enough, and the older ways of enabling the plugin still work (no double registration)."""
    installed_entry_points(tmp_path / "site")
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_bot.py").write_text((EXAMPLES / "test_with_emulator.py").read_text())
    plugin = "pinecone_assistant_async.testing.pytest_plugin"
    if how == "pytest_plugins":
        (project / "conftest.py").write_text(f"pytest_plugins = [{plugin!r}]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINECONE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), str(ROOT)])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *(["-p", plugin] if how == "-p" else []),
            "test_bot.py",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_quickstart_runs_as_a_script() -> None:
    """What the README tells a newcomer to type, in a fresh interpreter."""
    done = run("examples/quickstart.py")
    assert done.returncode == 0, done.stderr
    assert "25 vacation days" in done.stdout
    assert "correctness" in done.stdout and "completeness" in done.stdout
    # stderr says which service answered and how to switch
    assert done.stderr.startswith("Talking to the offline emulator at http://127.0.0.1:")
    assert "set PINECONE_API_KEY to use Pinecone" in done.stderr


def test_the_examples_say_which_service_and_catch_a_misspelled_key(load: Loader) -> None:
    load("chat_with_history")  # puts examples/ on sys.path, where the examples import it from
    common = importlib.import_module("_common")
    url = "http://127.0.0.1:1234"
    assert common.use_emulator({}) and common.use_emulator({"PINECONE_API_KEY": " "})
    assert not common.use_emulator({"PINECONE_API_KEY": "pcsk_x"})
    said = common.describe_target(url, {"PINECONE_KEY": "k", "pinecone_api_key": "k", "X": "1"})
    assert said.splitlines() == [
        f"Talking to the offline emulator at {url} (nothing leaves this machine); "
        "set PINECONE_API_KEY to use Pinecone.",
        "note: PINECONE_KEY is set, but the key is read from PINECONE_API_KEY only (a typo?).",
        "note: pinecone_api_key is set, but the key is read from PINECONE_API_KEY only (a typo?).",
    ]
    assert "PINCONE_API_KEY is set" in common.describe_target(url, {"PINCONE_API_KEY": "k"})
    assert "is set but empty" in common.describe_target(url, {"PINECONE_API_KEY": ""})
    assert common.describe_target(None, {"PINECONE_API_KEY": "k"}) == (
        "Talking to Pinecone at https://api.pinecone.io with PINECONE_API_KEY "
        "(unset it to use the offline emulator)."
    )
    assert "at http://proxy:8080 with" in common.describe_target(
        None, {"PINECONE_API_KEY": "k", "PINECONE_HOST": "http://proxy:8080"}
    )


@pytest.mark.anyio
async def test_tracing_a_streamed_chat(load: Loader) -> None:
    import io
    import json

    out = io.StringIO()
    answer = await load("tracing_a_streamed_chat").main(out)
    text, decoder, spans, at = out.getvalue(), json.JSONDecoder(), [], 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        span, at = decoder.raw_decode(text, at)
        spans.append(span)
    by_name = {s["name"]: s for s in spans}
    assert [s["name"] for s in spans] == ["POST", "chat gpt-4o", "answer question"]
    root, chat, attempt = by_name["answer question"], by_name["chat gpt-4o"], by_name["POST"]
    assert root["parent_id"] is None
    assert chat["parent_id"] == root["context"]["span_id"]
    assert attempt["parent_id"] == chat["context"]["span_id"]
    assert len({s["context"]["trace_id"] for s in spans}) == 1
    attrs = chat["attributes"]
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "pinecone"
    assert attrs["gen_ai.request.model"] == attrs["gen_ai.response.model"] == "gpt-4o"
    assert attrs["gen_ai.usage.input_tokens"] > 0 and attrs["gen_ai.usage.output_tokens"] > 0
    assert attrs["gen_ai.response.finish_reasons"] == ["stop"]
    assert attrs["pinecone.stream.time_to_first_chunk"] > 0
    assert attrs["pinecone.retries"] == 0 and attrs["pinecone.request_id"]
    assert attrs["http.response.status_code"] == attempt["attributes"]["http.response.status_code"]
    assert attempt["attributes"]["http.request.method"] == "POST"
    assert attempt["attributes"]["url.full"].endswith("/chat/" + attrs["pinecone.assistant.name"])
    assert "25 vacation days" in answer
    exported = json.dumps(spans)
    assert answer not in exported and "vacation days do I get" not in exported
