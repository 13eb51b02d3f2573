"""pinecone_assistant_async: the asyncio-native SDK for the Pinecone Assistant API.

>>> from pinecone_assistant_async import AssistantClient
>>> async with AssistantClient() as client:          # doctest: +SKIP
...     reply = await client.chat("docs", "What is in the handbook?")

The errors are imported with the package; every other public name is loaded on first use
(PEP 562), so ``import pinecone_assistant_async`` stays cheap for command-line tools and
cold starts, and the first ``AssistantClient(...)`` pays for aiohttp and the models. Type
checkers see ordinary imports. The embedded emulator (``pinecone_assistant_async.testing``)
and the command-line tool are never imported here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AssistantFailedError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    FileProcessingError,
    InvalidInputError,
    InvalidTypeError,
    NotFoundError,
    OperationFailedError,
    PermissionDeniedError,
    PineconeError,
    PreconditionFailedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    ServerSideFailure,
    ServiceUnavailableError,
    StreamError,
    UnprocessableEntityError,
    UploadNotReplayableError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from ._bulk_report import (
        BulkProgress,
        BulkUploadError,
        BulkUploadReport,
        FileOutcome,
        FileResult,
    )
    from ._pagination import Page
    from .client import AssistantClient
    from .config import ClientConfig, ConnectionLimits, RetryPolicy, Timeouts
    from .handle import AssistantHandle
    from .models import (
        AlignmentResult,
        Assistant,
        AssistantFile,
        AssistantStatus,
        ChatCompletion,
        ChatCompletionChunk,
        ChatResponse,
        Citation,
        ContextResponse,
        FileStatus,
        Message,
        Operation,
        OperationStatus,
    )
    from .streaming import ChatCompletionStream, ChatStream
    from .tools import AssistantTool, as_tool

# public name -> the module that defines it, imported when the name is first used
_LAZY = {
    "AlignmentResult": ".models",
    "Assistant": ".models",
    "AssistantClient": ".client",
    "AssistantFile": ".models",
    "AssistantHandle": ".handle",
    "AssistantStatus": ".models",
    "AssistantTool": ".tools",
    "BulkProgress": "._bulk_report",
    "BulkUploadError": "._bulk_report",
    "BulkUploadReport": "._bulk_report",
    "ChatCompletion": ".models",
    "ChatCompletionChunk": ".models",
    "ChatCompletionStream": ".streaming",
    "ChatResponse": ".models",
    "ChatStream": ".streaming",
    "Citation": ".models",
    "ClientConfig": ".config",
    "ConnectionLimits": ".config",
    "ContextResponse": ".models",
    "FileOutcome": "._bulk_report",
    "FileResult": "._bulk_report",
    "FileStatus": ".models",
    "Message": ".models",
    "Operation": ".models",
    "OperationStatus": ".models",
    "Page": "._pagination",
    "RetryPolicy": ".config",
    "Timeouts": ".config",
    "as_tool": ".tools",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AlignmentResult",
    "Assistant",
    "AssistantClient",
    "AssistantFailedError",
    "AssistantFile",
    "AssistantHandle",
    "AssistantStatus",
    "AssistantTool",
    "AuthenticationError",
    "BadRequestError",
    "BulkProgress",
    "BulkUploadError",
    "BulkUploadReport",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionStream",
    "ChatResponse",
    "ChatStream",
    "Citation",
    "ClientClosedError",
    "ClientConfig",
    "ConflictError",
    "ConnectionLimits",
    "ContextResponse",
    "FileOutcome",
    "FileProcessingError",
    "FileResult",
    "FileStatus",
    "InvalidInputError",
    "InvalidTypeError",
    "Message",
    "NotFoundError",
    "Operation",
    "OperationFailedError",
    "OperationStatus",
    "Page",
    "PermissionDeniedError",
    "PineconeError",
    "PreconditionFailedError",
    "RateLimitError",
    "ResponseDecodeError",
    "RetryPolicy",
    "ServerError",
    "ServerSideFailure",
    "ServiceUnavailableError",
    "StreamError",
    "Timeouts",
    "UnprocessableEntityError",
    "UploadNotReplayableError",
    "WaitTimeoutError",
    "__version__",
    "as_tool",
]
