"""Small shapes shared by several API areas, and the tolerant enums of every area.

Each enum lists the values the 2026-07 specification documents. Fields that carry one are typed
``SomeEnum | str`` and validated left to right, so a known value becomes the enum member and a
value added by the server later stays a plain string instead of failing validation.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import Field

from ._base import APIModel

__all__ = [
    "AssistantStatus",
    "ChatModelName",
    "ContentFilterResults",
    "Entailment",
    "FileStatus",
    "FinishReason",
    "OperationStatus",
    "OperationType",
    "Pagination",
    "Region",
    "Usage",
]


class _WireEnum(str, Enum):
    """An enum that prints as its wire value: ``f"{AssistantStatus.READY}" == "Ready"``."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


class AssistantStatus(_WireEnum):
    INITIALIZING = "Initializing"
    FAILED = "Failed"
    READY = "Ready"
    TERMINATING = "Terminating"
    INITIALIZATION_FAILED = "InitializationFailed"


class Region(_WireEnum):
    US = "us"
    EU = "eu"


class FileStatus(_WireEnum):
    PROCESSING = "Processing"
    AVAILABLE = "Available"
    DELETING = "Deleting"
    PROCESSING_FAILED = "ProcessingFailed"


class OperationStatus(_WireEnum):
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    FAILED = "Failed"


class OperationType(_WireEnum):
    UPLOAD_FILE = "upload_file"
    UPSERT_FILE = "upsert_file"
    UPDATE_FILE_METADATA = "update_file_metadata"
    DELETE_FILE = "delete_file"


class FinishReason(_WireEnum):
    STOP = "stop"
    LENGTH = "length"
    CONTENT_FILTER = "content_filter"
    TOOL_CALLS = "tool_calls"


class Entailment(_WireEnum):
    ENTAILED = "entailed"
    CONTRADICTED = "contradicted"
    NEUTRAL = "neutral"


class ChatModelName(_WireEnum):
    GPT_4O = "gpt-4o"
    GPT_4_1 = "gpt-4.1"
    GPT_5 = "gpt-5"
    O4_MINI = "o4-mini"
    CLAUDE_SONNET_4_5 = "claude-sonnet-4-5"
    GEMINI_2_5_PRO = "gemini-2.5-pro"


class Usage(APIModel):
    """Token counts of one chat, completion or context call."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


class Pagination(APIModel):
    """The token that continues a listing; ``next`` is None on the last page."""

    next: str | None = None


class ContentFilterResults(APIModel):
    """The model provider's content filter verdict (``spec`` is ``openai`` or ``gemini``)."""

    spec: str | None = None
    results: Any = Field(default=None)
