"""Thin coroutine services, one per API area. None of them touches aiohttp: they build
requests for the transport and turn answers into models."""

from .assistants import AssistantsService
from .chat import ChatService
from .evaluation import EvaluationService
from .files import FilesService
from .operations import OperationsService

__all__ = [
    "AssistantsService",
    "ChatService",
    "EvaluationService",
    "FilesService",
    "OperationsService",
]
