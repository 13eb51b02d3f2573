"""``client.operations``: the progress of file uploads, upserts and deletes (data plane)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from .._pagination import Page, iterate_pages
from .._polling import WaitSpec
from .._transport import path_segment
from .._validation import check_assistant_name, check_id, check_limit, check_text
from ..errors import OperationFailedError, ServerSideFailure
from ..models import Operation, OperationList, OperationStatus
from ._base import DEFAULT_WAITS, Service, page_params

__all__ = ["DEFAULT_WAIT", "OperationsService", "operation_spec"]

DEFAULT_WAIT = DEFAULT_WAITS["operation"]


def _show(op: Operation) -> str:
    pct = "" if op.percent_complete is None else f", {op.percent_complete}% complete"
    return f"operation {op.id} status={op.status}{pct}"


def operation_spec(error: type[ServerSideFailure] = OperationFailedError) -> WaitSpec[Operation]:
    """Waiting for an operation to finish; a Failed one raises ``error`` with its message."""

    def failure(op: Operation) -> str | None:
        if op.status == OperationStatus.FAILED:
            return op.error_message or f"operation {op.id} failed without a message"
        return None

    return WaitSpec(
        what="the operation to complete",
        done=lambda op: op.status == OperationStatus.COMPLETED,
        failure=failure,
        error=error,
        describe=_show,
    )


class OperationsService(Service):
    """Long-running file operations.

    >>> op = await client.operations.wait("docs", op_id)  # doctest: +SKIP
    """

    async def describe(self, assistant: str, /, operation_id: str) -> Operation:
        """One operation's status and progress."""
        check_assistant_name(assistant)
        check_id(operation_id, "operation_id")
        url = await self._t.data_url(
            assistant, f"/operations/{path_segment(assistant)}/{path_segment(operation_id)}"
        )
        return await self._t.request_model(Operation, "GET", url, assistant=assistant)

    async def list_page(
        self,
        assistant: str,
        /,
        *,
        status: str | None = None,
        operation_type: str | None = None,
        limit: int | None = None,
        pagination_token: str | None = None,
    ) -> Page[Operation]:
        """One page of operations (newest first on the service) and the next page's token."""
        check_assistant_name(assistant)
        params = page_params(limit, pagination_token)
        if status is not None:
            params["status"] = str(check_text(status, "status"))  # an OperationStatus or text
        if operation_type is not None:
            params["operation_type"] = str(check_text(operation_type, "operation_type"))
        url = await self._t.data_url(assistant, f"/operations/{path_segment(assistant)}")
        page = await self._t.request_model(
            OperationList, "GET", url, params=params, assistant=assistant
        )
        token = page.pagination.next if page.pagination else None
        return Page(page.operations, token, page.request_id)

    def list(
        self,
        assistant: str,
        /,
        *,
        status: str | None = None,
        operation_type: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Operation]:
        """Every operation of the assistant, across pages."""
        check_assistant_name(assistant)
        check_limit(limit)
        return iterate_pages(
            lambda token: self.list_page(
                assistant,
                status=status,
                operation_type=operation_type,
                limit=limit,
                pagination_token=token,
            )
        )

    async def wait(
        self,
        assistant: str,
        /,
        operation_id: str,
        *,
        timeout: float = DEFAULT_WAIT,
        error: type[ServerSideFailure] = OperationFailedError,
        initial: Operation | None = None,
    ) -> Operation:
        """Wait until the operation completes; ``OperationFailedError`` if it failed."""
        check_assistant_name(assistant)
        check_id(operation_id, "operation_id")
        return await self._wait(
            operation_spec(error),
            lambda: self.describe(assistant, operation_id),
            timeout=timeout,
            initial=initial,
        )
