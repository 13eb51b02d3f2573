"""An offline Pinecone Assistant service for tests, examples and benchmarks.

Never imported by ``import pinecone_assistant_async``. Start it with ``async with Emulator()``,
the pytest fixture ``assistant_emulator`` (``pytest_plugins =
["pinecone_assistant_async.testing.pytest_plugin"]``) or ``python -m
pinecone_assistant_async.testing``.
"""

from __future__ import annotations

from .controls import CONTROL_HEADER, Control, ControlError, FaultRule, parse_control
from .emulator import DEFAULT_API_KEY, Emulator
from .records import ObservedResponse, RecordedRequest, ResponseHook
from .state import Timings
from .versions import DEFAULT_VERSION, SUPPORTED_VERSIONS

__all__ = [
    "CONTROL_HEADER",
    "DEFAULT_API_KEY",
    "DEFAULT_VERSION",
    "SUPPORTED_VERSIONS",
    "Control",
    "ControlError",
    "Emulator",
    "FaultRule",
    "ObservedResponse",
    "RecordedRequest",
    "ResponseHook",
    "Timings",
    "parse_control",
]
