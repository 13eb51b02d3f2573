"""Thin coroutine services, one per API area. None of them touches aiohttp: they build
requests for the transport and turn answers into models.

Each service is imported on first use (PEP 562): a client whose first call is a chat loads the
chat service, not the file service and the bulk uploader behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lazy import load as _load

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
    return _load(__name__, name, _LAZY)
