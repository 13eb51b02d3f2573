"""Files and operations over real HTTP: upload, upsert, processing, listing, deletion."""

from __future__ import annotations

import hashlib
import json

import aiohttp
import pytest

from pinecone_assistant_async.testing import Emulator, routes_files
from tests.conftest import Api, EmulatorFactory, api_for

pytestmark = pytest.mark.anyio

TEXT = b"The capital of Spain is Madrid.\n\nThe river of Paris is the Seine."
OLD = {"X-Pinecone-Api-Version": "2025-10"}


async def test_upload_answers_202_operation_then_available(api: Api, emulator: Emulator) -> None:
    await api.create_ready("docs")
    async with api.session.post(
        "/assistant/files/docs", data=_form("facts.txt", TEXT, {"genre": "geo"})
    ) as resp:
        assert resp.status == 202
        op = await resp.json()
        assert resp.headers["Location"] == f"/operations/docs/{op['id']}"
    assert (op["operation_type"], op["status"]) == ("upload_file", "Processing")
    assert 0 <= op["percent_complete"] < 100
    _, file = await api.call("GET", f"/files/docs/{op['file_id']}", expect=200)
    assert file["status"] in ("Processing", "Available")
    done = await api.wait_for(f"/operations/docs/{op['id']}", "Completed")
    assert done["percent_complete"] == 100
    assert done["completed_on"] >= done["created_on"]
    assert done["ingestion_units"] >= 1
    _, file = await api.call("GET", f"/files/docs/{op['file_id']}", expect=200)
    assert file["status"] == "Available"
    assert file["percent_done"] == 1.0
    assert (file["name"], file["size"], file["metadata"]) == (
        "facts.txt",
        len(TEXT),
        {"genre": "geo"},
    )
    uploads = [r for r in emulator.requests if r.method == "POST" and "/files/" in r.path]
    assert uploads[-1].body_size == len(TEXT)
    assert uploads[-1].body_sha256 == hashlib.sha256(TEXT).hexdigest()
    assert uploads[-1].file_name == "facts.txt"


async def test_progress_follows_the_clock(emulator_factory: EmulatorFactory) -> None:
    now = [0.0]
    options = {"ready_delay": 0, "processing_delay": 10, "delete_delay": 4}
    async with emulator_factory(clock=lambda: now[0], **options) as emu, api_for(emu) as api:
        await api.create_ready("clocked")
        _, op = await api.upload("clocked", "a.txt", TEXT)
        seen = []
        for moment in (0.0, 2.5, 5.0, 9.99, 10.0):
            now[0] = moment
            _, current = await api.call("GET", f"/operations/clocked/{op['id']}")
            _, file = await api.call("GET", f"/files/clocked/{op['file_id']}")
            seen.append((current["percent_complete"], file["percent_done"], file["status"]))
        assert seen == [
            (0, 0.0, "Processing"),
            (25, 0.25, "Processing"),
            (50, 0.5, "Processing"),
            (99, 0.999, "Processing"),
            (100, 1.0, "Available"),
        ]
        await api.call("DELETE", f"/files/clocked/{op['file_id']}", expect=202)
        now[0] = 13.9
        _, file = await api.call("GET", f"/files/clocked/{op['file_id']}", expect=200)
        assert file["status"] == "Deleting"
        now[0] = 14.0
        await api.call("GET", f"/files/clocked/{op['file_id']}", expect=404)


async def test_unsupported_extension_fails_processing(api: Api) -> None:
    await api.create_ready("docs")
    _, op = await api.upload("docs", "image.png", b"\x89PNG...")
    failed = await api.wait_for(f"/operations/docs/{op['id']}", "Failed")
    assert failed["error_message"].startswith("File processing failed")
    assert "completed_on" in failed
    _, file = await api.call("GET", f"/files/docs/{op['file_id']}")
    assert file["status"] == "ProcessingFailed"
    assert file["error_message"] == failed["error_message"]


async def test_fail_processing_control_and_invalid_utf8(api: Api) -> None:
    await api.create_ready("docs")
    _, op = await api.upload(
        "docs", "ok.txt", TEXT, headers={"X-Emulator-Control": "fail_processing=1"}
    )
    failed = await api.wait_for(f"/operations/docs/{op['id']}", "Failed")
    assert "fail_processing" in failed["error_message"]
    _, op = await api.upload("docs", "bad.txt", b"\xff\xfe\xfa not utf-8")
    await api.wait_for(f"/operations/docs/{op['id']}", "Failed")


