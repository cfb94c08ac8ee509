"""The LINE spec check itself: it flags wrong bodies, and every app the suite builds has it."""

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

import app.main
from app.config import Settings
from tests.support import spec
from tests.support.control import ChannelInfo
from tests.support.live import LiveServer

REPOSITORY = Path(__file__).resolve().parents[2]
BOT_INFO = {
    "userId": "U" + "0" * 32,
    "basicId": "@123abcde",
    "displayName": "Shop",
    "chatMode": "bot",
    "markAsReadMode": "auto",
}


class TestSchemaErrors:
    def test_a_conforming_body_passes(self) -> None:
        assert spec.schema_errors("GET", "/v2/bot/info", 200, BOT_INFO) == []

    def test_a_body_missing_a_required_field_is_flagged(self) -> None:
        body = {k: v for k, v in BOT_INFO.items() if k != "basicId"}
        assert spec.schema_errors("GET", "/v2/bot/info", 200, body) == [
            "GET /v2/bot/info 200: 'basicId' is a required property at []"
        ]

    def test_a_wrong_type_and_a_wrong_enum_are_flagged(self) -> None:
        body = {**BOT_INFO, "displayName": 7, "chatMode": "robot"}
        problems = spec.schema_errors("GET", "/v2/bot/info", 200, body)
        assert len(problems) == 2
        assert any("7 is not of type 'string' at ['displayName']" in p for p in problems)
        assert any("'robot' is not one of" in p and "['chatMode']" in p for p in problems)

    def test_nested_references_are_followed(self) -> None:
        body = {"sentMessages": [{"id": "1"}]}  # quoteToken may go, id must be there
        assert spec.schema_errors("POST", "/v2/bot/message/push", 200, body) == []
        problems = spec.schema_errors("POST", "/v2/bot/message/push", 200, {"sentMessages": [{}]})
        assert problems == [
            "POST /v2/bot/message/push 200: 'id' is a required property at ['sentMessages', 0]"
        ]

    def test_a_missing_body_where_one_is_documented_is_flagged(self) -> None:
        assert spec.schema_errors("GET", "/v2/bot/info", 200, None)

    def test_an_undocumented_success_status_is_flagged(self) -> None:
        problems = spec.schema_errors("GET", "/v2/bot/info", 201, BOT_INFO)
        assert problems == ["GET /v2/bot/info has no documented 201 response"]

    def test_success_on_a_route_outside_the_spec_is_flagged(self) -> None:
        problems = spec.schema_errors("GET", "/v2/bot/nothing", 200, {})
        assert problems == ["GET /v2/bot/nothing answered 200 but is not an operation of the spec"]
        assert spec.schema_errors("GET", "/v2/bot/nothing", 404, {"message": "Not found"}) == []

    def test_errors_must_come_in_lines_error_shape(self) -> None:
        error = {"message": "Invalid reply token", "details": [{"property": "replyToken"}]}
        assert spec.schema_errors("POST", "/v2/bot/message/reply", 400, error) == []
        assert spec.schema_errors("GET", "/v2/bot/info", 401, {"error": "unauthorized"}) == [
            "GET /v2/bot/info 401: 'message' is a required property at []"
        ]
        wrong_detail = {"message": "x", "details": [{"property": 3}]}
        assert spec.schema_errors("POST", "/v2/bot/message/push", 422, wrong_detail) == [
            "POST /v2/bot/message/push 422: 3 is not of type 'string' at ['details', 0, 'property']"
        ]
        # Unknown routes too; the token endpoints have their own (OAuth) shape.
        assert spec.schema_errors("GET", "/v2/bot/nothing", 404, "Not Found")
        oauth = {"error": "invalid_grant", "error_description": "client_secret is invalid"}
        assert spec.schema_errors("POST", "/v2/oauth/accessToken", 400, oauth) == []

    def test_literal_paths_win_over_templates(self) -> None:
        operation = spec.find_operation("GET", "/v2/bot/richmenu/list")
        assert operation is not None and operation.path == "/v2/bot/richmenu/list"
        templated = spec.find_operation("GET", "/v2/bot/richmenu/richmenu-123")
        assert templated is not None and templated.path == "/v2/bot/richmenu/{richMenuId}"


