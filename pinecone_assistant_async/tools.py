"""An assistant as a tool for any function-calling loop (OpenAI, Anthropic, your own agent).

``as_tool`` gives a name, a description, a JSON schema for the arguments and an async callable
that takes the arguments the model produced (a JSON string or a dict) and returns the text to
hand back to the model: the assistant's answer with its numbered sources (``mode="chat"``), or
the best retrieved snippets (``mode="context"``, no generation on Pinecone's side).

>>> tool = as_tool(client.assistant("handbook"))                       # doctest: +SKIP
>>> tool.openai_schema()["function"]["name"]                           # doctest: +SKIP
'ask_handbook'
>>> text = await tool('{"question": "How many vacation days?"}')       # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from .errors import InvalidInputError, InvalidTypeError
from .models import ChatResponse, ContextResponse, MultimodalSnippet, TextBlock, TextSnippet

if TYPE_CHECKING:
    from .client import AssistantClient
    from .handle import AssistantHandle

__all__ = [
    "AssistantTool",
    "ToolMode",
    "as_tool",
    "format_answer",
    "format_snippets",
    "snippet_text",
]

ToolMode = Literal["chat", "context"]
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOP_K_MAX = 64


def _schema(mode: ToolMode) -> dict[str, Any]:
    if mode == "chat":
        properties: dict[str, Any] = {
            "question": {
                "type": "string",
                "description": "The question, self-contained (include any needed context).",
            }
        }
        required = ["question"]
    else:
        properties = {
            "query": {"type": "string", "description": "What to search the documents for."},
            "top_k": {
                "type": "integer",
                "minimum": 1,
                "maximum": _TOP_K_MAX,
                "description": "How many snippets to return.",
            },
        }
        required = ["query"]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _default_description(assistant: str, mode: ToolMode) -> str:
    if mode == "chat":
        return (
            f"Ask the '{assistant}' knowledge assistant a question. It answers from its own "
            "documents and lists the sources it used."
        )
    return (
        f"Search the documents of the '{assistant}' knowledge assistant and return the most "
        "relevant passages with their sources."
    )


def _pages(pages: list[int]) -> str:
    if not pages:
        return ""
    label = "page" if len(pages) == 1 else "pages"
    return f", {label} {', '.join(str(p) for p in pages)}"


def format_answer(reply: ChatResponse) -> str:
    """The answer text followed by a numbered list of the files (and pages) it cites.

    >>> format_answer(reply)                                               # doctest: +SKIP
    'Employees get 25 vacation days. [1]\\n\\nSources:\\n[1] handbook.md, page 1'
    """
    sources: list[str] = []
    for citation in reply.citations:
        for ref in citation.references:
            line = f"{ref.file.name}{_pages(ref.pages)}"
            if line not in sources:
                sources.append(line)
    text = reply.message.content
    if not sources:
        return text
    listing = "\n".join(f"[{i}] {line}" for i, line in enumerate(sources, 1))
    return f"{text}\n\nSources:\n{listing}"


def snippet_text(snippet: object) -> str:
    """The text of a snippet (the text blocks of a multimodal one); ``""`` for unknown kinds."""
    if isinstance(snippet, TextSnippet):
        return snippet.content
    if isinstance(snippet, MultimodalSnippet):
        return "\n".join(b.text for b in snippet.content if isinstance(b, TextBlock))
    return ""


def format_snippets(context: ContextResponse) -> str:
    """Each retrieved snippet, numbered, with its file, pages and score."""
    parts: list[str] = []
    for i, snippet in enumerate(context.snippets, 1):
        reference = getattr(snippet, "reference", None)
        file = getattr(reference, "file", None)
        where = getattr(file, "name", None) or "unknown file"
        where += _pages(list(getattr(reference, "pages", None) or []))
        score = getattr(snippet, "score", None)
        head = f"[{i}] {where}" + ("" if score is None else f" (score {score:.2f})")
        parts.append(f"{head}\n{snippet_text(snippet)}")
    return "\n\n".join(parts) if parts else "No relevant passages were found."


def _arguments(
    arguments: Mapping[str, Any] | str | None, extra: Mapping[str, Any]
) -> dict[str, Any]:
    if isinstance(arguments, str):
        try:
            parsed = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"tool arguments are not valid JSON: {exc.msg}") from None
    elif arguments is None:
        parsed = {}
    elif isinstance(arguments, Mapping):
        parsed = dict(arguments)
    else:
        raise InvalidTypeError(
            f"tool arguments must be a JSON string or a mapping, got {type(arguments).__name__}"
        )
    if not isinstance(parsed, dict):
        raise InvalidInputError("tool arguments must be a JSON object")
    return {**parsed, **extra}


def _text_argument(args: Mapping[str, Any], key: str) -> str:
    value = args.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"the tool needs a non-empty string argument {key!r}")
    return value


@dataclass(frozen=True)
class AssistantTool:
    """One assistant as a function-calling tool.

    ``name``, ``description`` and ``parameters`` (a JSON schema object) describe it to a model;
    awaiting the tool runs it. ``openai_schema()`` and ``anthropic_schema()`` give the shapes
    those APIs expect.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]
    mode: ToolMode
    handle: AssistantHandle = field(repr=False)
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def _check(
        self, arguments: Mapping[str, Any] | str | None, extra: Mapping[str, Any]
    ) -> dict[str, Any]:
        args = _arguments(arguments, extra)
        allowed = set(self.parameters["properties"])
        unknown = sorted(k for k in args if k not in allowed)
        if unknown:
            raise InvalidInputError(
                f"unknown tool arguments {unknown}; the tool takes {sorted(allowed)}"
            )
        return args

    async def run(
        self, arguments: Mapping[str, Any] | str | None = None, /, **kwargs: Any
    ) -> ChatResponse | ContextResponse:
        """Run the tool and return the typed result (``ChatResponse`` or ``ContextResponse``)."""
        args = self._check(arguments, kwargs)
        if self.mode == "chat":
            question = _text_argument(args, "question")
            return await self.handle.chat(question, **self.options)
        query = _text_argument(args, "query")
        options = dict(self.options)
        top_k = args.get("top_k")
        if top_k is not None:
            if isinstance(top_k, bool) or not isinstance(top_k, int):
                raise InvalidTypeError("top_k must be an integer")
            options["top_k"] = top_k
        return await self.handle.context(query, **options)

    async def __call__(
        self, arguments: Mapping[str, Any] | str | None = None, /, **kwargs: Any
    ) -> str:
        """Run the tool; return the text to give back to the model.

        ``arguments`` is what the model produced: a JSON string (OpenAI) or a dict
        (Anthropic); keyword arguments are merged into it.
        """
        result = await self.run(arguments, **kwargs)
        if isinstance(result, ChatResponse):
            return format_answer(result)
        return format_snippets(result)

    def openai_schema(self) -> dict[str, Any]:
        """``{"type": "function", "function": {...}}`` for OpenAI-style ``tools=[...]``."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": dict(self.parameters),
            },
        }

    def anthropic_schema(self) -> dict[str, Any]:
        """``{"name", "description", "input_schema"}`` for Anthropic-style ``tools=[...]``."""
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": dict(self.parameters),
        }


def _handle_of(target: object, assistant: str | None) -> AssistantHandle:
    make = getattr(target, "assistant", None)
    if callable(make):  # an AssistantClient
        if assistant is None:
            raise InvalidInputError("as_tool(client, assistant): name the assistant")
        return cast("AssistantHandle", make(assistant))
    if assistant is not None:
        raise InvalidInputError("as_tool(handle): the handle already names its assistant")
    if not isinstance(getattr(target, "name", None), str) or not callable(
        getattr(target, "chat", None)
    ):
        raise InvalidTypeError(
            f"as_tool() needs an AssistantHandle or an AssistantClient, got {type(target).__name__}"
        )
    return cast("AssistantHandle", target)


@overload
def as_tool(
    target: AssistantHandle,
    /,
    *,
    name: str | None = ...,
    description: str | None = ...,
    mode: ToolMode = ...,
    model: str | None = ...,
    filter: Mapping[str, Any] | None = ...,
    top_k: int | None = ...,
) -> AssistantTool: ...
@overload
def as_tool(
    target: AssistantClient,
    assistant: str,
    /,
    *,
    name: str | None = ...,
    description: str | None = ...,
    mode: ToolMode = ...,
    model: str | None = ...,
    filter: Mapping[str, Any] | None = ...,
    top_k: int | None = ...,
) -> AssistantTool: ...


def as_tool(
    target: AssistantHandle | AssistantClient,
    assistant: str | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    mode: ToolMode = "chat",
    model: str | None = None,
    filter: Mapping[str, Any] | None = None,
    top_k: int | None = None,
) -> AssistantTool:
    """Describe an assistant as a tool: ``as_tool(handle)`` or ``as_tool(client, "docs")``.

    ``name`` defaults to ``ask_<assistant>`` (``search_<assistant>`` in context mode), made of
    ``[A-Za-z0-9_-]``, at most 64 characters. ``model``, ``filter`` and ``top_k`` are fixed
    for every call (the model calling the tool cannot change them, except ``top_k`` in
    context mode).

    >>> tool = as_tool(client, "handbook", mode="context", top_k=3)        # doctest: +SKIP
    """
    handle = _handle_of(target, assistant)
    if mode not in ("chat", "context"):
        raise InvalidInputError(f"mode must be 'chat' or 'context', got {mode!r}")
    if name is None:
        prefix = "ask_" if mode == "chat" else "search_"
        name = (prefix + handle.name.replace("-", "_"))[:64]
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise InvalidInputError(f"tool name {name!r} must be 1-64 characters of [A-Za-z0-9_-]")
    if description is not None and (not isinstance(description, str) or not description.strip()):
        raise InvalidInputError("description must be a non-empty string")
    options: dict[str, Any] = {}
    if filter is not None:
        options["filter"] = dict(filter)
    if model is not None:
        if mode == "context":
            raise InvalidInputError("model= only applies to mode='chat'")
        options["model"] = model
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= _TOP_K_MAX:
            raise InvalidInputError(f"top_k must be an int from 1 to {_TOP_K_MAX}")
        if mode == "chat":
            options["context_options"] = {"top_k": top_k}
        else:
            options["top_k"] = top_k
    return AssistantTool(
        name=name,
        description=description or _default_description(handle.name, mode),
        parameters=_schema(mode),
        mode=mode,
        handle=handle,
        options=options,
    )