async def test_upload_errors(api: Api) -> None:
    status, _ = await api.upload("missing", "a.txt", TEXT, expect=None)
    assert status == 404
    await api.call("POST", "/assistants", json={"name": "init"}, expect=200)
    status, body = await api.upload("init", "a.txt", TEXT, expect=None)
    assert (status, body["error"]["code"]) == (400, "FAILED_PRECONDITION")
    await api.create_ready("docs")
    status, _ = await api.call("POST", "/files/docs", json={"file": "nope"})
    assert status == 400
    form = aiohttp.FormData()
    form.add_field("other", b"x", filename="a.txt")
    status, _ = await api.call("POST", "/files/docs", data=form)
    assert status == 400
    status, _ = await api.upload("docs", "a.txt", TEXT, params={"multimodal": "maybe"}, expect=None)
    assert status == 400
    status, _ = await api.upload("docs", "a.txt", TEXT, params={"multimodal": "true"}, expect=None)
    assert status == 400
    form = _form("a.txt", TEXT, None)
    form.add_field("metadata", "[1, 2]")
    status, _ = await api.call("POST", "/files/docs", data=form)
    assert status == 400


async def test_upsert_creates_then_replaces_content_and_index(api: Api) -> None:
    await api.create_ready("docs")
    _, op = await api.upload("docs", "notes.txt", b"Zebras live in Africa.", file_id="my-notes_1")
    assert (op["operation_type"], op["file_id"]) == ("upsert_file", "my-notes_1")
    await api.wait_for(f"/operations/docs/{op['id']}", "Completed")
    _, ctx = await api.call("POST", "/chat/docs/context", json={"query": "zebras"}, expect=200)
    assert "Zebras" in ctx["snippets"][0]["content"]
    _, op = await api.upload(
        "docs", "notes.txt", b"Penguins live in Antarctica.", file_id="my-notes_1"
    )
    await api.wait_for(f"/operations/docs/{op['id']}", "Completed")
    _, ctx = await api.call("POST", "/chat/docs/context", json={"query": "zebras"}, expect=200)
    assert ctx["snippets"] == []
    _, ctx = await api.call("POST", "/chat/docs/context", json={"query": "penguins"}, expect=200)
    assert "Penguins" in ctx["snippets"][0]["content"]
    _, listing = await api.call("GET", "/files/docs", expect=200)
    assert [f["id"] for f in listing["files"]] == ["my-notes_1"]


@pytest.mark.parametrize("file_id", ["has space", "x" * 129, "dot.ted", "ümlaut"])
async def test_upsert_rejects_bad_ids(api: Api, file_id: str) -> None:
    await api.create_ready("docs")
    status, body = await api.upload("docs", "a.txt", TEXT, file_id=file_id, expect=None)
    assert (status, body["error"]["code"]) == (400, "INVALID_ARGUMENT")


async def test_include_url_gives_a_working_signed_url(api: Api) -> None:
    await api.create_ready("docs")
    fid = await api.upload_ready("docs", "a.txt", TEXT)
    _, plain = await api.call("GET", f"/files/docs/{fid}", expect=200)
    assert "signed_url" not in plain
    _, file = await api.call("GET", f"/files/docs/{fid}", params={"include_url": "true"})
    async with aiohttp.ClientSession() as anonymous:
        async with anonymous.get(file["signed_url"]) as resp:
            assert (resp.status, await resp.read()) == (200, TEXT)
        async with anonymous.get(file["signed_url"][:-4] + "0000") as resp:
            assert resp.status == 403
    status, _ = await api.call("GET", f"/files/docs/{fid}", params={"include_url": "yes"})
    assert status == 400


async def test_list_files_filter_and_pagination(api: Api) -> None:
    await api.create_ready("docs")
    for n in range(5):
        meta = {"n": n, "kind": "even" if n % 2 == 0 else "odd"}
        await api.upload_ready("docs", f"f{n}.txt", TEXT, metadata=meta)
    flt = json.dumps({"kind": {"$eq": "even"}})
    _, body = await api.call("GET", "/files/docs", params={"filter": flt}, expect=200)
    assert sorted(f["metadata"]["n"] for f in body["files"]) == [0, 2, 4]
    flt = json.dumps({"$or": [{"n": {"$gte": 4}}, {"n": {"$in": [1]}}]})
    _, body = await api.call("GET", "/files/docs", params={"filter": flt}, expect=200)
    assert sorted(f["metadata"]["n"] for f in body["files"]) == [1, 4]
    names: list[str] = []
    token = None
    for _ in range(10):
        params = {"limit": "2", **({"pagination_token": token} if token else {})}
        _, body = await api.call("GET", "/files/docs", params=params, expect=200)
        names += [f["name"] for f in body["files"]]
        token = body.get("pagination", {}).get("next")
        if token is None:
            break
    assert names == [f"f{n}.txt" for n in range(5)]


@pytest.mark.parametrize("flt", ["{not json", '{"n": {"$near": 1}}', "[1]", '{"$and": 3}'])
async def test_invalid_filters_are_400(api: Api, flt: str) -> None:
    await api.create_ready("docs")
    status, body = await api.call("GET", "/files/docs", params={"filter": flt})
    assert (status, body["error"]["code"]) == (400, "INVALID_ARGUMENT")


