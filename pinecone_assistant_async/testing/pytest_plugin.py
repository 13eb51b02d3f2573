"""pytest plugin: an `assistant_emulator` fixture serving the Assistant API on loopback.

Installing the package registers it with pytest (a ``pytest11`` entry point named after this
module, so an explicit ``-p pinecone_assistant_async.testing.pytest_plugin`` or
``pytest_plugins = [...]`` finds it already loaded). Write anyio tests (anyio's pytest plugin
ships with anyio)::

    @pytest.mark.anyio
    async def test_chat(assistant_emulator):
        async with assistant_emulator.client() as client:
            ...

Override the `assistant_emulator_options` fixture (a dict of `Emulator` keyword arguments) to
change delays, the API key, faults, ... for a module or a whole directory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .emulator import Emulator

__all__ = ["assistant_emulator", "assistant_emulator_options"]


@pytest.fixture
def assistant_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the `Emulator` behind `assistant_emulator` (short delays)."""
    return {"ready_delay": 0.05, "processing_delay": 0.05, "delete_delay": 0.05}


@pytest.fixture
async def assistant_emulator(
    assistant_emulator_options: dict[str, Any],
) -> AsyncIterator[Emulator]:
    """A running `Emulator` (fresh state per test); stopped after the test."""
    async with Emulator(**assistant_emulator_options) as emu:
        yield emu
