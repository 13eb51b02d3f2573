"""Bulk uploads: source expansion, file ids, the report, and runs against the emulator."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from pinecone_assistant_async import (
    AssistantClient,
    AuthenticationError,
    FileProcessingError,
    FileStatus,
    InvalidInputError,
    InvalidTypeError,
    RetryPolicy,
    ServiceUnavailableError,
)
from pinecone_assistant_async._sources import (
    Fingerprint,
    SourceItem,
    expand_sources,
    fingerprint,
    path_file_id,
)
from pinecone_assistant_async.bulk import (
    HASH_METADATA_KEY,
    BulkProgress,
    BulkUploadError,
    BulkUploadReport,
    FileOutcome,
    FileResult,
)
from pinecone_assistant_async.testing import Emulator

pytestmark = pytest.mark.anyio

FILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
FAIL = b"EMULATOR:FAIL_PROCESSING"
FAST_RETRY = RetryPolicy(max_retries=3, initial_backoff=0.001, max_backoff=0.01, budget_burst=200)


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(instant=True, record=True) as emulator:
        yield emulator


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[AssistantClient]:
    async with emu.client(retry=FAST_RETRY) as c:
        await c.assistants.create("bulk")
        emu.reset_log()
        yield c


async def server_files(client: AssistantClient, name: str = "bulk") -> list[Any]:
    return [f async for f in client.files.list(name)]


# -- ids ----------------------------------------------------------------------------------


def test_path_ids_are_deterministic_valid_and_distinct() -> None:
    keys = [
        "docs/a b.md",
        "docs/a-b.md",
        "docs/a_b.md",
        "docs/a.b.md",
        "é/ü.txt",
        "x" * 500,
        "y/" * 200 + "end.txt",
        "...",
    ]
    ids = [path_file_id(key) for key in keys]
    assert ids == [path_file_id(key) for key in keys]
    assert len(set(ids)) == len(keys)
    assert all(FILE_ID.match(i) for i in ids), ids
    assert path_file_id("y/" * 200 + "end.txt").split("-")[-3:-1] == ["end", "txt"]


async def test_report_counts_bytes_and_failures() -> None:
    report = BulkUploadReport()
    report.begin("a", [f"k{i}" for i in range(10)], 100)
    report.record(FileResult("k0", "i0", FileOutcome.AVAILABLE, 10))
    report.record(FileResult("k1", "i1", FileOutcome.SKIPPED, 20, reason="unchanged"))
    report.record(FileResult("k2", "i2", FileOutcome.UPLOADED, None))
    for i in range(3, 10):
        report.record(FileResult(f"k{i}", None, FileOutcome.FAILED, 5, reason=f"bad {i}"))
    assert report.counts == {"available": 1, "uploaded": 1, "skipped": 1, "failed": 7, "pending": 0}
    assert report.bytes_done == 65 and report.bytes_uploaded == 10
    assert report.pending == [] and not report.complete  # not finished yet
    assert report.files_total == 10 and report.elapsed >= 0
    progress = report.progress()
    assert (progress.files_done, progress.failed, progress.skipped) == (10, 7, 1)
    with pytest.raises(BulkUploadError, match=r"7 file\(s\) failed: k3: bad 3; .*\(and 2 more\)"):
        report.raise_for_failures()
    assert report.result_for("k1") is report.results[1] and report.result_for("zz") is None
    assert "1 available" in str(report) and "7 failed" in str(report)


# -- expansion ----------------------------------------------------------------------------


async def test_directories_walk_recursively_with_keys_under_the_directory_name(
    tmp_path: Path,
) -> None:
    root = tmp_path / "kb"
    write(root, "a.md", "a")
    write(root, "sub/b.txt", "bb")
    write(root, "sub/deep/c.md", "ccc")
    write(root, ".hidden.md", "h")
    write(root, ".git/config", "g")
    write(root, "node_modules/x/d.md", "d")
    single = write(tmp_path, "other/single.txt", "s")
    items = await expand_sources([root, str(single), ("notes/n.md", b"nn")])
    keys = [i.key for i in items]
    assert keys == [
        "kb/a.md",
        "kb/node_modules/x/d.md",
        "kb/sub/b.txt",
        "kb/sub/deep/c.md",
        "single.txt",
        "notes/n.md",
    ]
    assert [i.size for i in items] == [1, 1, 2, 3, 1, 2]
    assert items[-1].file_name == "n.md" and items[-1].data == b"nn"
    hidden = await expand_sources(root, include_hidden=True)
    assert {"kb/.hidden.md", "kb/.git/config"} <= {i.key for i in hidden}


async def test_include_and_exclude_globs(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    for rel in ["a.md", "b.txt", "sub/c.md", "sub/deep/d.md", "node_modules/e.md", "x.md/f.txt"]:
        write(root, rel, rel)

    async def keys(**kw: Any) -> list[str]:
        return [i.key.removeprefix("kb/") for i in await expand_sources(root, **kw)]

    assert await keys(include="*.md") == ["a.md", "node_modules/e.md", "sub/c.md", "sub/deep/d.md"]
    assert await keys(include="*.md", exclude="node_modules") == [
        "a.md",
        "sub/c.md",
        "sub/deep/d.md",
    ]
    assert await keys(include="sub/**/*.md") == ["sub/c.md", "sub/deep/d.md"]
    assert await keys(include="sub/*.md") == ["sub/c.md"]
    assert await keys(exclude=["sub/**", "*.txt"]) == ["a.md", "node_modules/e.md"]
    assert await keys(include="[ab].*") == ["a.md", "b.txt"]
    assert await keys(include="[!ac]*.md") == ["node_modules/e.md", "sub/deep/d.md"]
    with pytest.raises(InvalidInputError, match="matching"):
        await expand_sources(root, include="*.pdf")


async def test_bad_sources_raise_typed_errors(tmp_path: Path) -> None:
    write(tmp_path, "x/a.md", "1")
    write(tmp_path, "y/a.md", "2")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInputError, match="no such file"):
        await expand_sources([tmp_path / "missing.md"])
    with pytest.raises(InvalidInputError, match="no files"):
        await expand_sources([tmp_path / "empty"])
    with pytest.raises(InvalidInputError, match=r"a\.md"):
        await expand_sources([tmp_path / "x/a.md", tmp_path / "y/a.md"])
    with pytest.raises(InvalidTypeError):
        await expand_sources(b"raw bytes")
    with pytest.raises(InvalidTypeError):
        await expand_sources([42])
    with pytest.raises(InvalidTypeError):
        await expand_sources([("a.txt", "text, not bytes")])
    with pytest.raises(InvalidInputError):
        await expand_sources([("", b"x")])
    with pytest.raises(InvalidTypeError):
        await expand_sources(tmp_path, include=3)  # type: ignore[arg-type]


async def test_fingerprints_of_paths_bytes_and_seekable_streams(tmp_path: Path) -> None:
    data = b"0123456789" * 300_000  # 3 MB: several hash chunks
    path = write(tmp_path, "big.bin", data)
    small = write(tmp_path, "small.txt", b"tiny")
    stream = io.BytesIO(b"prefix" + data)
    stream.seek(6)
    big = await fingerprint(SourceItem("big.bin", path=str(path), size=len(data)))
    assert big == Fingerprint(sha(data), len(data))  # hashed in pieces, not kept
    assert await fingerprint(SourceItem("s", path=str(small), size=4)) == Fingerprint(
        sha(b"tiny"), 4, b"tiny"
    )  # small files are read once and the bytes kept for the upload
    assert await fingerprint(SourceItem("b", data=data, size=len(data))) == Fingerprint(
        sha(data), len(data)
    )
    assert await fingerprint(SourceItem("s", data=stream)) == Fingerprint(sha(data), len(data))
    assert stream.tell() == 6  # rewound for the upload

    class OneShot:
        def read(self, n: int = -1) -> bytes:
            return b""

    assert await fingerprint(SourceItem("o", data=OneShot())) is None
    with pytest.raises(InvalidInputError, match="disappeared"):
        await fingerprint(SourceItem("gone", path=str(tmp_path / "gone.txt"), size=1))


# -- against the emulator -----------------------------------------------------------------


async def test_upload_then_rerun_skips_and_changes_are_resent(
    tmp_path: Path, client: AssistantClient, emu: Emulator
) -> None:
    root = tmp_path / "kb"
    for i in range(6):
        write(root, f"f{i}.md", f"file number {i}")
    report = await client.files.upload_many(
        "bulk",
        [root, ("extra/x.txt", b"extra text")],
        concurrency=3,
        metadata=lambda key: {"source": key},
    )
    assert report.ok and report.counts["available"] == 7
    assert report.bytes_total == report.bytes_done == report.bytes_uploaded
    files = {f.id: f for f in await server_files(client)}
    assert set(files) == {r.file_id for r in report.results}
    one = files[path_file_id("kb/f3.md")]
    assert one.name == "f3.md" and one.status == FileStatus.AVAILABLE
    assert one.metadata == {"source": "kb/f3.md", HASH_METADATA_KEY: sha(b"file number 3")}

    write(root, "f3.md", "file number 3, edited")
    emu.reset_log()
    again = await client.files.upload_many(
        "bulk",
        [root, ("extra/x.txt", b"extra text")],
        concurrency=3,
        metadata=lambda key: {"source": key, "v": 2} if key == "kb/f0.md" else {"source": key},
    )
    assert {r.key for r in again.available} == {"kb/f3.md", "kb/f0.md"}
    assert len(again.skipped) == 5 and all(r.reason == "unchanged" for r in again.skipped)
    assert emu.count("PUT") == 2 and emu.count("POST") == 0
    files = {f.id: f for f in await server_files(client)}
    assert len(files) == 7
    assert files[path_file_id("kb/f3.md")].size == len(b"file number 3, edited")


async def test_content_ids_dedupe_identical_files(tmp_path: Path, client: AssistantClient) -> None:
    root = tmp_path / "kb"
    write(root, "a.md", "same words")
    write(root, "copy/a.md", "same words")
    write(root, "b.md", "other words")
    report = await client.files.upload_many("bulk", root, id_strategy="content")
    assert report.counts["available"] == 2 and report.counts["skipped"] == 1
    assert report.skipped[0].reason is not None and "same contents" in report.skipped[0].reason
    ids = {f.id for f in await server_files(client)}
    assert ids == {sha(b"same words"), sha(b"other words")}


async def test_custom_ids_streams_and_no_wait(client: AssistantClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"async "
        yield b"stream"

    class OneShot(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(b"one shot stream")

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            return self._data.read(n)

    sources = [("a.txt", chunks()), ("b.txt", OneShot()), ("c.txt", io.BytesIO(b"seekable"))]
    report = await client.assistant("bulk").files.upload_many(
        sources, id_strategy=lambda key: "custom_" + key.replace(".", "_"), wait=False
    )
    assert report.ok and report.counts["uploaded"] == 3
    assert {r.file_id for r in report.results} == {"custom_a_txt", "custom_b_txt", "custom_c_txt"}
    by_key = {r.key: r for r in report.results}
    assert by_key["a.txt"].sha256 is None and by_key["c.txt"].sha256 == sha(b"seekable")
    with pytest.raises(InvalidInputError, match="one-shot"):
        await client.files.upload_many("bulk", [("a.txt", chunks())], id_strategy="content")


async def test_bad_input_fails_before_any_request(
    tmp_path: Path, client: AssistantClient, emu: Emulator
) -> None:
    write(tmp_path, "a.md", "a")
    upload = client.files.upload_many
    cases: list[tuple[type[Exception], dict[str, Any]]] = [
        (InvalidInputError, {"sources": [tmp_path / "nope.md"]}),
        (InvalidInputError, {"concurrency": 0}),
        (InvalidTypeError, {"concurrency": True}),
        (InvalidTypeError, {"concurrency": 2.5}),
        (InvalidInputError, {"file_retries": -1}),
        (InvalidInputError, {"id_strategy": "random"}),
        (InvalidInputError, {"id_strategy": lambda key: "no/slashes"}),
        (InvalidInputError, {"id_strategy": lambda key: "same"}),
        (InvalidInputError, {"metadata": {HASH_METADATA_KEY: "x"}}),
        (InvalidTypeError, {"metadata": ["not", "a", "dict"]}),
        (InvalidInputError, {"timeout": 0}),
        (InvalidInputError, {"include": ""}),
    ]
    for error, options in cases:
        kwargs: dict[str, Any] = {"sources": [tmp_path / "a.md", ("b.md", b"b")], **options}
        with pytest.raises(error):
            await upload("bulk", **kwargs)
    with pytest.raises(InvalidInputError):
        await upload("Not A Name", tmp_path)
    used = await upload("bulk", tmp_path)
    emu.reset_log()
    with pytest.raises(InvalidInputError, match="fresh"):
        await upload("bulk", tmp_path, report=used)
    assert emu.count() == 0


async def test_progress_is_monotonic_and_reaches_the_totals(
    tmp_path: Path, client: AssistantClient
) -> None:
    for i in range(12):
        write(tmp_path, f"p{i}.txt", "x" * (i + 1))
    seen: list[BulkProgress] = []

    async def on_progress(progress: BulkProgress) -> None:
        seen.append(progress)

    report = await client.files.upload_many(
        "bulk", tmp_path, concurrency=4, on_progress=on_progress
    )
    assert seen[0].files_done == 0 and seen[0].last is None
    assert [p.files_done for p in seen] == list(range(13))
    assert all(a.bytes_done <= b.bytes_done for a, b in itertools.pairwise(seen))
    assert seen[-1].bytes_done == seen[-1].bytes_total == report.bytes_total == sum(range(1, 13))
    assert {p.last.key for p in seen[1:] if p.last} == {r.key for r in report.results}


async def test_concurrency_bounds_sends_while_processing_files_wait_without_a_slot(
    tmp_path: Path,
) -> None:
    for i in range(20):
        write(tmp_path, f"c{i}.txt", f"content {i}")
    started = 0
    peak_sending = 0
    peak_processing = 0

    async with Emulator(ready_delay=0, processing_delay=0.5) as emu, emu.client() as client:
        await client.assistants.create("bulk")
        owner = emu.store.get_assistant("bulk")
        assert owner is not None

        def metadata(key: str) -> dict[str, Any]:  # called in each task right before its upsert
            nonlocal started, peak_sending, peak_processing
            started += 1
            # Started but not yet received by the service: at most `concurrency` of them.
            peak_sending = max(peak_sending, started - emu.count("PUT"))
            processing = [f for f in emu.store.list_files(owner)
                          if emu.store.file_status(owner, f) == "Processing"]  # fmt: skip
            peak_processing = max(peak_processing, len(processing))
            return {}

        report = await client.files.upload_many("bulk", tmp_path, concurrency=4, metadata=metadata)
    assert report.ok and len(report.available) == 20
    assert 1 <= peak_sending <= 4
    # Files the service is processing do not hold a slot: more than 4 were processing at once.
    assert peak_processing > 4


async def test_a_raising_progress_callback_stops_the_run(
    tmp_path: Path, client: AssistantClient
) -> None:
    for i in range(30):
        write(tmp_path, f"r{i}.txt", f"content {i}")
    report = BulkUploadReport()

    def on_progress(progress: BulkProgress) -> None:
        if progress.files_done == 5:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        # wait=False: each file finishes when sent (waiting files all finish at one poll).
        await client.files.upload_many(
            "bulk", tmp_path, concurrency=2, on_progress=on_progress, report=report, wait=False
        )
    assert 5 <= len(report.results) < 30 and not report.complete
    assert len(report.results) + len(report.pending) == 30
    assert isinstance(report.aborted_by, RuntimeError) and not report.cancelled


async def test_transient_failures_get_whole_file_retries(tmp_path: Path, emu: Emulator) -> None:
    write(tmp_path, "t.txt", "retry me")
    no_retry = RetryPolicy(max_retries=0)
    async with emu.client(retry=no_retry) as client:
        await client.assistants.create("bulk")
        emu.add_fault("status=503;times=2", method="PUT", path="/files/")
        report = await client.files.upload_many("bulk", tmp_path, file_retries=2)
        assert report.ok and report.available[0].attempts == 3
        emu.clear_faults()
        emu.add_fault("status=503;message=overloaded, try later", method="PUT", path="/files/")
        failed = await client.files.upload_many("bulk", [("u.txt", b"never lands")], file_retries=1)
    result = failed.failed[0]
    assert isinstance(result.error, ServiceUnavailableError) and result.attempts == 2
    assert result.reason == "overloaded, try later"
    assert not failed.ok and failed.complete
    with pytest.raises(BulkUploadError, match=r"u\.txt: overloaded") as info:
        failed.raise_for_failures()
    assert info.value.report is failed


async def test_whole_file_resends_back_off_as_the_retry_policy_says_through_the_sleep_seam(
    emu: Emulator,
) -> None:
    # The client's sleep= seam sees the re-send waits, drawn within the policy's backoff
    # (initial * 2 ** (n - 1), at most max_backoff): not a schedule of upload_many's own.
    policy = RetryPolicy(max_retries=0, initial_backoff=0.4, max_backoff=0.6)
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async with emu.client(retry=policy, sleep=sleep) as client:
        await client.assistants.create("bulk")
        emu.add_fault("status=503;times=3", method="PUT", path="/files/")
        report = await client.files.upload_many(
            "bulk", [("t.txt", b"retry me")], file_retries=3, wait=False
        )
    assert report.ok and report.results[0].attempts == 4
    assert len(delays) == 3
    assert 0 <= delays[0] <= 0.4 and all(0 <= d <= 0.6 for d in delays[1:])


async def test_authentication_errors_abort_with_the_report(tmp_path: Path, emu: Emulator) -> None:
    for i in range(10):
        write(tmp_path, f"a{i}.txt", f"content {i}")
    async with AssistantClient(api_key="wrong-key", host=emu.url) as client:
        with pytest.raises(AuthenticationError):  # the listing fails before any upload
            await client.files.upload_many("bulk", tmp_path)
        with pytest.raises(BulkUploadError) as info:
            await client.files.upload_many(
                "bulk",
                tmp_path,
                skip_unchanged=False,
                concurrency=2,
            )
    report = info.value.report
    assert isinstance(report.aborted_by, AuthenticationError)
    assert report.failed and len(report.results) + len(report.pending) == 10
    assert not report.complete


async def test_processing_failures_are_reported_and_not_resent(
    tmp_path: Path, client: AssistantClient, emu: Emulator
) -> None:
    write(tmp_path, "good.txt", "fine text")
    write(tmp_path, "bad.txt", b"broken " + FAIL)
    report = await client.files.upload_many("bulk", tmp_path)
    bad = report.result_for(f"{tmp_path.name}/bad.txt")
    assert bad is not None and isinstance(bad.error, FileProcessingError)
    assert bad.reason is not None and "fail" in bad.reason
    emu.reset_log()
    again = await client.files.upload_many("bulk", tmp_path)
    assert emu.count("PUT") == 0
    assert [r.key for r in again.failed] == [bad.key]
    assert isinstance(again.failed[0].error, FileProcessingError)
    resent = await client.files.upload_many("bulk", tmp_path, retry_failed=True)
    assert emu.count("PUT") == 1 and [r.key for r in resent.failed] == [bad.key]


async def test_thousand_files_with_faults_land_exactly_once(
    tmp_path: Path, client: AssistantClient, emu: Emulator
) -> None:
    root = tmp_path / "kb"
    bad: set[str] = set()
    for i in range(1000):
        if i % 50 == 0:
            bad.add(f"kb/d{i % 10}/bad{i}.txt")
            write(root, f"d{i % 10}/bad{i}.txt", f"document {i} EMULATOR:FAIL_PROCESSING")
        else:
            write(root, f"d{i % 10}/f{i}.txt", f"document {i}")
    rules = [
        emu.add_fault(
            "status=429;retry_after=0", method="PUT", path="/files/", probability=0.08, seed=1
        ),
        emu.add_fault("status=503", method="PUT", path="/files/", probability=0.08, seed=2),
        # Waiting is batched (one listing per poll covers every file in flight), so there are
        # few reads to fail: a high probability still makes some of them fail.
        emu.add_fault("status=503", method="GET", path="/files/", probability=0.3, seed=3),
    ]

    report = await client.files.upload_many("bulk", root, concurrency=32)
    assert report.complete and report.files_total == 1000
    assert len(report.available) == 980 and len(report.failed) == 20
    assert {r.key for r in report.failed} == bad
    assert all(isinstance(r.error, FileProcessingError) for r in report.failed)
    assert all(r.reason and "asked to fail" in r.reason for r in report.failed)
    assert all(rule.hits > 10 for rule in rules[:2])  # the faults did fire and were retried
    assert rules[2].hits >= 1
    assert emu.count("GET", "/files/") <= 1.5 * 1000  # batched waits: not a describe per poll
    assert emu.count("PUT") > 1000
    listing = await server_files(client)
    assert len(listing) == 1000
    counted = Counter(f.id for f in listing)
    assert max(counted.values()) == 1
    status = {f.id: f.status for f in listing}
    for result in report.available:
        assert status[result.file_id] == FileStatus.AVAILABLE
    for result in report.failed:
        assert status[result.file_id] == FileStatus.PROCESSING_FAILED

    emu.reset_log()
    second = await client.files.upload_many("bulk", root, concurrency=32)
    assert emu.count("PUT") == 0 and emu.count("POST") == 0
    assert len(second.skipped) == 980 and len(second.failed) == 20


async def test_cancelling_midway_leaves_a_correct_partial_report(
    tmp_path: Path, client: AssistantClient, emu: Emulator
) -> None:
    for i in range(200):
        write(tmp_path, f"k{i:03}.txt", f"cancel test {i}")
    report = BulkUploadReport()
    with anyio.CancelScope() as outer:

        def on_progress(progress: BulkProgress) -> None:
            if progress.files_done == 60:
                outer.cancel()

        await client.files.upload_many(
            "bulk", tmp_path, concurrency=8, on_progress=on_progress, report=report
        )
    assert outer.cancelled_caught
    assert report.cancelled and not report.complete and report.finished_at is not None
    assert 60 <= len(report.results) < 200
    assert sorted([r.key for r in report.results] + report.pending) == sorted(
        f"{tmp_path.name}/k{i:03}.txt" for i in range(200)
    )
    assert report.counts["pending"] == len(report.pending) > 0
    status = {f.id: f.status for f in await server_files(client)}
    assert all(status.get(r.file_id) == FileStatus.AVAILABLE for r in report.available)

    emu.reset_log()
    rest = await client.files.upload_many("bulk", tmp_path, concurrency=8)
    assert rest.ok and emu.count("PUT") <= len(report.pending)
    assert len(rest.skipped) >= len(report.results)
    assert len(await server_files(client)) == 200
