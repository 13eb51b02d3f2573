"""Request bodies are encoded by pydantic-core, with ``json.dumps`` as the referee.

``json_bytes`` uses pydantic-core's encoder for speed; the standard library's encoder (compact
separators, UTF-8) is what it must agree with: the same bytes for every value without floats,
the same value after decoding for every value (floats may be written ``3e-7`` or ``3e-07``),
and the same refusals (a lone surrogate, something JSON cannot express), raised before
anything is sent.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinecone_assistant_async import InvalidInputError
from pinecone_assistant_async._exchange import json_bytes
from pinecone_assistant_async.testing import Emulator

# Text as Python holds it, lone surrogates excluded (tested on their own below).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | TEXT
FLOATS = st.floats(allow_nan=False, allow_infinity=False)


def json_values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
        max_leaves=12,
    )


def reference(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(json_values(SCALARS))
def test_the_same_bytes_as_the_standard_library_for_values_without_floats(value: Any) -> None:
    assert json_bytes(value) == reference(value)


@settings(max_examples=300, deadline=None)
@given(json_values(SCALARS | FLOATS))
def test_the_same_value_once_decoded_floats_included(value: Any) -> None:
    assert json.loads(json_bytes(value)) == json.loads(reference(value))


@pytest.mark.parametrize("number", [0.1, 1.0, -0.0, 3e-7, 1e20, 1e16, 2.5e-308, math.pi])
def test_floats_round_trip_exactly(number: float) -> None:
    decoded = json.loads(json_bytes({"temperature": number}))["temperature"]
    assert decoded == number and math.copysign(1, decoded) == math.copysign(1, number)


@pytest.mark.parametrize(
    "value",
    [{"content": "hi \udc80"}, ["\ud800"], {"key \udfff": 1}],
    ids=["in a value", "in a list", "in a key"],
)
def test_a_lone_surrogate_is_refused_where_it_is(value: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"contains a lone surrogate .* at position \d+"):
        json_bytes(value)


def test_a_value_json_cannot_express_is_refused_as_the_standard_library_refuses_it() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_bytes({"when": object()})


async def test_the_service_receives_the_body_the_caller_wrote(emulator: Emulator) -> None:
    question = 'Grüße, "quotes", \\backslash, tab\t, emoji \U0001f600 and \u2028'
    async with emulator.client() as client:
        await client.assistants.create("docs")
        await client.files.upload("docs", b"The office opens at nine.", file_name="a.txt")
        await client.chat("docs", question, temperature=0.25, filter={"n": {"$in": [1, 2.5]}})
    sent = [r for r in emulator.requests if r.path == "/assistant/chat/docs"][-1]
    body = sent.json
    assert body["messages"] == [{"role": "user", "content": question}]
    assert body["temperature"] == 0.25 and body["filter"] == {"n": {"$in": [1, 2.5]}}
