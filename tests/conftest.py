"""Shared pytest configuration: every async test runs on asyncio through anyio's plugin.

`emulator` starts an `Emulator` whose every response is validated against the OpenAPI spec of
the API version it was requested with (tests/spec_check.py); a mismatch fails the test at
teardown with the list of problems. `emulator_factory` starts more of them with other options
(delays, faults, ...) under the same validation.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import anyio
import pytest

from pinecone_assistant_async import RetryPolicy
from pinecone_assistant_async.testing import Emulator, ObservedResponse
from tests.spec_check import contract_breaking, spec_checker

# Hypothesis (and schemathesis, on top of it) keep their example database and caches out of
# the working tree, so a clone has no new folder after a run. Set HYPOTHESIS_STORAGE_DIRECTORY
# to choose the place yourself.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY",
    os.path.join(tempfile.gettempdir(), "pinecone-assistant-async-hypothesis"),
)

FAST = {"ready_delay": 0.05, "processing_delay": 0.05, "delete_delay": 0.05}
FAST_RETRY = RetryPolicy(initial_backoff=0.01, max_backoff=0.05)
"""The retry policy of the suite: the default retries, with waits of milliseconds."""

EmulatorFactory = Callable[..., contextlib.AbstractAsyncContextManager[Emulator]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def spec_problems() -> list[str]:
    """Spec mismatches seen by the emulators of this test (checked at teardown)."""
    return []


@pytest.fixture
async def emulator_factory(
    anyio_backend: str, spec_problems: list[str]
) -> AsyncIterator[EmulatorFactory]:
    checker = spec_checker()

    def validate(observed: ObservedResponse) -> None:
        if not contract_breaking(observed):
            spec_problems.extend(checker.problems(observed))

    @contextlib.asynccontextmanager
    async def start(**kwargs: Any) -> AsyncIterator[Emulator]:
        options = {**FAST, **kwargs}
        async with Emulator(on_response=validate, **options) as emu:
            yield emu

    yield start
    if spec_problems:
        pytest.fail("responses that do not match the spec:\n" + "\n".join(spec_problems))


@pytest.fixture
async def emulator(emulator_factory: EmulatorFactory) -> AsyncIterator[Emulator]:
    async with emulator_factory() as emu:
        yield emu


class Api:
    """A thin raw-HTTP helper for emulator tests (real requests over loopback)."""

    def __init__(self, session: aiohttp.ClientSession, emu: Emulator) -> None:
        self.session = session
        self.emu = emu

    async def call(
        self, method: str, path: str, *, expect: int | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        """(status, parsed JSON or raw text or None) of one request."""
        async with self.session.request(method, "/assistant" + path, **kwargs) as resp:
            raw = await resp.read()
            status = resp.status
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        if expect is not None:
            assert status == expect, (status, body)
        return status, body

    async def create_ready(self, name: str, **body: Any) -> dict[str, Any]:
        await self.call("POST", "/assistants", json={"name": name, **body}, expect=200)
        return await self.wait_for(f"/assistants/{name}", "Ready")

    async def wait_for(self, path: str, status: str, *, key: str = "status") -> dict[str, Any]:
        for _ in range(400):
            _, body = await self.call("GET", path)
            if isinstance(body, dict) and body.get(key) == status:
                return body
            await anyio.sleep(0.01)
        raise AssertionError(f"{path} never reached {status}: {body}")

    async def wait_gone(self, path: str) -> None:
        for _ in range(400):
            status, _ = await self.call("GET", path)
            if status == 404:
                return
            await anyio.sleep(0.01)
        raise AssertionError(f"{path} still exists")

    async def upload(
        self,
        assistant: str,
        name: str,
        content: bytes,
        *,
        metadata: dict[str, Any] | None = None,
        file_id: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        expect: int | None = 202,
    ) -> tuple[int, Any]:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=name)
        if metadata is not None:
            form.add_field("metadata", json.dumps(metadata))
        path = f"/files/{assistant}" + (f"/{file_id}" if file_id else "")
        method = "PUT" if file_id else "POST"
        return await self.call(
            method, path, data=form, headers=headers, params=params, expect=expect
        )

    async def upload_ready(self, assistant: str, name: str, content: bytes, **kw: Any) -> str:
        _, op = await self.upload(assistant, name, content, **kw)
        await self.wait_for(f"/operations/{assistant}/{op['id']}", "Completed")
        return str(op["file_id"])


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[Api]:
    headers = {"Api-Key": emulator.api_key}
    async with aiohttp.ClientSession(emulator.url, headers=headers) as session:
        yield Api(session, emulator)


@contextlib.asynccontextmanager
async def api_for(emu: Emulator) -> AsyncIterator[Api]:
    """An `Api` helper on its own session for an extra emulator."""
    async with aiohttp.ClientSession(emu.url, headers={"Api-Key": emu.api_key}) as session:
        yield Api(session, emu)
