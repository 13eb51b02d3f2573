"""Argument types and the options every command accepts (before or after the command name)."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..client import AssistantClient
from ._output import Output

__all__ = ["Command", "common_options", "count", "json_object", "seconds"]

Handler = Callable[[AssistantClient, argparse.Namespace, Output], Awaitable[int]]


@dataclass(frozen=True)
class Command:
    """A command's coroutine; it gets an open client, the parsed arguments and the output."""

    run: Handler


def json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object, like '{\"team\": \"docs\"}'")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def common_options() -> argparse.ArgumentParser:
    """Options shared by every command; defaults are SUPPRESSed so a later level never resets
    what an earlier one set (``main`` fills the real defaults in)."""
    common = argparse.ArgumentParser(add_help=False)
    s = argparse.SUPPRESS
    common.add_argument("--api-key", default=s, help="API key (default: $PINECONE_API_KEY)")
    common.add_argument(
        "--host", default=s, help="service base URL, e.g. an emulator (default: $PINECONE_HOST)"
    )
    common.add_argument("--json", action="store_true", default=s, help="print JSON results")
    common.add_argument("--debug", action="store_true", default=s, help="show tracebacks")
    return common
