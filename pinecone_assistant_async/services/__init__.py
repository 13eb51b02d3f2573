"""Thin coroutine services, one per API area. None of them touches aiohttp: they build
requests for the transport and turn answers into models.

Each service is imported on first use (PEP 562): a client whose first call is a chat loads the
chat service, not the file service and the bulk uploader behind it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_LAZY = {
    "AssistantsService": ".assistants",
    "ChatService": ".chat",
    "EvaluationService": ".evaluation",
    "FilesService": ".files",
    "OperationsService": ".operations",
}

if TYPE_CHECKING:
    from .assistants import AssistantsService as AssistantsService
    from .chat import ChatService as ChatService
    from .evaluation import EvaluationService as EvaluationService
    from .files import FilesService as FilesService
    from .operations import OperationsService as OperationsService

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
