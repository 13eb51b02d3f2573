"""An MCP server for Pinecone assistants: context, chat with citations, assistants and files.

Needs the optional extra: ``pip install "pinecone-assistant-async[mcp]"`` (the official
``mcp`` package). Run it with ``pinecone-assistant mcp`` or ``python -m
pinecone_assistant_async.mcp``, over stdio (the default, for Claude Desktop and IDEs) or
streamable HTTP (``--transport http``):

    PINECONE_API_KEY=... pinecone-assistant mcp --assistant handbook

Or build the server yourself around your own client:

>>> async with AssistantClient() as client:                       # doctest: +SKIP
...     await build_server(client, ["handbook"]).run_stdio_async()
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from .._lazy import load as _load

if importlib.util.find_spec("mcp") is None:  # pragma: no cover - only without the extra
    raise ModuleNotFoundError(
        "pinecone_assistant_async.mcp needs the official MCP package: "
        'pip install "pinecone-assistant-async[mcp]"',
        name="mcp",
    )

if TYPE_CHECKING:
    from .runner import serve as serve
    from .server import SERVER_NAME as SERVER_NAME
    from .server import build_server as build_server

__all__ = ["SERVER_NAME", "build_server", "serve"]
_LAZY = {"SERVER_NAME": ".server", "build_server": ".server", "serve": ".runner"}


def __getattr__(name: str) -> Any:
    # Lazy, so that ``python -m`` can install its signal handling before the (slow) import of
    # the mcp package.
    return _load(__name__, name, _LAZY)
