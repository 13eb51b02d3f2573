"""Data-plane file shapes: one uploaded file and a page of files.

``percent_done`` and ``error_message`` come from the 2025-04/2025-10 versions of the API; newer
versions report progress on the operation instead, so both are optional.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import ResponseModel
from .common import FileStatus, Pagination

__all__ = ["AssistantFile", "FileList"]


class AssistantFile(ResponseModel):
    """A file uploaded to an assistant (the spec's ``AssistantFileModel``)."""

    id: str
    name: str
    size: int | None = None
    metadata: dict[str, Any] | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    status: FileStatus | str | None = Field(default=None, union_mode="left_to_right")
    signed_url: str | None = None
    multimodal: bool | None = None
    percent_done: float | None = None
    error_message: str | None = None


class FileList(ResponseModel):
    """One page of ``GET /files/{assistant_name}``."""

    files: list[AssistantFile] = Field(default_factory=list)
    pagination: Pagination | None = None