def kizuna_app_with_a_wrong_route() -> object:
    """Kizuna answering a spec operation (the module API's bot list, which Kizuna does not
    implement) with a body missing its required `bots`."""
    kizuna = app.main.create_app(Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:"))
    kizuna.add_api_route("/v2/bot/list", lambda: {"nextPageToken": "x"}, methods=["GET"])
    return kizuna


class TestEveryAppIsChecked:
    def test_create_app_wraps_every_app_in_the_check_outermost(self) -> None:
        kizuna = app.main.create_app(Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:"))
        outermost: object = kizuna.user_middleware[0].cls
        assert outermost is spec.SpecCheck

    @pytest.mark.asyncio
    async def test_a_wrong_body_through_a_kizuna_app_is_flagged(self) -> None:
        kizuna = kizuna_app_with_a_wrong_route()
        with spec.LEDGER.isolated() as ledger:
            transport = httpx.ASGITransport(app=kizuna)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://k") as client:
                assert (await client.get("/v2/bot/list")).status_code == 200
                # Kizuna's own routes are not LINE's: not recorded.
                await client.get("/_kizuna/nothing")
        assert ledger.check_pending() == [
            "GET /v2/bot/list 200: 'bots' is a required property at []"
        ]
        report = ledger.report()
        assert report["responses"] == 1 and report["validated"] == 1
        assert report["exercised"][0]["operation"] == "GET /v2/bot/list"

    def test_the_live_servers_responses_are_recorded(
        self, server: LiveServer, channel: ChannelInfo
    ) -> None:
        with spec.LEDGER.isolated() as ledger:
            headers = {"Authorization": f"Bearer {channel.access_token}"}
            assert httpx.get(f"{server.base_url}/v2/bot/info", headers=headers).status_code == 200
            assert httpx.get(f"{server.base_url}/v2/bot/info").status_code == 401
        assert ledger.check_pending() == []
        tally = ledger.report()["exercised"]
        assert [(t["operation"], t["statuses"]) for t in tally] == [
            ("GET /v2/bot/info", {"200": 1, "401": 1})
        ]
        assert tally[0]["validated"] == 2  # the 401 against LINE's error body

    def test_the_pytest_plugins_kizuna_is_recorded(self, kizuna_url: str) -> None:
        with spec.LEDGER.isolated() as ledger:
            assert httpx.get(f"{kizuna_url}/v2/bot/info").status_code == 401
        assert ledger.check_pending() == []
        assert ledger.report()["exercised"][0]["operation"] == "GET /v2/bot/info"


WRONG_TEST = """
import asyncio

import httpx

from tests.conformance.test_spec_check import kizuna_app_with_a_wrong_route


async def get(path):
    transport = httpx.ASGITransport(app=kizuna_app_with_a_wrong_route())
    async with httpx.AsyncClient(transport=transport, base_url="http://k") as client:
        return await client.get(path)


def test_gets_a_wrong_body():
    assert asyncio.run(get("/v2/bot/list")).status_code == 200


def test_gets_nothing():
    pass
"""


def test_a_test_that_receives_a_wrong_body_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "test_wrong.py").write_text(textwrap.dedent(WRONG_TEST))
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            *("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conformance.plugin"),
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            *(f"--rootdir={tmp_path}", f"--conformance-report={report}"),
            str(tmp_path / "test_wrong.py"),
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "2 passed, 1 error" in output
    assert "ERROR at teardown of test_gets_a_wrong_body" in output
    assert "responses that break the official LINE spec (answered during this test)" in output
    assert "GET /v2/bot/list 200: 'bots' is a required property at []" in output
    assert "VIOLATION GET /v2/bot/list 200" in output
    assert '"operation": "GET /v2/bot/list"' in report.read_text()
