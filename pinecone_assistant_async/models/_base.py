"""The base class shared by every wire model.

Responses from Pinecone grow new fields over time. ``APIModel`` keeps whatever it does not know
(reachable through ``model_extra``) instead of rejecting or dropping it, and accepts field names as
well as aliases. It deliberately carries no presentation code: rendering belongs to the callers.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["APIModel"]


class APIModel(BaseModel):
    """Base of all request and response models: unknown fields are kept, never fatal."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
