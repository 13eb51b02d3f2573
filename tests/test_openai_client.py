"""The real `openai` package against the emulator's OpenAI-compatible chat completions.

How users point OpenAI's client at an assistant: Pinecone documents the endpoint as
`POST {assistant host}/assistant/chat/{assistant_name}/chat/completions`, authorised by the
`Api-Key` header (the same key as every other call; the API reference lists no other scheme).
`openai.AsyncOpenAI` appends `/chat/completions` to its `base_url` and always sends
`Authorization: Bearer <api_key>`, so users pass

    AsyncOpenAI(base_url=f"{host}/assistant/chat/{name}", api_key=key,
                default_headers={"Api-Key": key})

Where the two disagree, Pinecone's spec is what the emulator follows:
- OpenAI's own API always sends `object: "chat.completion"` and `created`; Pinecone's
  ChatCompletionModel has neither (id, choices, model, usage), and the openai client reads
  their absence as None, so nothing breaks.
- A bearer token alone is not Pinecone's documented authentication: the emulator answers 401
  (openai raises AuthenticationError), as it does for any request without `Api-Key`.
- Streamed chunks carry no `usage` (OpenAI sends it only with `stream_options`, which
  Pinecone's SearchCompletions request does not define).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai
import pytest

from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

NAME = "docs"
QUESTION = [{"role": "user", "content": "How many vacation days do employees get?"}]
HANDBOOK = b"Employees get 25 vacation days per year. Remote work is allowed three days a week."


@pytest.fixture
async def ready(emulator: Emulator) -> Emulator:
    async with emulator.client() as client:
        await client.assistants.create(NAME)
        await client.files.upload(NAME, HANDBOOK, file_name="handbook.md")
    return emulator


@pytest.fixture
async def oai(ready: Emulator) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(
        base_url=f"{ready.url}/assistant/chat/{NAME}",
        api_key=ready.api_key,
        default_headers={"Api-Key": ready.api_key},
        max_retries=0,
    )
    async with client:
        yield client


async def test_a_completion_has_the_text_usage_and_finish_reason(
    oai: openai.AsyncOpenAI, ready: Emulator
) -> None:
    reply = await oai.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert reply.model == "gpt-4o"
    [choice] = reply.choices
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content is not None
    assert "25 vacation days" in choice.message.content
    assert reply.usage is not None
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    seen = ready.requests[-1]
    assert (seen.method, seen.path) == ("POST", f"/assistant/chat/{NAME}/chat/completions")
    assert seen.headers["User-Agent"].startswith("AsyncOpenAI/Python")


async def test_streamed_deltas_join_to_the_unary_content(oai: openai.AsyncOpenAI) -> None:
    unary = await oai.chat.completions.create(model="gpt-4o", messages=QUESTION)
    stream = await oai.chat.completions.create(
        model="gpt-4o",
        messages=QUESTION,
        stream=True,
    )
    chunks = [chunk async for chunk in stream]
    assert len(chunks) >= 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len({chunk.id for chunk in chunks}) == 1
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == unary.choices[0].message.content
    assert {c.model for c in chunks} == {"gpt-4o"}


async def test_a_bearer_token_alone_is_refused_as_unauthenticated(ready: Emulator) -> None:
    async with openai.AsyncOpenAI(
        base_url=f"{ready.url}/assistant/chat/{NAME}", api_key=ready.api_key, max_retries=0
    ) as bare:
        with pytest.raises(openai.AuthenticationError) as caught:
            await bare.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert caught.value.status_code == 401


async def test_a_model_the_endpoint_does_not_offer_is_a_bad_request(
    oai: openai.AsyncOpenAI,
) -> None:
    for model in ("gpt-3.5-turbo", "gpt-5"):  # gpt-5 is offered by chat, not completions
        with pytest.raises(openai.BadRequestError) as caught:
            await oai.chat.completions.create(model=model, messages=QUESTION)
        assert caught.value.status_code == 400
        assert model in str(caught.value)


async def test_a_missing_assistant_is_not_found(ready: Emulator) -> None:
    async with openai.AsyncOpenAI(
        base_url=f"{ready.url}/assistant/chat/nobody",
        api_key=ready.api_key,
        default_headers={"Api-Key": ready.api_key},
        max_retries=0,
    ) as other:
        with pytest.raises(openai.NotFoundError):
            await other.chat.completions.create(model="gpt-4o", messages=QUESTION)
