"""Bulk-upload sources: expanding paths, directories and (name, data) pairs into items, file ids.

Accepted sources (one, or an iterable of them):

* a path to a file: its *key* is the file's base name (``reports/q1.pdf`` -> ``q1.pdf``);
* a path to a directory, walked recursively: each file's key is the directory's own name
  followed by the path inside it (``docs/`` holding ``guide/intro.md`` -> ``docs/guide/intro.md``),
  so keys do not depend on the current directory. Hidden files and directories (names starting
  with ``.``) are skipped unless ``include_hidden=True``. ``include``/``exclude`` globs filter
  what is found inside directories (explicitly named files are always taken);
* a ``(name, data)`` pair where ``data`` is bytes, a binary file object or an async iterable of
  bytes: its key is ``name`` (it may contain ``/``).

Glob rules: ``*`` and ``?`` never cross ``/``, ``**`` does, ``[abc]``/``[!abc]`` are classes. A
pattern with a ``/`` is matched against the whole path inside the directory; one without is
matched against the file's base name for ``include``, and against every path component for
``exclude`` (so ``exclude="node_modules"`` drops that whole tree).

Walking and hashing run in worker threads, never on the event loop; hashing reads files in
pieces, so memory stays bounded whatever their size (a file up to 256 KiB is read whole once and
those bytes are what gets sent: at most ``concurrency`` such buffers exist at a time). Items
hold paths and sizes, never contents (except bytes the caller passed in).

File ids must be 1-128 characters of ``[A-Za-z0-9_-]``: :func:`path_file_id` turns a key into a
readable slug followed by a hash of the exact key (so distinct keys never share an id), and
:func:`content_file_id` is the SHA-256 of the contents.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import AsyncIterable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from ._disk import CHUNK, SMALL_FILE, stat_source
from .errors import InvalidInputError, InvalidTypeError

__all__ = [
    "Fingerprint",
    "SourceItem",
    "compile_globs",
    "content_file_id",
    "expand_sources",
    "fingerprint",
    "path_file_id",
]

HASH_CHUNK = CHUNK
READ_WHOLE = SMALL_FILE
_INLINE_HASH = 256 * 1024
_MAX_ID = 128
_SUFFIX = 12
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class SourceItem:
    """One file to upload: its ``key`` (relative path or name), and where its bytes come from.

    Exactly one of ``path`` (a file on disk) and ``data`` (bytes, a binary file object or an
    async byte stream) is set. ``size`` is known for paths and bytes, ``None`` for streams.
    """

    key: str
    path: str | None = None
    data: Any = None
    size: int | None = None

    @property
    def file_name(self) -> str:
        """The name sent to the service: the key's last component."""
        return self.key.rsplit("/", 1)[-1]

    @property
    def source(self) -> Any:
        """What ``files.upsert`` is given: the path, or the caller's data."""
        return self.path if self.path is not None else self.data

    @property
    def hashable(self) -> bool:
        """Whether the contents can be hashed before upload without consuming them."""
        if self.path is not None or isinstance(self.data, (bytes, bytearray, memoryview)):
            return True
        seekable = getattr(self.data, "seekable", None)
        return callable(seekable) and bool(seekable())


# -- file ids -----------------------------------------------------------------------------


def path_file_id(key: str) -> str:
    """A deterministic file id for a key: readable slug + 12 hex digits of SHA-256(key).

    >>> path_file_id("docs/guide/intro.md")
    'docs-guide-intro-md-92b19f051f10'
    """
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:_SUFFIX]
    slug = _UNSAFE.sub("-", key).strip("-")
    room = _MAX_ID - _SUFFIX - 1
    if len(slug) > room:
        slug = slug[-room:].lstrip("-")  # keep the end: the file name is the telling part
    return f"{slug}-{digest}" if slug else digest


def content_file_id(sha256_hex: str) -> str:
    """The file id for ``id_strategy="content"``: the contents' SHA-256 in hex (64 chars)."""
    return sha256_hex


# -- globs --------------------------------------------------------------------------------


