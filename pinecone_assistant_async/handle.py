"""``client.assistant(name)``: the client's calls with the assistant's name already filled in.

>>> docs = client.assistant("docs")                      # doctest: +SKIP
>>> await docs.files.upload("guide.md")                  # doctest: +SKIP
>>> reply = await docs.chat("What does the guide say?")   # doctest: +SKIP

The handle holds no state of its own: it is a view on the client, so closing the client
closes it too, and handles for the same assistant share the cached data-plane host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._bind import bind
from .models.assistants import mcp_endpoint
from .tools import AssistantTool, as_tool

if TYPE_CHECKING:
    from .client import AssistantClient

__all__ = ["AssistantHandle", "BoundFiles", "BoundOperations"]


class BoundFiles:
    """``client.files`` for one assistant."""

    def __init__(self, client: AssistantClient, name: str) -> None:
        files = client.files
        self.upload = bind(files.upload, name)
        self.upsert = bind(files.upsert, name)
        self.describe = bind(files.describe, name)
        self.list = bind(files.list, name)
        self.list_page = bind(files.list_page, name)
        self.delete = bind(files.delete, name)
        self.wait_until_available = bind(files.wait_until_available, name)
        self.upload_many = bind(files.upload_many, name)


class BoundOperations:
    """``client.operations`` for one assistant."""

    def __init__(self, client: AssistantClient, name: str) -> None:
        ops = client.operations
        self.describe = bind(ops.describe, name)
        self.list = bind(ops.list, name)
        self.list_page = bind(ops.list_page, name)
        self.wait = bind(ops.wait, name)


class AssistantHandle:
    """One assistant: its chat calls, its files and operations, and its own lifecycle."""

    def __init__(self, client: AssistantClient, name: str) -> None:
        self.name = name
        self.client = client
        self.files = BoundFiles(client, name)
        self.operations = BoundOperations(client, name)
        self.chat = bind(client.chat, name)
        self.chat_stream = bind(client.chat_stream, name)
        self.chat_completions = bind(client.chat_completions, name)
        self.chat_completions_stream = bind(client.chat_completions_stream, name)
        self.context = bind(client.context, name)
        self.describe = bind(client.assistants.describe, name)
        self.update = bind(client.assistants.update, name)
        self.delete = bind(client.assistants.delete, name)
        self.wait_until_ready = bind(client.assistants.wait_until_ready, name)

    async def mcp_url(self) -> str:
        """This assistant's remote MCP endpoint, ``<data host>/mcp/assistants/<name>``.

        Uses the cached data-plane host (one ``describe`` the first time). Connect with any
        MCP client over streamable HTTP, sending ``Authorization: Bearer <API key>``.
        """
        data_api = await self.client._t.data_url(self.name, "")  # "<host>/assistant"
        return mcp_endpoint(data_api.removesuffix("/assistant"), self.name)

    def as_tool(self, **options: Any) -> AssistantTool:
        """This assistant as a function-calling tool; options as for :func:`tools.as_tool`."""
        return as_tool(self, **options)

    def __repr__(self) -> str:
        return f"<AssistantHandle {self.name!r}>"
