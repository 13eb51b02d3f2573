"""Data-plane operation shapes: the progress of an upload, upsert, metadata update or delete."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import ResponseModel
from .common import OperationStatus, OperationType, Pagination

__all__ = ["Operation", "OperationList"]


class Operation(ResponseModel):
    """One long-running file operation (the spec's ``OperationModel``)."""

    id: str
    operation_type: OperationType | str = Field(union_mode="left_to_right")
    status: OperationStatus | str = Field(union_mode="left_to_right")
    created_on: datetime | None = None
    file_id: str | None = None
    completed_on: datetime | None = None
    percent_complete: int | None = None
    error_message: str | None = None
    ingestion_units: float | None = None


class OperationList(ResponseModel):
    """One page of ``GET /operations/{assistant_name}``."""

    operations: list[Operation] = Field(default_factory=list)
    pagination: Pagination | None = None
