"""Which versions ran, on what machine (printed above the table)."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import psutil

__all__ = ["describe_machine", "official_available", "versions"]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def official_available() -> bool:
    return _version("pinecone") != "not installed"


def _ours(repo: Path) -> str:
    text = (repo / "pinecone_assistant_async" / "_version.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    return "?"


def versions(repo: Path) -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "aiohttp": _version("aiohttp"),
        "pydantic": _version("pydantic"),
        "pinecone": _version("pinecone"),
        "pinecone-assistant-async": _ours(repo),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe_machine() -> dict[str, str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": str(usable),
        "cpu": _cpu_model(),
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "interpreter": sys.implementation.name,
    }
