"""Errors cross process boundaries whole, and carry the headers of the response they describe.

A worker pool (``multiprocessing``, a task queue) pickles the exception a task raised; most of
our errors take keyword arguments that ``BaseException.args`` does not hold, so the default
pickling could not rebuild them. Status errors also keep the response's headers
(case-insensitive, the key redacted), so what a 429 or a 503 said is there to read.
"""

from __future__ import annotations

import pickle
import socket

import pytest

from pinecone_assistant_async import (
    APIConnectionError,
    AssistantClient,
    InvalidInputError,
    NotFoundError,
    PineconeError,
    RateLimitError,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import DOCS, FAST_RETRY


def _round_trip(error: PineconeError) -> PineconeError:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error) and repr(again) == repr(error)
    assert vars(again).keys() == vars(error).keys()
    return again


async def test_a_status_error_survives_pickling_with_its_headers(docs: Emulator) -> None:
    docs.add_fault("status=429;times=9;retry_after=0", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(RateLimitError) as info:
            await client.assistants.describe("docs")
    error = info.value
    assert error.headers["retry-after"] == "0" == error.headers["Retry-After"]
    assert error.headers["X-Pinecone-Request-Id"] == error.request_id
    again = _round_trip(error)
    assert isinstance(again, RateLimitError)
    assert (again.status, again.code, again.request_id, again.attempts) == (
        error.status,
        error.code,
        error.request_id,
        error.attempts,
    )
    assert again.retry_after == 0 and dict(again.headers) == dict(error.headers)


async def test_a_missing_assistant_and_a_refused_connection_survive_pickling(
    emulator: Emulator,
) -> None:
    async with emulator.client() as client:
        with pytest.raises(NotFoundError) as missing:
            await client.assistants.describe("nobody")
    assert _round_trip(missing.value).status == 404
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AssistantClient(api_key="k", host=f"http://127.0.0.1:{port}", retry=FAST_RETRY) as c:
        with pytest.raises(APIConnectionError) as refused:
            await c.assistants.describe("docs")
    again = _round_trip(refused.value)
    assert isinstance(again, APIConnectionError) and again.not_sent


def test_an_input_error_survives_pickling() -> None:
    again = _round_trip(InvalidInputError("name must be 1-63 characters"))
    assert isinstance(again, ValueError)


def test_an_error_built_by_hand_has_no_headers() -> None:
    assert dict(NotFoundError("gone", status=404).headers) == {}
