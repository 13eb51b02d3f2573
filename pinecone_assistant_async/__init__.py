"""pinecone_assistant_async: the asyncio-native SDK for the Pinecone Assistant API.

>>> from pinecone_assistant_async import AssistantClient
>>> async with AssistantClient() as client:          # doctest: +SKIP
...     reply = await client.chat("docs", "What is in the handbook?")

The embedded emulator lives in ``pinecone_assistant_async.testing`` and is not imported here.
"""

from ._bulk_report import BulkProgress, BulkUploadError, BulkUploadReport, FileOutcome, FileResult
from ._pagination import Page
from ._version import __version__
from .client import AssistantClient
from .config import ClientConfig, ConnectionLimits, RetryPolicy, Timeouts
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
