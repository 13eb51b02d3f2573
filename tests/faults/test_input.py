# mypy: disable-error-code="arg-type, dict-item, call-overload"
# (the calls below pass wrong types on purpose)
"""Nonsense from callers: every bad argument raises a PineconeError that is also a ValueError or
TypeError, with a message naming the argument, before any request is sent."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pinecone_assistant_async import (
    AssistantClient,
    ConnectionLimits,
    InvalidInputError,
    InvalidTypeError,
    PineconeError,
    RetryPolicy,
    Timeouts,
)
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

Call = Callable[[AssistantClient], Awaitable[Any]]
BAD = InvalidInputError
WRONG_TYPE = InvalidTypeError


def case(name: str, call: Call, cls: type[Exception], word: str, **kwargs: Any) -> Any:
    return pytest.param(call, cls, word, id=name, **kwargs)


CALLS = [
    case("name is None", lambda c: c.assistants.describe(None), WRONG_TYPE, "name"),
    case("name is an int", lambda c: c.assistants.describe(7), WRONG_TYPE, "name"),
    case("name is empty", lambda c: c.assistants.describe(""), BAD, "name"),
    case("name has spaces", lambda c: c.assistants.describe("my docs"), BAD, "name"),
    case("name has a slash", lambda c: c.files.list_page("a/../b"), BAD, "name"),
    case("name is 64 long", lambda c: c.assistants.describe("a" * 64), BAD, "1-63"),
    case("timeout < 0", lambda c: c.assistants.create("x", timeout=-1), BAD, "timeout"),
    case("timeout NaN", lambda c: c.assistants.create("x", timeout=math.nan), BAD, "timeout"),
    case("timeout inf", lambda c: c.files.delete("docs", "f", timeout=math.inf), BAD, "timeout"),
    case("timeout text", lambda c: c.assistants.create("x", timeout="9"), WRONG_TYPE, "timeout"),
    case("region Mars!", lambda c: c.assistants.create("x", region="Mars!"), BAD, "region"),
    case("metadata list", lambda c: c.assistants.create("x", metadata=[1]), WRONG_TYPE, "meta"),
    case("metadata NaN", lambda c: c.assistants.create("x", metadata={"n": math.nan}), BAD, "meta"),
    case("metadata int keys", lambda c: c.assistants.create("x", metadata={1: 2}), BAD, "keys"),
    case("file id is a path", lambda c: c.files.describe("docs", "../x"), BAD, "file_id"),
    case("operation id empty", lambda c: c.operations.describe("docs", ""), BAD, "operation_id"),
    case("limit zero", lambda c: c.assistants.list_page(limit=0), BAD, "limit"),
    case("limit float", lambda c: c.assistants.list_page(limit=2.5), WRONG_TYPE, "limit"),
    case("chat without messages", lambda c: c.chat("docs", []), BAD, "messages"),
    case(
        "chat with a bad role",
        lambda c: c.chat("docs", [{"role": "root", "content": "hi"}]),
        BAD,
        "role",
    ),
    case("chat with bytes", lambda c: c.chat("docs", b"hi"), WRONG_TYPE, "messages"),
    case("temperature 9", lambda c: c.chat("docs", "hi", temperature=9), BAD, "temperature"),
    case("top_k 0", lambda c: c.context("docs", query="q", top_k=0), BAD, "top_k"),
    case(
        "query and messages",
        lambda c: c.context("docs", query="q", messages="m"),
        BAD,
        "exactly one",
    ),
    case(
        "alignment with an empty answer",
        lambda c: c.evaluation.alignment(question="q", answer="", ground_truth_answer="g"),
        BAD,
        "answer",
    ),
    case(
        "upload of an int",
        lambda c: c.files.upload("docs", 42, file_name="a"),
        WRONG_TYPE,
        "upload",
    ),
    case(
        "upload named like a path",
        lambda c: c.files.upload("docs", b"x", file_name="../a.txt"),
        BAD,
        "file_name",
    ),
    case(
        "upload with multimodal 'yes'",
        lambda c: c.files.upload("docs", b"x", file_name="a.txt", multimodal="yes"),
        WRONG_TYPE,
        "multimodal",
    ),
    # a lone surrogate is a str Python holds but no UTF-8 encoder can send
    case(
        "lone surrogate in metadata",
        lambda c: c.files.upload("docs", b"x", file_name="a.txt", metadata={"k": "\ud800"}),
        BAD,
        "surrogate",
    ),
    case(
        "lone surrogate in a metadata key",
        lambda c: c.assistants.create("x", metadata={"\udfff": 1}),
        BAD,
        "surrogate",
    ),
    case(
        "lone surrogate in a file name",
        lambda c: c.files.upload("docs", b"x", file_name="a\udc80.txt"),
        BAD,
        "file_name",
    ),
    case("lone surrogate in a question", lambda c: c.chat("docs", "hi \udc80"), BAD, "surrogate"),
    case("lone surrogate in a query", lambda c: c.context("docs", "\ud800"), BAD, "surrogate"),
    case(
        "lone surrogate in instructions",
        lambda c: c.assistants.create("x", instructions="be \ud83d brief"),
        BAD,
        "surrogate",
    ),
    case(
        "lone surrogate in a filter",
        lambda c: c.files.list_page("docs", filter={"team": "\ud800"}),
        BAD,
        "surrogate",
    ),
]


@pytest.mark.parametrize(("call", "cls", "word"), CALLS)
async def test_bad_arguments_fail_before_any_request(
    emulator: Emulator, call: Call, cls: type[Exception], word: str
) -> None:
    async with emulator.client() as client:
        with pytest.raises(cls, match=word) as info:
            await call(client)
    assert isinstance(info.value, PineconeError)
    assert isinstance(info.value, (ValueError, TypeError))
    assert emulator.count() == 0


CONFIGS = [
    pytest.param(lambda: RetryPolicy(max_retries=-1), "max_retries", id="negative retries"),
    pytest.param(lambda: RetryPolicy(max_retries="2"), "max_retries", id="retries as text"),
    pytest.param(lambda: RetryPolicy(initial_backoff=0), "initial_backoff", id="zero backoff"),
    pytest.param(lambda: RetryPolicy(budget_ratio=math.nan), "budget_ratio", id="NaN ratio"),
    pytest.param(lambda: RetryPolicy(budget_ratio="0.2"), "budget_ratio", id="ratio as text"),
    pytest.param(lambda: RetryPolicy(budget_burst=-1), "budget_burst", id="negative burst"),
    pytest.param(lambda: RetryPolicy(budget_burst="9"), "budget_burst", id="burst as text"),
    pytest.param(lambda: Timeouts(total=math.nan), "total", id="NaN total"),
    pytest.param(lambda: Timeouts(total="5"), "total", id="text total"),
    pytest.param(lambda: ConnectionLimits(max_connections=0), "max_connections", id="0 conns"),
    pytest.param(lambda: ConnectionLimits(max_connections="10"), "max_connections", id="text"),
    pytest.param(lambda: ConnectionLimits(per_host=1.5), "per_host", id="fractional per host"),
    pytest.param(lambda: AssistantClient(api_key="  "), "API key", id="blank key"),
    pytest.param(lambda: AssistantClient(api_key=b"k"), "API key", id="key as bytes"),
]


@pytest.mark.parametrize(("build", "word"), CONFIGS)
def test_bad_configuration_is_a_typed_error(build: Callable[[], object], word: str) -> None:
    with pytest.raises(InvalidInputError, match=word):
        build()
