"""Handling errors: one exception tree, typed by cause, with the server's code and request id.

    python examples/handling_errors.py

Bad input fails before any request; HTTP errors map to one class per status; failed server-side
work raises its own error with the server's message. On the emulator the example also provokes
a throttled request, a server error and a file that fails processing.
"""

from __future__ import annotations

import asyncio

from _common import target, unique_name

from pinecone_assistant_async import (
    APIStatusError,
    ConflictError,
    FileProcessingError,
    InvalidInputError,
    NotFoundError,
    PineconeError,
    RateLimitError,
    RetryPolicy,
    ServiceUnavailableError,
)
from pinecone_assistant_async.testing import CONTROL_HEADER


async def main() -> list[str]:
    seen: list[str] = []
    async with target() as where, where.client() as client:
        # 1. Bad input: rejected before anything is sent (also a ValueError).
        try:
            await client.assistants.create("Not a valid name!")
        except InvalidInputError as exc:
            seen.append(type(exc).__name__)
            print(f"invalid input: {exc}")

        # 2. An HTTP error: the class says which status; the fields say the rest.
        try:
            await client.assistants.describe("no-such-assistant")
        except NotFoundError as exc:
            seen.append(type(exc).__name__)
            print(f"not found: status={exc.status} code={exc.code} request_id={exc.request_id}")

        name = unique_name("errors")
        await client.assistants.create(name)
        try:
            # 3. Creating it twice: 409, never retried.
            try:
                await client.assistants.create(name)
            except ConflictError as exc:
                seen.append(type(exc).__name__)
                print(f"conflict: {exc.message}")

            if where.on_emulator:
                # 4. Faults on demand through the emulator's control header. A client with
                # retries off sees the first 429 or 503; the default policy would retry them.
                headers = {CONTROL_HEADER: "status=429;retry_after=1"}
                async with where.client(retry=RetryPolicy.disabled(), extra_headers=headers) as c:
                    try:
                        await c.assistants.describe(name)
                    except RateLimitError as exc:
                        seen.append(type(exc).__name__)
                        print(f"throttled: retry after {exc.retry_after} s")
                headers = {CONTROL_HEADER: "status=503;times=2"}
                async with where.client(retry=RetryPolicy.disabled(), extra_headers=headers) as c:
                    try:
                        await c.assistants.describe(name)
                    except ServiceUnavailableError as exc:
                        seen.append(type(exc).__name__)
                        print(f"unavailable: {exc}")
                async with where.client(extra_headers=headers) as c:  # default: 2 retries
                    described = await c.assistants.describe(name)
                    print(f"with retries: {described.name} is {described.status}")

                # 5. Server-side work that fails: the upload's wait raises with the reason.
                headers = {CONTROL_HEADER: "fail_processing=1"}
                async with where.client(extra_headers=headers) as c:
                    try:
                        await c.files.upload(name, b"Some notes.", file_name="notes.txt")
                    except FileProcessingError as exc:
                        seen.append(type(exc).__name__)
                        print(f"processing failed: {exc.message}")

            # Everything above is a PineconeError; APIStatusError covers every HTTP status.
            try:
                await client.files.describe(name, "no-such-file")
            except APIStatusError as exc:
                assert isinstance(exc, PineconeError)
                seen.append(type(exc).__name__)
                print(f"{type(exc).__name__}: {exc}")
        finally:
            await client.assistants.delete(name)
    return seen


if __name__ == "__main__":
    asyncio.run(main())
