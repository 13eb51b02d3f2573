"""pydantic-ai: an assistant's context and chat as a toolset for an ``Agent``.

Needs the optional extra: ``pip install "pinecone-assistant-async[pydantic-ai]"``
(``pydantic-ai-slim``; add the extra of the model provider you use).

>>> docs = client.assistant("handbook")                                   # doctest: +SKIP
>>> agent = Agent("openai:gpt-4o", toolsets=[assistant_toolset(docs)])    # doctest: +SKIP
>>> result = await agent.run("How many vacation days do I get?")          # doctest: +SKIP

The tools and their arguments are those of the MCP server (``assistant_context(query,
top_k=15, filter=None)`` and ``assistant_chat(query, top_k=None, filter=None)``), without
``assistant_name``: a toolset serves one assistant. For several, prefix each toolset
(``assistant_toolset(docs).prefixed("docs")``). The model receives the structured results
(``ContextResult``, ``ChatResult``: snippets or answer with citations, file names and pages).
Bad arguments ask the model to retry; a failure of the service ends the call with the SDK's
message (never the key).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Annotated, Any, TypeVar

try:
    from pydantic_ai import FunctionToolset, ModelRetry
    from pydantic_ai.exceptions import ToolFailed
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "pinecone_assistant_async.integrations.pydantic_ai needs pydantic-ai: "
        'pip install "pinecone-assistant-async[pydantic-ai]"'
    ) from exc
from pydantic import Field

from ..errors import InvalidInputError, PineconeError
from ..handle import AssistantHandle
from ._results import (
    DEFAULT_TOP_K,
    TOP_K_MAX,
    ChatResult,
    ContextResult,
    chat_result,
    context_result,
)

__all__ = ["ChatResult", "ContextResult", "assistant_toolset"]

T = TypeVar("T")

Query = Annotated[str, Field(min_length=1, description="What to look up, self-contained.")]
TopK = Annotated[int, Field(ge=1, le=TOP_K_MAX, description="How many snippets to retrieve.")]
ChatTopK = Annotated[
    int | None, Field(ge=1, le=TOP_K_MAX, description="How many snippets the answer may use.")
]
Filter = Annotated[
    dict[str, Any] | None,
    Field(description='Metadata filter on the files, e.g. {"team": "hr"}; omit for all.'),
]


async def _sdk(call: Awaitable[T]) -> T:
    try:
        return await call
    except InvalidInputError as exc:
        raise ModelRetry(str(exc)) from None
    except PineconeError as exc:
        raise ToolFailed(str(exc) or type(exc).__name__) from None


def assistant_toolset(
    assistant: AssistantHandle,
    *,
    context: bool = True,
    chat: bool = True,
    filter: Mapping[str, Any] | None = None,
    model: str | None = None,
    id: str | None = None,
) -> FunctionToolset[Any]:
    """A ``FunctionToolset`` with ``assistant_context`` and/or ``assistant_chat``.

    ``filter`` is applied to every call (a filter the model passes narrows it further: both
    must match); ``model`` is the model ``assistant_chat`` answers with.
    """
    if not (context or chat):
        raise InvalidInputError("assistant_toolset() needs context=True or chat=True")
    fixed = dict(filter) if filter is not None else None
    toolset: FunctionToolset[Any] = FunctionToolset(id=id)
    about = f"the '{assistant.name}' Pinecone assistant"

    def combined(extra: dict[str, Any] | None) -> dict[str, Any] | None:
        if fixed is None or extra is None:
            return extra if fixed is None else fixed
        return {"$and": [fixed, extra]}

    async def assistant_context(
        query: Query, top_k: TopK = DEFAULT_TOP_K, filter: Filter = None
    ) -> ContextResult:
        return await _sdk(context_result(assistant, query, top_k=top_k, filter=combined(filter)))

    async def assistant_chat(
        query: Query, top_k: ChatTopK = None, filter: Filter = None
    ) -> ChatResult:
        return await _sdk(
            chat_result(assistant, query, top_k=top_k, filter=combined(filter), model=model)
        )

    if context:
        toolset.add_function(
            assistant_context,
            takes_ctx=False,
            description=(
                f"Retrieve the document snippets of {about} most relevant to a query, each with "
                f"its file, pages and score (default {DEFAULT_TOP_K} snippets)."
            ),
        )
    if chat:
        toolset.add_function(
            assistant_chat,
            takes_ctx=False,
            description=(
                f"Ask {about} a question; it answers from its documents and cites them "
                "(file names and pages)."
            ),
        )
    return toolset