async def test_delete_goes_deleting_then_gone(api: Api) -> None:
    await api.create_ready("docs")
    fid = await api.upload_ready("docs", "a.txt", TEXT)
    async with api.session.delete(f"/assistant/files/docs/{fid}") as resp:
        assert resp.status == 202
        op = await resp.json()
        assert resp.headers["Location"].endswith(op["id"])
    assert (op["operation_type"], op["file_id"]) == ("delete_file", fid)
    _, file = await api.call("GET", f"/files/docs/{fid}")
    assert file["status"] == "Deleting"
    await api.wait_gone(f"/files/docs/{fid}")
    _, done = await api.call("GET", f"/operations/docs/{op['id']}", expect=200)
    assert done["status"] == "Completed"
    status, body = await api.call("DELETE", f"/files/docs/{fid}")
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")


async def test_delete_of_failed_file_is_immediate_204(api: Api) -> None:
    await api.create_ready("docs")
    _, op = await api.upload("docs", "x.png", b"png")
    await api.wait_for(f"/operations/docs/{op['id']}", "Failed")
    status, body = await api.call("DELETE", f"/files/docs/{op['file_id']}")
    assert (status, body) == (204, None)
    status, _ = await api.call("GET", f"/files/docs/{op['file_id']}")
    assert status == 404


async def test_operations_list_filters_and_pages(api: Api) -> None:
    await api.create_ready("docs")
    fid = await api.upload_ready("docs", "a.txt", TEXT)
    await api.upload_ready("docs", "b.txt", TEXT, file_id="b-file")
    _, bad = await api.upload("docs", "c.png", b"x")
    await api.wait_for(f"/operations/docs/{bad['id']}", "Failed")
    await api.call("DELETE", f"/files/docs/{fid}", expect=202)
    _, body = await api.call("GET", "/operations/docs", expect=200)
    assert [o["operation_type"] for o in body["operations"]] == [
        "upload_file", "upsert_file", "upload_file", "delete_file"
    ]  # fmt: skip
    _, body = await api.call("GET", "/operations/docs", params={"status": "Failed"})
    assert [o["id"] for o in body["operations"]] == [bad["id"]]
    _, body = await api.call("GET", "/operations/docs", params={"operation_type": "upsert_file"})
    assert [o["file_id"] for o in body["operations"]] == ["b-file"]
    _, page = await api.call("GET", "/operations/docs", params={"limit": "3"}, expect=200)
    assert len(page["operations"]) == 3
    token = page["pagination"]["next"]
    _, rest = await api.call("GET", "/operations/docs", params={"pagination_token": token})
    assert len(rest["operations"]) == 1
    assert "pagination" not in rest
    for params in ({"status": "Done"}, {"operation_type": "x"}, {"limit": "500"}):
        status, _ = await api.call("GET", "/operations/docs", params=params)
        assert status == 400
    status, body = await api.call("GET", "/operations/docs/op-missing")
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")


async def test_old_versions_upload_sync_shape(api: Api) -> None:
    await api.create_ready("docs")
    status, file = await api.upload(
        "docs",
        "a.txt",
        TEXT,
        headers=OLD,
        params={"metadata": json.dumps({"from": "query"})},
        expect=200,
    )
    assert file["status"] in ("Processing", "Available")
    assert file["metadata"] == {"from": "query"}
    await api.wait_for(f"/files/docs/{file['id']}", "Available")
    _, listing = await api.call("GET", "/files/docs", headers=OLD, params={"limit": "1"})
    assert len(listing["files"]) == 1
    assert "pagination" not in listing
    status, body = await api.call("DELETE", f"/files/docs/{file['id']}", headers=OLD)
    assert (status, body) == (200, None)
    status, _ = await api.upload("docs", "a.txt", TEXT, file_id="x", headers=OLD, expect=None)
    assert status == 404
    status, _ = await api.call("GET", "/operations/docs", headers=OLD)
    assert status == 404


async def test_upload_in_2025_04(api: Api) -> None:
    await api.create_ready("docs")
    headers = {"X-Pinecone-Api-Version": "2025-04"}
    _, file = await api.upload(
        "docs", "a.md", b"# Title\n\nBody text.", headers=headers, expect=200
    )
    done = await api.wait_for(f"/files/docs/{file['id']}", "Available")
    assert done["name"] == "a.md"


def _form(name: str, content: bytes, metadata: dict[str, object] | None) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name)
    if metadata is not None:
        form.add_field("metadata", json.dumps(metadata))
    return form


async def test_malformed_multipart_is_400(api: Api) -> None:
    await api.create_ready("docs")
    headers = {"Content-Type": "multipart/form-data; boundary=XYZ"}
    status, body = await api.call("POST", "/files/docs", data=b"garbage", headers=headers)
    assert (status, body["error"]["code"]) == (400, "INVALID_ARGUMENT")


async def test_an_emulator_bug_is_a_logged_500(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await api.create_ready("docs")

    def broken(name: str, content: bytes) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(routes_files, "extract_pages", broken)
    status, body = await api.upload("docs", "a.txt", TEXT, expect=None)
    assert (status, body["error"]["code"]) == (500, "UNKNOWN")
    assert "emulator handler failed" in caplog.text
