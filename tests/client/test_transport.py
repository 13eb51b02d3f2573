"""The request funnel: data-plane host lookup, retries by endpoint, deadlines, evaluation."""

from __future__ import annotations

import anyio
import pytest

from pinecone_assistant_async import (
    APITimeoutError,
    AssistantClient,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ServiceUnavailableError,
    Timeouts,
    UnprocessableEntityError,
)
from pinecone_assistant_async.testing import Emulator
from tests.conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

DESCRIBE = "^/assistant/assistants/docs$"


async def test_a_thousand_concurrent_first_calls_describe_the_assistant_once(
    emulator: Emulator,
) -> None:
    async with emulator.client() as client:
        await client.assistants.create("docs")
    emulator.reset_log()
    results: list[int] = []
    async with emulator.client() as client:

        async def first_call() -> None:
            page = await client.files.list_page("docs")
            results.append(len(page))

        async with anyio.create_task_group() as tg:
            for _ in range(1000):
                tg.start_soon(first_call)
    assert results == [0] * 1000
    assert emulator.count(method="GET", path=DESCRIBE) == 1
    assert emulator.count(method="GET", path="^/assistant/files/docs$") == 1000


async def test_the_host_is_kept_after_a_missing_file_and_looked_up_again_after_delete(
    emulator: Emulator,
) -> None:
    async with emulator.client() as client:
        await client.assistants.create("docs")
        after_create = emulator.count(method="GET", path=DESCRIBE)
        await client.files.list_page("docs")
        await client.files.list_page("docs")
        # create() polled describe until Ready and the host it saw was kept
        assert emulator.count(method="GET", path=DESCRIBE) == after_create
        with pytest.raises(NotFoundError):
            await client.files.describe("docs", "no-such-file")
        await client.files.list_page("docs")
        # a missing file says nothing about where the assistant lives
        assert emulator.count(method="GET", path=DESCRIBE) == after_create
        await client.assistants.delete("docs")
        await client.assistants.create("docs", wait=False)
        await anyio.sleep(0.1)  # the emulator makes it Ready after 0.05 s
        describes = emulator.count(method="GET", path=DESCRIBE)
        await client.files.list_page("docs")
        assert emulator.count(method="GET", path=DESCRIBE) == describes + 1


async def test_a_failed_lookup_is_shared_by_the_waiters_and_not_cached(
    emulator: Emulator,
) -> None:
    errors: list[BaseException] = []
    async with emulator.client() as client:

        async def call() -> None:
            try:
                await client.files.list_page("docs")
            except NotFoundError as exc:
                errors.append(exc)

        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(call)
        assert len(errors) == 50
        assert emulator.count(method="GET", path=DESCRIBE) == 1
        await client.assistants.create("docs")
        assert len(await client.files.list_page("docs")) == 0


async def test_503_on_a_get_is_retried_and_counted(emulator: Emulator) -> None:
    emulator.add_fault("status=503;times=2", path="^/assistant/assistants$", method="GET")
    async with emulator.client(retry=FAST_RETRY) as client:
        page = await client.assistants.list_page()
    assert page.items == []
    assert emulator.count(method="GET", path="^/assistant/assistants$") == 3


async def test_retries_stop_at_the_policy_limit(emulator: Emulator) -> None:
    emulator.add_fault("status=503;times=5", path="^/assistant/assistants$", method="GET")
    async with emulator.client(retry=FAST_RETRY) as client:
        with pytest.raises(ServiceUnavailableError) as info:
            await client.assistants.list_page()
    assert info.value.status == 503
    assert emulator.count(method="GET", path="^/assistant/assistants$") == 3


async def test_a_500_on_upload_is_not_retried_because_it_may_have_landed(
    emulator: Emulator,
) -> None:
    async with emulator.client() as client:
        await client.assistants.create("docs")
    emulator.add_fault("status=500;times=1", path="^/assistant/files/docs$", method="POST")
    async with emulator.client(retry=FAST_RETRY) as client:
        with pytest.raises(ServerError):
            await client.files.upload("docs", b"x", file_name="x.txt")
        uploaded = await client.files.upsert("docs", "same-id", b"x", file_name="x.txt")
    assert uploaded.id == "same-id"
    assert emulator.count(method="POST", path="^/assistant/files/docs$") == 1


async def test_a_500_on_upsert_is_retried_because_it_is_idempotent(emulator: Emulator) -> None:
    async with emulator.client() as client:
        await client.assistants.create("docs")
    emulator.add_fault("status=500;times=1", path="^/assistant/files/docs/f1$", method="PUT")
    async with emulator.client(retry=FAST_RETRY) as client:
        uploaded = await client.files.upsert("docs", "f1", b"x", file_name="x.txt")
    assert uploaded.id == "f1"
    assert emulator.count(method="PUT") == 2


async def test_retry_after_is_honoured_with_the_injected_sleep(emulator: Emulator) -> None:
    emulator.add_fault("status=429;times=1;retry_after=2", path="^/assistant/assistants$")
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async with emulator.client(sleep=fake_sleep) as client:
        await client.assistants.list_page()
    assert slept == [2.0]


async def test_retry_after_above_the_cap_fails_fast(emulator: Emulator) -> None:
    emulator.add_fault("status=429;times=1;retry_after=600", path="^/assistant/assistants$")
    async with emulator.client() as client:
        with pytest.raises(RateLimitError) as info:
            await client.assistants.list_page()
    assert info.value.retry_after == 600.0
    assert emulator.count(path="^/assistant/assistants$") == 1


async def test_slow_headers_hit_the_total_deadline(emulator: Emulator) -> None:
    emulator.add_fault("delay=5", path="^/assistant/assistants$")
    async with emulator.client(timeout=Timeouts(total=0.3), retry=RetryPolicy.disabled()) as c:
        with pytest.raises(APITimeoutError, match=r"0\.3"):
            await c.assistants.list_page()


async def test_a_wrong_key_is_an_authentication_error(emulator: Emulator) -> None:
    async with AssistantClient(api_key="wrong-key-xyz", host=emulator.url) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.assistants.list_page()
    assert info.value.code == "UNAUTHENTICATED"
    assert "wrong-key-xyz" not in str(info.value) + repr(info.value)


async def test_evaluation_alignment(emulator: Emulator) -> None:
    async with emulator.client() as client:
        result = await client.evaluation.alignment(
            question="When does the office open?",
            answer="The office opens at nine.",
            ground_truth_answer="The office opens at nine. It closes at five.",
        )
    assert 0 < result.metrics.completeness < 1
    assert result.metrics.correctness == 1
    assert result.reasoning.evaluated_facts
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    sent = emulator.requests[-1]
    assert sent.path == "/assistant/evaluation/metrics/alignment"
    assert sent.json["ground_truth_answer"].startswith("The office")


async def test_evaluation_rejects_empty_input_before_sending(emulator: Emulator) -> None:
    async with emulator.client() as client:
        with pytest.raises(ValueError, match="answer"):
            await client.evaluation.alignment(question="q", answer=" ", ground_truth_answer="g")
    assert emulator.count() == 0


async def test_a_422_from_evaluation_is_typed(emulator: Emulator) -> None:
    emulator.add_fault("status=422;times=1", path="evaluation")
    async with emulator.client() as client:
        with pytest.raises(UnprocessableEntityError) as info:
            await client.evaluation.alignment(question="q", answer="a", ground_truth_answer="g")
    assert info.value.status == 422
