"""Every error status the specs list, and those proxies add: class, fields, retried or not.

Each case injects the status on the emulator and counts what reached it: a retried status is
sent 1 + max_retries times, any other exactly once.
"""

from __future__ import annotations

import pytest

from pinecone_assistant_async import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ServiceUnavailableError,
    UnprocessableEntityError,
)
from pinecone_assistant_async.testing import Emulator

from .conftest import ASSISTANTS, CHAT, DOCS, FAST_RETRY

pytestmark = pytest.mark.anyio

# status -> (class, the code the emulator sends for it by default)
STATUSES: dict[int, tuple[type[APIStatusError], str]] = {
    400: (BadRequestError, "INVALID_ARGUMENT"),
    401: (AuthenticationError, "UNAUTHENTICATED"),
    403: (PermissionDeniedError, "PERMISSION_DENIED"),
    404: (NotFoundError, "NOT_FOUND"),
    408: (APIStatusError, "DEADLINE_EXCEEDED"),
    409: (ConflictError, "ALREADY_EXISTS"),
    412: (PreconditionFailedError, "FAILED_PRECONDITION"),
    422: (UnprocessableEntityError, "INVALID_ARGUMENT"),
    429: (RateLimitError, "TOO_MANY_REQUESTS"),
    500: (ServerError, "UNKNOWN"),
    502: (ServerError, "UNAVAILABLE"),
    503: (ServiceUnavailableError, "UNAVAILABLE"),
    504: (ServerError, "DEADLINE_EXCEEDED"),
}
RETRIED_ANYWHERE = {408, 429, 500, 502, 503, 504}
RETRIED_IF_NOT_LANDED = {408, 429, 503}  # the request provably did not create anything


@pytest.mark.parametrize("status", sorted(STATUSES))
async def test_a_get_maps_the_status_and_retries_only_transient_ones(
    docs: Emulator, status: int
) -> None:
    cls, code = STATUSES[status]
    docs.add_fault(f"status={status};request_id=rid-{status}", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(APIStatusError) as info:
            await client.assistants.describe("docs")
    error = info.value
    assert type(error) is cls
    assert (error.status, error.code, error.request_id) == (status, code, f"rid-{status}")
    assert error.message == f"Injected error (status {status})"
    assert error.method == "GET" and error.url == f"{docs.url}/assistant/assistants/docs"
    sent = 3 if status in RETRIED_ANYWHERE else 1
    assert error.attempts == sent
    assert str(error) == (
        f"{status} {code}: Injected error (status {status}) "
        f"(GET {docs.url}/assistant/assistants/docs) [request id rid-{status}]"
        + (f" after {sent} attempts" if sent > 1 else "")
    )
    assert docs.count(method="GET", path=DOCS) == sent


@pytest.mark.parametrize("status", sorted(STATUSES))
async def test_a_create_is_retried_only_when_it_provably_did_not_land(
    docs: Emulator, status: int
) -> None:
    cls, _ = STATUSES[status]
    docs.add_fault(
        f"status={status};code=CUSTOM_{status};message=no luck {status};request_id=r{status}",
        path=ASSISTANTS,
        method="POST",
    )
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(APIStatusError) as info:
            await client.assistants.create("other", wait=False)
    error = info.value
    assert type(error) is cls
    assert (error.status, error.code, error.message, error.request_id) == (
        status,
        f"CUSTOM_{status}",
        f"no luck {status}",
        f"r{status}",
    )
    assert error.body == {
        "error": {"code": f"CUSTOM_{status}", "message": f"no luck {status}"},
        "status": status,
    }
    sent = 3 if status in RETRIED_IF_NOT_LANDED else 1
    assert docs.count(method="POST", path=ASSISTANTS) == sent


@pytest.mark.parametrize("status", [400, 404, 409, 429, 500, 503])
async def test_opening_a_stream_maps_the_status_and_retries_before_the_first_byte(
    docs: Emulator, status: int
) -> None:
    cls, code = STATUSES[status]
    docs.add_fault(f"status={status};request_id=s{status}", path=CHAT, method="POST")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(APIStatusError) as info:
            async with client.chat_stream("docs", "hello"):
                pytest.fail("a failed stream must raise on entry")
    assert type(info.value) is cls
    assert (info.value.status, info.value.code, info.value.request_id) == (
        status,
        code,
        f"s{status}",
    )
    assert docs.count(method="POST", path=CHAT) == (3 if status in RETRIED_ANYWHERE else 1)


async def test_a_transient_failure_then_success_returns_the_success(docs: Emulator) -> None:
    docs.add_fault("status=502;times=2", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        assistant = await client.assistants.describe("docs")
    assert assistant.name == "docs"
    assert [r.status for r in docs.requests] == [502, 502, 200]


async def test_a_disabled_policy_sends_each_request_once(docs: Emulator) -> None:
    docs.add_fault("status=503", path=DOCS, method="GET")
    async with docs.client(retry=RetryPolicy.disabled()) as client:
        with pytest.raises(ServiceUnavailableError):
            await client.assistants.describe("docs")
    assert docs.count(method="GET", path=DOCS) == 1


def test_409_cannot_be_made_retryable() -> None:
    with pytest.raises(InvalidInputError, match="409"):
        RetryPolicy(retry_statuses=frozenset({409, 503}))


async def test_a_conflict_is_never_retried_even_on_a_safe_request(docs: Emulator) -> None:
    docs.add_fault("status=409", path=DOCS, method="GET")
    policy = RetryPolicy(
        max_retries=5, retry_statuses=frozenset({400, 500, 503}), initial_backoff=0.01
    )
    async with docs.client(retry=policy) as client:
        with pytest.raises(ConflictError):
            await client.assistants.describe("docs")
    assert docs.count(method="GET", path=DOCS) == 1


@pytest.mark.parametrize(("status", "cls"), [(418, APIStatusError), (599, ServerError)])
async def test_a_status_no_spec_lists_still_maps_and_is_not_retried(
    docs: Emulator, status: int, cls: type[APIStatusError]
) -> None:
    docs.add_fault(f"status={status};code=ODD;message=odd", path=DOCS, method="GET")
    async with docs.client(retry=FAST_RETRY) as client:
        with pytest.raises(APIStatusError) as info:
            await client.assistants.describe("docs")
    assert type(info.value) is cls
    assert (info.value.status, info.value.code, info.value.message) == (status, "ODD", "odd")
    assert docs.count(path=DOCS) == 1
