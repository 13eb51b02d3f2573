"""The API contract, derived from Pinecone's OpenAPI specs and committed with the package.

`load(plane, version)` is the OpenAPI 3.0 document of one plane ("control", "data",
"evaluation") of one API version, without the specs' prose. `derive.py` beside this module
regenerates the JSON files from the YAML specs; nothing here reads anything outside the
package.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

__all__ = ["PLANES", "chat_models", "file_name", "load"]

PLANES = ("control", "data", "evaluation")


def file_name(plane: str, version: str) -> str:
    """The committed file holding `plane` of `version`."""
    return f"assistant_{plane}_{version}.json"


@functools.cache
def _cached(plane: str, version: str) -> dict[str, Any]:
    if plane not in PLANES:
        raise ValueError(f"unknown plane {plane!r}; expected one of {', '.join(PLANES)}")
    text = resources.files(__name__).joinpath(file_name(plane, version)).read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def load(plane: str, version: str) -> dict[str, Any]:
    """The contract of `plane` in `version` (a fresh copy the caller may change).

    Raises FileNotFoundError for a version the contract does not hold.
    """
    return copy.deepcopy(_cached(plane, version))


_CHAT_PATHS = {False: "/chat/{assistant_name}", True: "/chat/{assistant_name}/chat/completions"}


@functools.cache
def chat_models(version: str, completions: bool = False) -> tuple[str, ...]:
    """The `model` values the chat endpoint of `version` lists, in the spec's order.

    `completions=True` reads the OpenAI-compatible endpoint, whose list can differ (2026-07
    offers gpt-5 to chat but not to chat completions). The 2025-04 spec gives a closed
    `enum`; later ones an extensible `x-enum`: either is the list the service accepts.
    """
    doc = _cached("data", version)
    body = doc["paths"][_CHAT_PATHS[completions]]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    model = doc["components"]["schemas"][name]["properties"]["model"]
    return tuple(model.get("x-enum") or model.get("enum") or ())
