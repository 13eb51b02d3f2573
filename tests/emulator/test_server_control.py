"""Control plane over real HTTP: auth, versions, assistant lifecycle, validation, pagination."""

from __future__ import annotations

import aiohttp
import pytest

from pinecone_assistant_async.testing import Emulator
from tests.conftest import Api, EmulatorFactory, api_for

pytestmark = pytest.mark.anyio


async def test_missing_and_wrong_key_are_401(emulator: Emulator) -> None:
    async with aiohttp.ClientSession(emulator.url) as session:
        async with session.get("/assistant/assistants") as resp:
            body = await resp.json()
            assert resp.status == 401
            assert body["error"]["code"] == "UNAUTHENTICATED"
            assert resp.headers["x-pinecone-request-id"]
        async with session.get("/assistant/assistants", headers={"Api-Key": "nope"}) as resp:
            body = await resp.json()
            assert (resp.status, body["status"]) == (401, 401)
            assert "nope" not in body["error"]["message"]


async def test_unknown_api_version_is_400(api: Api) -> None:
    status, body = await api.call(
        "GET", "/assistants", headers={"X-Pinecone-Api-Version": "2024-01"}
    )
    assert status == 400
    assert body["error"]["code"] == "INVALID_ARGUMENT"
    assert "2024-01" in body["error"]["message"]


async def test_every_response_has_a_request_id_and_it_can_be_set(api: Api) -> None:
    async with api.session.get(
        "/assistant/assistants", headers={"X-Emulator-Control": "request_id=abc-123"}
    ) as resp:
        assert resp.headers["x-pinecone-request-id"] == "abc-123"
    async with api.session.get("/assistant/assistants/missing") as resp:
        assert resp.status == 404
        assert len(resp.headers["x-pinecone-request-id"]) >= 8
    echo = {"X-Pinecone-Request-Id": "mine-1"}
    async with api.session.get("/assistant/assistants", headers=echo) as resp:
        assert resp.headers["x-pinecone-request-id"] == "mine-1"


async def test_create_initializing_then_ready(api: Api, emulator: Emulator) -> None:
    _, created = await api.call(
        "POST",
        "/assistants",
        json={"name": "docs", "instructions": "Be brief.", "metadata": {"team": "a"}},
        expect=200,
    )
    assert created["status"] == "Initializing"
    assert created["host"] == emulator.url
    assert created["region"] == "us"
    ready = await api.wait_for("/assistants/docs", "Ready")
    assert ready["instructions"] == "Be brief."
    assert ready["metadata"] == {"team": "a"}


async def test_fail_init_by_header_and_by_python_api(api: Api, emulator: Emulator) -> None:
    await api.call(
        "POST",
        "/assistants",
        json={"name": "broken"},
        headers={"X-Emulator-Control": "fail_init=1"},
        expect=200,
    )
    failed = await api.wait_for("/assistants/broken", "InitializationFailed")
    assert failed["name"] == "broken"
    await api.call("POST", "/assistants", json={"name": "later"}, expect=200)
    emulator.fail_assistant("later")
    await api.wait_for("/assistants/later", "InitializationFailed")
    with pytest.raises(KeyError):
        emulator.fail_assistant("missing")


async def test_duplicate_name_is_409(api: Api) -> None:
    await api.call("POST", "/assistants", json={"name": "dup"}, expect=200)
    status, body = await api.call("POST", "/assistants", json={"name": "dup"})
    assert status == 409
    assert body["error"]["code"] == "ALREADY_EXISTS"


@pytest.mark.parametrize(
    "name", ["", "Upper", "-start", "end-", "under_score", "a" * 64, "sp ace", "dots.no"]
)
async def test_invalid_names_are_400(api: Api, name: str) -> None:
    status, body = await api.call("POST", "/assistants", json={"name": name})
    assert status == 400
    assert body["error"]["code"] == "INVALID_ARGUMENT"


async def test_name_limits_per_version(api: Api) -> None:
    await api.call("POST", "/assistants", json={"name": "a" * 63}, expect=200)
    old = {"X-Pinecone-Api-Version": "2025-04"}
    status, _ = await api.call("POST", "/assistants", json={"name": "b" * 46}, headers=old)
    assert status == 400
    await api.call("POST", "/assistants", json={"name": "b" * 45}, headers=old, expect=200)


async def test_region_and_size_limits(api: Api) -> None:
    status, body = await api.call("POST", "/assistants", json={"name": "r", "region": "asia"})
    assert (status, body["error"]["message"]) == (400, "Invalid region: Valid options are us, eu")
    await api.call("POST", "/assistants", json={"name": "eu1", "region": "eu"}, expect=200)
    big = "x" * (16 * 1024 + 1)
    status, _ = await api.call("POST", "/assistants", json={"name": "big", "instructions": big})
    assert status == 400
    status, _ = await api.call("POST", "/assistants", json={"name": "big", "metadata": {"k": big}})
    assert status == 400
    status, _ = await api.call("POST", "/assistants", data=b"{not json")
    assert status == 400


