"""Public names imported on first use (PEP 562), the one way every lazy module does it.

A module keeps a map from each deferred name to the module that defines it and delegates its
``__getattr__`` here; the first lookup imports that module and stores the value in the
owner's namespace, so later lookups never come back::

    _LAZY = {"ChatStream": ".streaming"}

    def __getattr__(name: str) -> Any:
        return load(__name__, name, _LAZY)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["load"]


def load(owner: str, name: str, modules: Mapping[str, str], anchor: str | None = None) -> Any:
    """``owner.name``, imported from ``modules[name]`` (relative to ``anchor``, by default
    ``owner`` itself, a package) and kept in ``owner``; ``AttributeError`` for any other name."""
    module = modules.get(name)
    if module is None:
        raise AttributeError(f"module {owner!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, anchor or owner), name)
    setattr(sys.modules[owner], name, value)
    return value
