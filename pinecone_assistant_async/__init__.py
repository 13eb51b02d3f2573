"""pinecone_assistant_async: the asyncio-native SDK for the Pinecone Assistant API.

>>> from pinecone_assistant_async import AssistantClient
>>> async with AssistantClient() as client:          # doctest: +SKIP
...     reply = await client.chat("docs", "What is in the handbook?")

The errors are imported with the package; every other public name is loaded on first use
(PEP 562), so ``import pinecone_assistant_async`` stays cheap for command-line tools and
cold starts, and the first ``AssistantClient(...)`` pays for aiohttp and the models. The
embedded emulator (``pinecone_assistant_async.testing``) and the command-line tool are never
imported here.

To export a name: import it below with ``X as X`` (the redundant alias is what tells type
checkers it is public) and, unless it is an error, add it under its module in ``_LAZY_BY_MODULE``;
``__all__`` is derived from both, and ``tests/test_public_api.py`` fails if the ``TYPE_CHECKING``
block and ``_LAZY_BY_MODULE`` disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import load as _load
from ._version import __version__ as __version__
from .errors import APIConnectionError as APIConnectionError
from .errors import APIError as APIError
from .errors import APIStatusError as APIStatusError
from .errors import APITimeoutError as APITimeoutError
from .errors import AssistantFailedError as AssistantFailedError
from .errors import AuthenticationError as AuthenticationError
from .errors import BadRequestError as BadRequestError
from .errors import ClientClosedError as ClientClosedError
from .errors import ConflictError as ConflictError
from .errors import EventLoopError as EventLoopError
from .errors import FileProcessingError as FileProcessingError
from .errors import InvalidInputError as InvalidInputError
from .errors import InvalidTypeError as InvalidTypeError
from .errors import NotFoundError as NotFoundError
from .errors import OperationFailedError as OperationFailedError
from .errors import PermissionDeniedError as PermissionDeniedError
from .errors import PineconeError as PineconeError
from .errors import PreconditionFailedError as PreconditionFailedError
from .errors import RateLimitError as RateLimitError
from .errors import ResponseDecodeError as ResponseDecodeError
from .errors import ServerError as ServerError
from .errors import ServerSideFailure as ServerSideFailure
from .errors import ServiceUnavailableError as ServiceUnavailableError
from .errors import StreamError as StreamError
from .errors import UnprocessableEntityError as UnprocessableEntityError
from .errors import UploadNotReplayableError as UploadNotReplayableError
from .errors import WaitTimeoutError as WaitTimeoutError

# The eager public names: the version and every error class imported above.
_EAGER = ["__version__"] + [
    name
    for name, value in list(globals().items())
    if isinstance(value, type) and issubclass(value, PineconeError)
]

# The lazy public names, by the module that defines them; each is imported on first use.
_LAZY_BY_MODULE: dict[str, tuple[str, ...]] = {
    "._bulk_report": (
        "BulkProgress",
        "BulkUploadError",
        "BulkUploadReport",
        "FileOutcome",
        "FileResult",
    ),
    "._pagination": ("Page",),
    ".client": ("AssistantClient",),
    ".config": ("ClientConfig", "ConnectionLimits", "RetryPolicy", "Timeouts"),
    ".handle": ("AssistantHandle",),
    ".limits": ("ObjectLimits", "RateLimits"),
    ".hooks": (
        "Hooks",
        "RequestSent",
        "ResponseReceived",
        "RetryScheduled",
        "StreamClosed",
        "StreamOpened",
    ),
    "._raw": ("APIResponse", "ResponseInfo"),
    ".usage": ("UsageTotals", "UsageTracker"),
    ".models": (
        "AlignmentResult",
        "Assistant",
        "AssistantFile",
        "AssistantStatus",
        "ChatCompletion",
        "ChatCompletionChunk",
        "ChatResponse",
        "Citation",
        "ContextResponse",
        "FileStatus",
        "Message",
        "Operation",
        "OperationStatus",
    ),
    ".streaming": ("ChatCompletionStream", "ChatStream"),
    ".tools": ("AssistantTool", "as_tool"),
}

# The same names for type checkers, which cannot follow __getattr__ below.
if TYPE_CHECKING:
    from ._bulk_report import BulkProgress as BulkProgress
    from ._bulk_report import BulkUploadError as BulkUploadError
    from ._bulk_report import BulkUploadReport as BulkUploadReport
    from ._bulk_report import FileOutcome as FileOutcome
    from ._bulk_report import FileResult as FileResult
    from ._pagination import Page as Page
    from ._raw import APIResponse as APIResponse
    from ._raw import ResponseInfo as ResponseInfo
    from .client import AssistantClient as AssistantClient
    from .config import ClientConfig as ClientConfig
    from .config import ConnectionLimits as ConnectionLimits
    from .config import RetryPolicy as RetryPolicy
    from .config import Timeouts as Timeouts
    from .handle import AssistantHandle as AssistantHandle
    from .hooks import Hooks as Hooks
    from .hooks import RequestSent as RequestSent
    from .hooks import ResponseReceived as ResponseReceived
    from .hooks import RetryScheduled as RetryScheduled
    from .hooks import StreamClosed as StreamClosed
    from .hooks import StreamOpened as StreamOpened
    from .limits import ObjectLimits as ObjectLimits
    from .limits import RateLimits as RateLimits
    from .models import AlignmentResult as AlignmentResult
    from .models import Assistant as Assistant
    from .models import AssistantFile as AssistantFile
    from .models import AssistantStatus as AssistantStatus
    from .models import ChatCompletion as ChatCompletion
    from .models import ChatCompletionChunk as ChatCompletionChunk
    from .models import ChatResponse as ChatResponse
    from .models import Citation as Citation
    from .models import ContextResponse as ContextResponse
    from .models import FileStatus as FileStatus
    from .models import Message as Message
    from .models import Operation as Operation
    from .models import OperationStatus as OperationStatus
    from .streaming import ChatCompletionStream as ChatCompletionStream
    from .streaming import ChatStream as ChatStream
    from .tools import AssistantTool as AssistantTool
    from .tools import as_tool as as_tool
    from .usage import UsageTotals as UsageTotals
    from .usage import UsageTracker as UsageTracker

# public name -> the module that defines it
_LAZY = {name: module for module, names in _LAZY_BY_MODULE.items() for name in names}

__all__ = sorted([*_EAGER, *_LAZY])


def __getattr__(name: str) -> Any:
    return _load(__name__, name, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