async def test_update_and_its_errors(api: Api) -> None:
    await api.create_ready("upd")
    _, body = await api.call("PATCH", "/assistants/upd", json={"instructions": "New."}, expect=200)
    assert (body["assistant_name"], body["name"], body["status"]) == ("upd", "upd", "Ready")
    assert body["instructions"] == "New."
    assert "metadata" not in body
    _, body = await api.call("PATCH", "/assistants/upd", json={"metadata": {"v": 2}}, expect=200)
    assert body["metadata"] == {"v": 2}
    assert body["instructions"] == "New."
    status, body = await api.call("PATCH", "/assistants/upd", json={})
    assert (status, body["error"]["message"]) == (400, "No updates provided")
    status, _ = await api.call("PATCH", "/assistants/none", json={"instructions": "x"})
    assert status == 404


async def test_delete_goes_terminating_then_gone(api: Api) -> None:
    await api.create_ready("gone")
    status, body = await api.call("DELETE", "/assistants/gone")
    assert (status, body) == (200, None)
    _, described = await api.call("GET", "/assistants/gone")
    assert described["status"] == "Terminating"
    status, _ = await api.call("POST", "/assistants", json={"name": "gone"})
    assert status == 409
    await api.wait_gone("/assistants/gone")
    status, _ = await api.call("DELETE", "/assistants/gone")
    assert status == 404
    await api.call("POST", "/assistants", json={"name": "gone"}, expect=200)


async def test_list_pagination_over_several_pages(api: Api) -> None:
    names = [f"a{n:02d}" for n in range(7)]
    for name in names:
        await api.call("POST", "/assistants", json={"name": name}, expect=200)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params = {"limit": "3", **({"pagination_token": token} if token else {})}
        _, body = await api.call("GET", "/assistants", params=params, expect=200)
        pages += 1
        seen += [a["name"] for a in body["assistants"]]
        token = body.get("pagination", {}).get("next")
        if not token:
            break
    assert (seen, pages) == (names, 3)


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}])
async def test_bad_list_params_are_400(api: Api, params: dict[str, str]) -> None:
    status, _ = await api.call("GET", "/assistants", params=params)
    assert status == 400


async def test_bad_pagination_token_is_400(api: Api) -> None:
    status, body = await api.call("GET", "/assistants", params={"pagination_token": "@@"})
    assert (status, body["error"]["code"]) == (400, "INVALID_ARGUMENT")


async def test_old_versions_list_without_pagination(api: Api) -> None:
    for n in range(3):
        await api.call("POST", "/assistants", json={"name": f"o{n}"}, expect=200)
    _, body = await api.call(
        "GET",
        "/assistants",
        params={"limit": "1"},
        headers={"X-Pinecone-Api-Version": "2025-10"},
        expect=200,
    )
    assert [a["name"] for a in body["assistants"]] == ["o0", "o1", "o2"]
    assert "pagination" not in body


async def test_unknown_route_is_404_in_spec_shape(api: Api) -> None:
    status, body = await api.call("GET", "/nothing/here")
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")


async def test_ready_delay_is_configurable(emulator_factory: EmulatorFactory) -> None:
    async with emulator_factory(ready_delay=0) as emu, api_for(emu) as fast:
        _, body = await fast.call("POST", "/assistants", json={"name": "now"}, expect=200)
        assert body["status"] == "Ready"


async def test_assistant_transitions_follow_the_clock(emulator_factory: EmulatorFactory) -> None:
    now = [100.0]
    options = {"ready_delay": 3, "delete_delay": 2}
    async with emulator_factory(clock=lambda: now[0], **options) as emu, api_for(emu) as api:
        await api.call("POST", "/assistants", json={"name": "c"}, expect=200)
        states = []
        for moment in (100.0, 102.9, 103.0):
            now[0] = moment
            states.append((await api.call("GET", "/assistants/c"))[1]["status"])
        assert states == ["Initializing", "Initializing", "Ready"]
        await api.call("DELETE", "/assistants/c", expect=200)
        now[0] = 104.9
        assert (await api.call("GET", "/assistants/c"))[1]["status"] == "Terminating"
        _, listing = await api.call("GET", "/assistants", expect=200)
        assert [a["status"] for a in listing["assistants"]] == ["Terminating"]
        now[0] = 105.0
        await api.call("GET", "/assistants/c", expect=404)
        _, listing = await api.call("GET", "/assistants", expect=200)
        assert listing == {"assistants": []}
