"""LangChain: a retriever built on ``context()`` and a tool built on ``chat()``.

Needs the optional extra: ``pip install "pinecone-assistant-async[langchain]"`` (langchain-core).
Both are async-only, like the rest of this package: use ``await retriever.ainvoke(...)`` and
``await tool.ainvoke(...)`` (or any LangChain runnable that calls them asynchronously); the
synchronous ``invoke`` raises ``NotImplementedError`` instead of blocking an event loop.

>>> docs = client.assistant("handbook")                                    # doctest: +SKIP
>>> retriever = PineconeAssistantRetriever(assistant=docs, top_k=4)        # doctest: +SKIP
>>> documents = await retriever.ainvoke("vacation days")                   # doctest: +SKIP
>>> tool = assistant_tool(docs)                                            # doctest: +SKIP
>>> text = await tool.ainvoke({"question": "How many vacation days?"})     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

try:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForRetrieverRun,
        AsyncCallbackManagerForToolRun,
        CallbackManagerForRetrieverRun,
        CallbackManagerForToolRun,
    )
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.tools import BaseTool
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "pinecone_assistant_async.integrations.langchain needs langchain-core: "
        'pip install "pinecone-assistant-async[langchain]"'
    ) from exc
from pydantic import BaseModel, Field

from ..handle import AssistantHandle
from ..models import ChatResponse
from ..tools import as_tool, format_answer, snippet_text

__all__ = [
    "AssistantQuestion",
    "PineconeAssistantRetriever",
    "PineconeAssistantTool",
    "assistant_tool",
]

_SYNC = (
    "{what} is async-only: use `await {var}.ainvoke(...)`; the synchronous call would block "
    "the event loop"
)


def _document(snippet: Any) -> Document:
    reference = getattr(snippet, "reference", None)
    file = getattr(reference, "file", None)
    metadata: dict[str, Any] = {
        "score": getattr(snippet, "score", None),
        "reference_type": getattr(reference, "type", None),
        "file_id": getattr(file, "id", None),
        "file_name": getattr(file, "name", None),
        "pages": list(getattr(reference, "pages", None) or []),
    }
    file_metadata = getattr(file, "metadata", None)
    if file_metadata:
        metadata["file_metadata"] = dict(file_metadata)
    return Document(page_content=snippet_text(snippet), metadata=metadata)


class PineconeAssistantRetriever(BaseRetriever):
    """Documents retrieved by an assistant's ``context()``: one per snippet.

    Each document's ``metadata`` holds ``score``, ``reference_type``, ``file_id``,
    ``file_name``, ``pages`` and, when the file has any, ``file_metadata``.
    """

    assistant: AssistantHandle
    top_k: int | None = None
    snippet_size: int | None = None
    filter: dict[str, Any] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        raise NotImplementedError(_SYNC.format(what="PineconeAssistantRetriever", var="retriever"))

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> list[Document]:
        context = await self.assistant.context(
            query, filter=self.filter, top_k=self.top_k, snippet_size=self.snippet_size
        )
        return [_document(snippet) for snippet in context.snippets]


class AssistantQuestion(BaseModel):
    """The tool's input: one self-contained question."""

    question: str = Field(description="The question, self-contained (include needed context).")


class PineconeAssistantTool(BaseTool):
    """An assistant's ``chat()`` as a LangChain tool; returns the answer with its sources.

    Build it with :func:`assistant_tool`. With ``response_format="content_and_artifact"`` the
    artifact is the full ``ChatResponse`` (citations, usage).
    """

    args_schema: type[BaseModel] = AssistantQuestion
    assistant: AssistantHandle = Field(exclude=True)
    chat_options: dict[str, Any] = Field(default_factory=dict)
    """Fixed ``chat()`` options (``model``, ``filter``, ``context_options``)."""

    def _run(self, question: str, run_manager: CallbackManagerForToolRun | None = None) -> str:
        raise NotImplementedError(_SYNC.format(what="PineconeAssistantTool", var="tool"))

    async def _arun(
        self, question: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> str | tuple[str, ChatResponse]:
        reply = await self.assistant.chat(question, **self.chat_options)
        if self.response_format == "content_and_artifact":
            return format_answer(reply), reply
        return format_answer(reply)


def assistant_tool(
    assistant: AssistantHandle,
    *,
    name: str | None = None,
    description: str | None = None,
    model: str | None = None,
    filter: Mapping[str, Any] | None = None,
    top_k: int | None = None,
    artifact: bool = False,
) -> PineconeAssistantTool:
    """A LangChain tool that asks ``assistant``; options as :func:`~..tools.as_tool`.

    ``artifact=True`` also returns the ``ChatResponse`` as the tool message's artifact.
    """
    spec = as_tool(
        assistant, name=name, description=description, model=model, filter=filter, top_k=top_k
    )
    return PineconeAssistantTool(
        name=spec.name,
        description=spec.description,
        assistant=assistant,
        chat_options=dict(spec.options),
        response_format="content_and_artifact" if artifact else "content",
    )
