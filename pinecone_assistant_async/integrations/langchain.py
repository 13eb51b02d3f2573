"""LangChain: a retriever built on ``context()`` and a tool built on ``chat()``.

Needs the optional extra: ``pip install "pinecone-assistant-async[langchain]"`` (langchain-core).
Use them asynchronously (``await retriever.ainvoke(...)``, ``await tool.ainvoke(...)``) where
you can: that uses your client and its connection pool. The synchronous ``invoke`` works too
(LangChain's sync chains, agents and standard tests call it): it runs the same code on a
private event loop in a worker thread with a short-lived client configured like yours, and
blocks the calling thread until done.

The retriever takes ``top_k``, ``filter`` and ``snippet_size`` at call time as well; a value
given to ``invoke``/``ainvoke`` replaces the retriever's own for that call.

>>> docs = client.assistant("handbook")                                    # doctest: +SKIP
>>> retriever = PineconeAssistantRetriever(assistant=docs, top_k=4)        # doctest: +SKIP
>>> documents = await retriever.ainvoke("vacation days", top_k=2)          # doctest: +SKIP
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

from ..errors import InvalidInputError
from ..handle import AssistantHandle
from ..models import ChatResponse
from ..tools import as_tool, format_answer, snippet_text
from ._sync import run_sync

__all__ = [
    "AssistantQuestion",
    "PineconeAssistantRetriever",
    "PineconeAssistantTool",
    "assistant_tool",
]

_CALL_OPTIONS = ("top_k", "filter", "snippet_size")
# LangChain passes its own ``verbose`` flag through to retrievers that take keyword arguments.
_LANGCHAIN_KWARGS = ("verbose",)


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

    def _options(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(k for k in kwargs if k not in _CALL_OPTIONS + _LANGCHAIN_KWARGS)
        if unknown:
            raise InvalidInputError(
                f"unknown retriever options {unknown}; it takes {list(_CALL_OPTIONS)}"
            )
        options: dict[str, Any] = {
            "top_k": self.top_k,
            "filter": self.filter,
            "snippet_size": self.snippet_size,
        }
        options.update((k, v) for k, v in kwargs.items() if k in _CALL_OPTIONS)
        return options

    async def _retrieve(
        self, assistant: AssistantHandle, query: str, options: Mapping[str, Any]
    ) -> list[Document]:
        context = await assistant.context(query, **options)
        return [_document(snippet) for snippet in context.snippets]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        options = self._options(kwargs)
        return run_sync(self.assistant, lambda private: self._retrieve(private, query, options))

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return await self._retrieve(self.assistant, query, self._options(kwargs))


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

    def _result(self, reply: ChatResponse) -> str | tuple[str, ChatResponse]:
        if self.response_format == "content_and_artifact":
            return format_answer(reply), reply
        return format_answer(reply)

    def _run(
        self, question: str, run_manager: CallbackManagerForToolRun | None = None
    ) -> str | tuple[str, ChatResponse]:
        options = self.chat_options
        reply = run_sync(self.assistant, lambda private: private.chat(question, **options))
        return self._result(reply)

    async def _arun(
        self, question: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> str | tuple[str, ChatResponse]:
        return self._result(await self.assistant.chat(question, **self.chat_options))


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
