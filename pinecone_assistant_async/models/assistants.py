"""Control-plane shapes: an assistant, a page of assistants, and the answer to an update."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import Field

from .._hosts import normalize_host
from ._base import ResponseModel
from .common import AssistantStatus, Pagination, Region

__all__ = [
    "Assistant",
    "AssistantList",
    "AssistantUpdate",
]


class Assistant(ResponseModel):
    """The configuration and status of one assistant."""

    name: str
    status: AssistantStatus | str = Field(union_mode="left_to_right")
    instructions: str | None = None
    metadata: dict[str, Any] | None = None
    host: str | None = None
    region: Region | str | None = Field(default=None, union_mode="left_to_right")
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def mcp_url(self) -> str | None:
        """This assistant's remote MCP endpoint (streamable HTTP; send the API key as
        ``Authorization: Bearer <key>``), or ``None`` while the service has not said where
        the assistant is hosted."""
        if not self.host:
            return None
        return mcp_endpoint(normalize_host(self.host), self.name)


def mcp_endpoint(base: str, name: str) -> str:
    """``<data host>/mcp/assistants/<name>``, as in Pinecone's "Use an Assistant MCP server"."""
    return f"{base.rstrip('/')}/mcp/assistants/{quote(name, safe='')}"


class AssistantList(ResponseModel):
    """One page of ``GET /assistants``."""

    assistants: list[Assistant] = Field(default_factory=list)
    pagination: Pagination | None = None


class AssistantUpdate(ResponseModel):
    """The answer to ``PATCH /assistants/{name}`` (the spec's ``UpdateAssistantResponse``)."""

    assistant_name: str | None = None
    instructions: str | None = None
    metadata: dict[str, Any] | None = None
