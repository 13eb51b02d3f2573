"""Local files as upload sources: the one stat-and-refuse check, and one "small file" size.

Both ``upload`` (``_uploads``) and ``upload_many`` (``_sources``) ask :func:`stat_source`
before sending a path, so a missing, unreadable or special file is refused with the same
``InvalidInputError`` wherever it is named, before any request.
"""

from __future__ import annotations

import os

from .errors import InvalidInputError

__all__ = ["CHUNK", "SMALL_FILE", "stat_source"]

CHUNK = 256 * 1024
"""Bytes per read when a file is hashed or streamed in pieces."""
SMALL_FILE = 256 * 1024
"""Files up to this size are read in one piece: hashing keeps their bytes for the upload, and
an upload sends them in one read; larger files are hashed and streamed in ``CHUNK`` pieces."""


def stat_source(path: str, *, directories: bool) -> tuple[bool, int]:
    """``(is_directory, size)`` of a path to upload, or ``InvalidInputError`` saying why not.

    ``directories``: whether a directory is a valid source here (``upload_many``) or not
    (``upload``). Runs blocking system calls: call it from a worker thread.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InvalidInputError(f"no such file or directory: {path}") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None
    if os.path.isdir(path):
        if directories:
            return True, 0
        raise InvalidInputError(f"{path} is a directory; upload_many() takes directories")
    if not os.path.isfile(path):
        what = "a regular file or a directory" if directories else "a regular file"
        raise InvalidInputError(f"{path} is not {what}")
    if not os.access(path, os.R_OK):
        raise InvalidInputError(f"cannot read {path}: permission denied")
    return False, info.st_size