def _glob_to_regex(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape("["))
                i += 1
                continue
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append(f"[{'^/' if negate else ''}{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Glob:
    regex: re.Pattern[str]
    anchored: bool  # the pattern has a '/': match the whole relative path


def compile_globs(patterns: str | Sequence[str] | None, what: str) -> tuple[_Glob, ...]:
    """Check and compile ``include``/``exclude`` patterns (a str or a sequence of str)."""
    if patterns is None:
        return ()
    items = [patterns] if isinstance(patterns, str) else patterns
    if not isinstance(items, (list, tuple)):
        raise InvalidTypeError(f"{what} must be a glob string or a list of them")
    globs = []
    for pattern in items:
        if not isinstance(pattern, str) or not pattern.strip("/"):
            raise InvalidInputError(f"{what} patterns must be non-empty strings, got {pattern!r}")
        text = pattern.strip("/")
        globs.append(_Glob(re.compile(f"(?s:{_glob_to_regex(text)})\\Z"), "/" in text))
    return tuple(globs)


def _included(rel: str, include: tuple[_Glob, ...], exclude: tuple[_Glob, ...]) -> bool:
    parts = rel.split("/")
    for glob in exclude:
        if glob.anchored and glob.regex.match(rel):
            return False
        if not glob.anchored and any(glob.regex.match(part) for part in parts):
            return False
    if not include:
        return True
    return any(glob.regex.match(rel if glob.anchored else parts[-1]) for glob in include)


# -- expansion ----------------------------------------------------------------------------


def _walk(
    root: str, include: tuple[_Glob, ...], exclude: tuple[_Glob, ...], hidden: bool
) -> list[tuple[str, str, int]]:
    """(relative path, full path, size) of every regular file under ``root``, sorted."""
    found: list[tuple[str, str, int]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        if not hidden:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        dirnames.sort()
        for name in sorted(filenames):
            if not hidden and name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if not _included(rel, include, exclude):
                continue
            try:
                info = os.stat(full)
            except OSError:
                continue  # a dangling link or a file removed while walking
            if os.path.isfile(full):
                found.append((rel, full, info.st_size))
    return found


def _classify(path: str) -> tuple[str, int]:
    """("file", size) or ("dir", 0); InvalidInputError for anything else."""
    is_dir, size = stat_source(path, directories=True)
    return ("dir", 0) if is_dir else ("file", size)


def _expand_paths(
    paths: list[str], include: tuple[_Glob, ...], exclude: tuple[_Glob, ...], hidden: bool
) -> list[list[SourceItem]]:
    """The files each path names (itself, or what its directory holds), in a worker thread."""
    result: list[list[SourceItem]] = []
    for path in paths:
        kind, size = _classify(path)
        if kind == "file":
            result.append([SourceItem(os.path.basename(path), path=path, size=size)])
            continue
        root = _root_name(path)
        result.append(
            [
                SourceItem(f"{root}/{rel}" if root else rel, path=full, size=found)
                for rel, full, found in _walk(path, include, exclude, hidden)
            ]
        )
    return result


def _pair(source: tuple[Any, ...]) -> SourceItem:
    if len(source) != 2:
        raise InvalidTypeError("a pair source must be (name, data)")
    name, data = source
    if not isinstance(name, str) or not name.strip("/ ") or "\x00" in name:
        raise InvalidInputError(f"the name of a (name, data) source must be a str, got {name!r}")
    key = "/".join(part for part in name.replace("\\", "/").split("/") if part)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return SourceItem(key, data=bytes(data), size=len(data))
    if isinstance(data, io.TextIOBase):
        raise InvalidTypeError(f"{name}: open the file in binary mode ('rb'), not text mode")
    if hasattr(data, "read") or isinstance(data, AsyncIterable):
        return SourceItem(key, data=data)
    raise InvalidTypeError(
        f"{name}: data must be bytes, a binary file object or an async iterable of bytes, "
        f"not {type(data).__name__}"
    )


def _root_name(path: str) -> str:
    return os.path.basename(os.path.normpath(os.path.abspath(path)))


async def expand_sources(
    sources: object,
    *,
    include: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    include_hidden: bool = False,
) -> list[SourceItem]:
    """Every file the sources name, in a stable order; InvalidInputError for bad input.

    Raises before any request when a path does not exist, a source has the wrong type, two
    sources share a key, or nothing at all was found.
    """
    inc = compile_globs(include, "include")
    exc = compile_globs(exclude, "exclude")
    if isinstance(sources, (str, os.PathLike, tuple)):
        sources = [sources]
    if isinstance(sources, (bytes, bytearray, memoryview)) or not isinstance(sources, Iterable):
        raise InvalidTypeError(
            "sources must be a path, a (name, data) pair, or an iterable of them"
        )
    entries: list[SourceItem | str] = []  # pairs are checked here, paths on disk below
    for source in sources:
        if isinstance(source, tuple):
            entries.append(_pair(source))
            continue
        if not isinstance(source, (str, os.PathLike)):
            raise InvalidTypeError(
                f"cannot upload a {type(source).__name__}: pass paths or (name, data) pairs"
            )
        path = os.fspath(source)
        if not isinstance(path, str) or not path:
            raise InvalidTypeError("paths must be non-empty str or os.PathLike[str]")
        entries.append(path)
    paths = [entry for entry in entries if isinstance(entry, str)]
    # One worker-thread hop for every path, however many (not one per path).
    expanded = iter(
        await anyio.to_thread.run_sync(_expand_paths, paths, inc, exc, include_hidden)
        if paths
        else []
    )
    items: list[SourceItem] = []
    for entry in entries:
        if isinstance(entry, SourceItem):
            items.append(entry)
        else:
            items.extend(next(expanded))
    if not items:
        raise InvalidInputError(
            "no files to upload: the sources named no files"
            + (" matching the include/exclude patterns" if inc or exc else "")
        )
    _check_unique(items)
    return items


def _check_unique(items: list[SourceItem]) -> None:
    seen: dict[str, SourceItem] = {}
    for item in items:
        other = seen.setdefault(item.key, item)
        if other is not item:
            raise InvalidInputError(
                f"two sources would be uploaded as {item.key!r}: "
                f"{other.path or 'a (name, data) pair'} and {item.path or 'a (name, data) pair'}; "
                "upload their directories instead, or rename one"
            )


# -- hashing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """The contents' SHA-256 and size; ``data`` holds the bytes of a small file read whole."""

    sha256: str
    size: int
    data: bytes | None = None


def _hash_file(path: str) -> Fingerprint:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        first = handle.read(READ_WHOLE + 1)
        if len(first) <= READ_WHOLE:  # small: one read, kept for the upload (one thread hop)
            return Fingerprint(hashlib.sha256(first).hexdigest(), len(first), first)
        digest.update(first)
        size = len(first)
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Fingerprint(digest.hexdigest(), size)


def _hash_seekable(stream: Any) -> Fingerprint:
    start = stream.tell()
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(start)
    return Fingerprint(digest.hexdigest(), size)


def _hash_bytes(data: bytes) -> Fingerprint:
    return Fingerprint(hashlib.sha256(data).hexdigest(), len(data))


async def fingerprint(item: SourceItem) -> Fingerprint | None:
    """Hash the item's contents; ``None`` for a one-shot stream (it cannot be read twice).

    Files up to ``READ_WHOLE`` bytes are read once and their bytes returned with the hash, so
    what is sent is exactly what was hashed; larger files are hashed in ``HASH_CHUNK`` pieces
    (and later streamed from disk). Each file costs one worker-thread hop; a seekable stream is
    rewound after hashing.
    """
    try:
        if item.path is not None:
            return await anyio.to_thread.run_sync(_hash_file, item.path)
    except FileNotFoundError:
        raise InvalidInputError(f"{item.path} disappeared before it was uploaded") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {item.path}: {exc.strerror}") from None
    if isinstance(item.data, bytes):
        if len(item.data) <= _INLINE_HASH:
            return _hash_bytes(item.data)
        return await anyio.to_thread.run_sync(_hash_bytes, item.data)
    if item.hashable:
        return await anyio.to_thread.run_sync(_hash_seekable, item.data)
    return None
