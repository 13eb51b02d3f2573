"""Pinecone's official Python SDK (a test dependency) drives every assistant operation it offers
against the emulator, through its async and its sync client.

The SDK is pointed at the emulator with `host=` (control plane; the data plane follows the
`host` field of describe()) and with the `PINECONE_PLUGIN_ASSISTANT_DATA_HOST` environment
variable for evaluation, which it otherwise sends to Pinecone's fixed evaluation host.

Where the SDK and the spec differ, the emulator follows the service:
- the SDK reads `content_hash` on files and `reasoning` on evaluated facts; neither is in the
  spec (AlignmentResponse forbids extra fields), so the emulator sends neither and the SDK
  falls back to its defaults;
- the SDK documents that chat, completions and context fail while an assistant has no
  Available file; the emulator answers 400 FAILED_PRECONDITION then (see test_server_chat).

Every response is validated against the spec, as with the `emulator` fixture.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pinecone import AsyncPinecone, Pinecone
from pinecone.errors.exceptions import ApiError, NotFoundError
from pinecone.models.assistant.chat import ChatCompletionResponse, ChatResponse
from pinecone.models.assistant.streaming import (
    AsyncChatCompletionStream,
    AsyncChatStream,
    ChatCompletionStream,
    ChatStream,
    StreamMessageEnd,
)

from pinecone_assistant_async.testing import Emulator, ObservedResponse
from tests.spec_check import contract_breaking, spec_checker

SPAIN = b"The capital of Spain is Madrid. Madrid has the Prado museum.\n\nSeville is hot."
QUESTION = [{"role": "user", "content": "What is the capital of Spain?"}]
# The SDK polls uploads and deletions every 5 s and creation every 0.5 s: processing and
# deletion are made instant so the test does not sleep, creation keeps a short delay.
DELAYS = {"ready_delay": 0.2, "processing_delay": 0.0, "delete_delay": 0.0}


@pytest.fixture
def checked() -> Iterator[list[str]]:
    problems: list[str] = []
    yield problems
    assert not problems, "\n".join(problems)


def _hook(problems: list[str]) -> object:
    checker = spec_checker()

    def validate(observed: ObservedResponse) -> None:
        if not contract_breaking(observed):
            problems.extend(checker.problems(observed))

    return validate


@pytest.mark.anyio
async def test_async_sdk_every_operation(
    checked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Emulator(on_response=_hook(checked), **DELAYS) as emu:  # type: ignore[arg-type]
        monkeypatch.setenv("PINECONE_PLUGIN_ASSISTANT_DATA_HOST", emu.url)
        async with AsyncPinecone(api_key=emu.api_key, host=emu.url) as pc:
            a = pc.assistants
            created = await a.create(name="sdk", instructions="Be brief.", metadata={"t": 1})
            assert (created.status, created.host) == ("Ready", emu.url)
            assert (await a.describe(name="sdk")).instructions == "Be brief."
            assert [x.name async for x in a.list()] == ["sdk"]
            page = await a.list_page(page_size=1)
            assert [x.name for x in page.assistants] == ["sdk"]
            await a.update(name="sdk", instructions="Be very brief.")
            assert (await a.describe(name="sdk")).instructions == "Be very brief."

            file = await a.upload_file(
                assistant_name="sdk",
                file_stream=io.BytesIO(SPAIN),
                file_name="spain.txt",
                metadata={"country": "es"},
            )
            assert (file.status, file.name, file.size) == ("Available", "spain.txt", len(SPAIN))
            upserted = await a.upload_file(
                assistant_name="sdk",
                file_stream=io.BytesIO(b"Lisbon is the capital of Portugal."),
                file_name="pt.txt",
                file_id="portugal",
            )
            assert upserted.id == "portugal"
            described = await a.describe_file(
                assistant_name="sdk", file_id=file.id, include_url=True
            )
            assert described.signed_url and described.signed_url.startswith(emu.url)
            listed = [f.id async for f in a.list_files(assistant_name="sdk")]
            assert sorted(listed) == sorted([file.id, "portugal"])
            filtered = [
                f.id async for f in a.list_files(assistant_name="sdk", filter={"country": "es"})
            ]
            assert filtered == [file.id]
            ops = [op async for op in a.list_operations(assistant_name="sdk")]
            assert {op.operation_type for op in ops} == {"upload_file", "upsert_file"}
            op = await a.describe_operation(assistant_name="sdk", operation_id=ops[0].operation_id)
            assert op.status == "Completed"

            reply = await a.chat(assistant_name="sdk", messages=QUESTION)
            assert isinstance(reply, ChatResponse)
            assert "Madrid" in reply.message.content
            assert reply.citations[0].references[0].file.id == file.id
            stream = await a.chat(assistant_name="sdk", messages=QUESTION, stream=True)
            assert isinstance(stream, AsyncChatStream)
            assert "".join([t async for t in stream.text()]) == reply.message.content
            completion = await a.chat_completions(assistant_name="sdk", messages=QUESTION)
            assert isinstance(completion, ChatCompletionResponse)
            assert "Madrid" in (completion.choices[0].message.content or "")
            cstream = await a.chat_completions(assistant_name="sdk", messages=QUESTION, stream=True)
            assert isinstance(cstream, AsyncChatCompletionStream)
            text = "".join([t async for t in cstream.text()])
            assert text == completion.choices[0].message.content
            context = await a.context(assistant_name="sdk", query="Madrid")
            assert context.snippets[0].reference.file.id == file.id
            result = await a.evaluate_alignment(
                question="Capital of Spain?",
                answer="Madrid is the capital of Spain.",
                ground_truth_answer="Madrid is the capital of Spain.",
            )
            assert result.scores.alignment == pytest.approx(1.0)

            await a.delete_file(assistant_name="sdk", file_id=file.id)
            with pytest.raises(NotFoundError):
                await a.describe_file(assistant_name="sdk", file_id=file.id)
            await a.delete(name="sdk")
            with pytest.raises(NotFoundError):
                await a.describe(name="sdk")
    methods = {(r.method, r.path.split("/")[2]) for r in emu.requests}
    assert ("POST", "evaluation") in methods
    assert ("PUT", "files") in methods


def test_sync_sdk_every_operation(checked: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator.serve_in_thread(on_response=_hook(checked), **DELAYS) as emu:
        monkeypatch.setenv("PINECONE_PLUGIN_ASSISTANT_DATA_HOST", emu.url)
        pc = Pinecone(api_key=emu.api_key, host=emu.url)
        a = pc.assistants
        try:
            assert a.create(name="sync").status == "Ready"
            assert [x.name for x in a.list()] == ["sync"]
            a.update(name="sync", metadata={"v": 2})
            assert a.describe(name="sync").metadata == {"v": 2}
            file = a.upload_file(
                assistant_name="sync", file_stream=io.BytesIO(SPAIN), file_name="spain.txt"
            )
            assert a.describe_file(assistant_name="sync", file_id=file.id).status == "Available"
            assert [f.id for f in a.list_files(assistant_name="sync")] == [file.id]
            op = next(iter(a.list_operations(assistant_name="sync")))
            assert a.describe_operation(assistant_name="sync", operation_id=op.operation_id)
            reply = a.chat(assistant_name="sync", messages=QUESTION)
            assert isinstance(reply, ChatResponse)
            assert "Madrid" in reply.message.content
            sync_stream = a.chat(assistant_name="sync", messages=QUESTION, stream=True)
            assert isinstance(sync_stream, ChatStream)
            assert isinstance(list(sync_stream)[-1], StreamMessageEnd)
            completion = a.chat_completions(assistant_name="sync", messages=QUESTION)
            assert isinstance(completion, ChatCompletionResponse)
            assert completion.choices[0].finish_reason == "stop"
            streamed = a.chat_completions(assistant_name="sync", messages=QUESTION, stream=True)
            assert isinstance(streamed, ChatCompletionStream)
            assert "Madrid" in "".join(streamed.text())
            assert a.context(assistant_name="sync", messages=QUESTION).snippets
            result = a.evaluate_alignment(
                question="Capital?", answer="Madrid.", ground_truth_answer="Madrid."
            )
            assert 0.0 <= result.scores.alignment <= 1.0
            with pytest.raises(ApiError):
                a.chat(assistant_name="sync", messages=[{"role": "user", "content": ""}])
            a.delete_file(assistant_name="sync", file_id=file.id)
            a.delete(name="sync")
            assert list(a.list()) == []
        finally:
            pc.close()
