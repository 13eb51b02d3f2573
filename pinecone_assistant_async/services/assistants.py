"""``client.assistants``: create, describe, list, update and delete assistants (control plane)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from .._pagination import Page, iterate_pages
from .._polling import WaitSpec, until_gone
from .._retries import Replay
from .._transport import path_segment
from .._validation import (
    check_assistant_name,
    check_json_object,
    check_limit,
    check_text,
    check_timeout,
)
from ..errors import AssistantFailedError, InvalidInputError
from ..models import Assistant, AssistantList, AssistantStatus, AssistantUpdate
from ._base import DEFAULT_WAITS, Service, page_params

__all__ = ["DEFAULT_WAIT", "AssistantsService"]

DEFAULT_WAIT = DEFAULT_WAITS["assistant"]
_UNSET: Any = object()
_MAX_INSTRUCTIONS = 16 * 1024


def _failure(assistant: Assistant) -> str | None:
    if assistant.status in (AssistantStatus.INITIALIZATION_FAILED, AssistantStatus.FAILED):
        return f"assistant {assistant.name!r} is {assistant.status}"
    if assistant.status == AssistantStatus.TERMINATING:
        return f"assistant {assistant.name!r} is Terminating (being deleted): it will not be Ready"
    return None


def _show(assistant: Assistant) -> str:
    return f"status={assistant.status}"


READY = WaitSpec[Assistant](
    what="the assistant to be Ready",
    done=lambda a: a.status == AssistantStatus.READY,
    failure=_failure,
    error=AssistantFailedError,
    describe=_show,
)
GONE: WaitSpec[Assistant] = until_gone("the assistant to be deleted", AssistantFailedError, _show)


def _region(value: object) -> str:
    text = check_text(value, "region")
    if text != text.strip().lower() or not text.replace("-", "").isalnum():
        raise InvalidInputError(f"region must be a lowercase region name like 'us', got {text!r}")
    return str(text)


def _instructions(value: object) -> str | None:
    if value is None:
        return None
    text = check_text(value, "instructions", allow_empty=True)
    if len(text.encode()) > _MAX_INSTRUCTIONS:
        raise InvalidInputError("instructions are limited to 16 KB")
    return text


class AssistantsService(Service):
    """Manage assistants.

    >>> a = await client.assistants.create("docs", instructions="Be brief.")  # doctest: +SKIP
    """

    def _url(self, name: str | None = None) -> str:
        if name is None:
            return self._t.control_url("/assistants")
        return self._t.control_url(f"/assistants/{path_segment(name)}")

    async def create(
        self,
        name: str,
        /,
        *,
        instructions: str | None = None,
        metadata: dict[str, Any] | None = None,
        region: str = "us",
        wait: bool = True,
        timeout: float = DEFAULT_WAIT,
    ) -> Assistant:
        """Create an assistant; by default wait (up to ``timeout`` s) until it is Ready."""
        check_assistant_name(name)
        # The spec's region is an extensible enum (us, eu today): a newer one is passed on.
        body: dict[str, Any] = {"name": name, "region": _region(region)}
        if instructions is not None:
            body["instructions"] = _instructions(instructions)
        meta = check_json_object(metadata, "metadata")
        if meta is not None:
            body["metadata"] = meta
        timeout = check_timeout(timeout)
        created = await self._t.request_model(
            Assistant, "POST", self._url(), json_body=body, replay=Replay.IF_NOT_LANDED
        )
        if not wait:
            return created
        return await self.wait_until_ready(name, timeout=timeout, initial=created)

    async def wait_until_ready(
        self, name: str, /, *, timeout: float = DEFAULT_WAIT, initial: Assistant | None = None
    ) -> Assistant:
        """Wait until the assistant is Ready; raises ``AssistantFailedError`` if it failed."""
        check_assistant_name(name)
        return await self._wait(
            READY, lambda: self.describe(name), timeout=timeout, initial=initial
        )

    async def describe(self, name: str, /) -> Assistant:
        """The assistant's configuration and status."""
        check_assistant_name(name)
        assistant = await self._t.request_model(Assistant, "GET", self._url(name))
        if assistant.status == AssistantStatus.READY:
            self._t.hosts.remember(name, assistant.host)
        return assistant

    async def list_page(
        self, *, limit: int | None = None, pagination_token: str | None = None
    ) -> Page[Assistant]:
        """One page of assistants and the token of the next page."""
        params = page_params(limit, pagination_token)
        page = await self._t.request_model(AssistantList, "GET", self._url(), params=params)
        token = page.pagination.next if page.pagination else None
        return Page(page.assistants, token, page.request_id)

    def list(self, *, limit: int | None = None) -> AsyncIterator[Assistant]:
        """Every assistant of the project, across pages (``limit`` is the page size)."""
        check_limit(limit)
        return iterate_pages(lambda token: self.list_page(limit=limit, pagination_token=token))

    async def update(
        self,
        name: str,
        /,
        *,
        instructions: str | None = _UNSET,
        metadata: dict[str, Any] | None = _UNSET,
    ) -> AssistantUpdate:
        """Change the instructions and/or metadata (``None`` clears a value)."""
        check_assistant_name(name)
        body: dict[str, Any] = {}
        if instructions is not _UNSET:
            body["instructions"] = _instructions(instructions)
        if metadata is not _UNSET:
            body["metadata"] = check_json_object(metadata, "metadata")
        if not body:
            raise InvalidInputError("update() needs instructions= or metadata=")
        return await self._t.request_model(
            AssistantUpdate, "PATCH", self._url(name), json_body=body
        )

    async def delete(
        self, name: str, /, *, wait: bool = True, timeout: float = DEFAULT_WAIT
    ) -> None:
        """Delete the assistant and its files; by default wait until it is gone."""
        check_assistant_name(name)
        timeout = check_timeout(timeout)
        await self._t.request("DELETE", self._url(name))
        self._t.hosts.forget(name)
        if wait:
            await self._wait_gone(GONE, lambda: self.describe(name), timeout=timeout)
