"""LINE's error bodies and headers, whatever goes wrong."""

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.control import ChannelInfo
from tests.support.live import LiveServer


def test_every_response_has_a_fresh_request_id(server: LiveServer, channel: ChannelInfo) -> None:
    ids = set()
    for path in ("/v2/bot/info", "/nowhere", "/_kizuna/health"):
        for _ in range(2):
            response = httpx.get(server.base_url + path)
            ids.add(uuid.UUID(response.headers["x-line-request-id"]))
    assert len(ids) == 6


def test_unknown_routes_and_methods(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/v2/bot/nothing-here")
    assert (response.status_code, response.json()) == (404, {"message": "Not found"})
    response = httpx.delete(f"{server.base_url}/_kizuna/health")
    assert (response.status_code, response.json()) == (405, {"message": "Method not allowed"})


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [(b'{"displayName": "x",}', 1, 21), (b'{\n  "displayName": \n}', 3, 1), (b"", 1, 1)],
)
def test_json_parse_errors_name_line_and_column(
    server: LiveServer, body: bytes, line: int, column: int
) -> None:
    response = httpx.post(
        f"{server.base_url}/_kizuna/users",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    if not body:
        assert response.status_code == 400
        return
    message = f"The request body could not be parsed as JSON (line: {line}, column: {column})"
    assert (response.status_code, response.json()) == (400, {"message": message})


def test_validation_errors_name_each_property(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.base_url}/_kizuna/users",
        json={"displayName": "", "age": 200, "gender": "other", "area": "tokyo"},
    )
    body = response.json()
    assert response.status_code == 400
    assert body["message"] == "The request body has 4 error(s)"
    assert sorted(detail["property"] for detail in body["details"]) == [
        "age",
        "area",
        "displayName",
        "gender",
    ]
    assert all(detail["message"] for detail in body["details"])


def test_a_body_that_is_not_an_object(server: LiveServer) -> None:
    response = httpx.post(f"{server.base_url}/_kizuna/users", json=["Alice"])
    assert response.status_code == 400
    assert "message" in response.json()


def test_wrong_content_type_is_415(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.base_url}/_kizuna/users",
        content=b'{"displayName": "x"}',
        headers={"Content-Type": "text/plain"},
    )
    assert (response.status_code, response.json()) == (
        415,
        {"message": "The content type, text/plain, is not supported"},
    )


def test_bodies_over_two_megabytes_are_413(server: LiveServer) -> None:
    big = b'{"to": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = httpx.post(
        f"{server.base_url}/v2/bot/message/push",
        content=big,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["message"]
    assert response.headers["x-line-request-id"]


def test_the_control_plane_takes_bodies_over_the_line_limit(server: LiveServer) -> None:
    """Media uploads of simulated users are larger than any LINE API body."""
    big = b'{"displayName": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = httpx.post(
        f"{server.base_url}/_kizuna/users",
        content=big,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400  # read whole, then refused for the name's length
    assert response.json()["details"][0]["property"] == "displayName"


def test_audience_files_may_exceed_the_line_limit(server: LiveServer) -> None:
    """1.5 million ids are about 50 MB: the upload by file is held to the upload limit."""
    big = b"x" * (3 * 1024 * 1024)
    response = httpx.post(
        f"{server.base_url}/v2/bot/audienceGroup/upload/byFile",
        content=big,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 401  # not refused for its size (413), only for the token


def test_chunked_bodies_over_the_limit_are_413_too(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"displayName": "'
        for _ in range(3):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    response = httpx.post(
        f"{server.base_url}/v2/bot/message/push",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_a_bad_request_stores_nothing(server: LiveServer, channel: ChannelInfo) -> None:
    before = httpx.get(f"{server.base_url}/_kizuna/channels").json()
    response = httpx.post(f"{server.base_url}/_kizuna/channels", json={"name": ""})
    assert response.status_code == 400
    assert httpx.get(f"{server.base_url}/_kizuna/channels").json() == before


class TestNulCharacters:
    """Postgres cannot store U+0000 in text: every way one can arrive is refused with LINE's
    400 naming the property, on both backends alike, and nothing is stored."""

    def test_in_a_json_body_the_property_is_named(
        self, server: LiveServer, channel: ChannelInfo
    ) -> None:
        alice = httpx.post(f"{server.base_url}/_kizuna/users", json={"displayName": "A"}).json()
        # Split so the escape straddles two chunks of the body.
        body = (
            b'{"to": "' + alice["userId"].encode() + b'", "messages": [{"type": "text", '
            b'"text": "ok"}, {"type": "text", "text": "bad \\u00',
            b'00 text"}]}',
        )
        response = httpx.post(
            f"{server.base_url}/v2/bot/message/push",
            content=iter(body),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {channel.access_token}",
            },
        )
        assert (response.status_code, response.json()) == (
            400,
            {
                "message": "The request body has 1 error(s)",
                "details": [
                    {
                        "message": "May not contain the NUL character (U+0000)",
                        "property": "messages[1].text",
                    }
                ],
            },
        )

    def test_an_escaped_backslash_before_u0000_is_not_a_nul(self, server: LiveServer) -> None:
        response = httpx.post(
            f"{server.base_url}/_kizuna/users",
            content=b'{"displayName": "a\\\\u0000"}',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 201
        assert response.json()["displayName"] == "a\\u0000"

    def test_in_the_path_and_the_query_the_parameter_is_named(
        self, server: LiveServer, channel: ChannelInfo
    ) -> None:
        auth = {"Authorization": f"Bearer {channel.access_token}"}
        response = httpx.get(f"{server.base_url}/v2/bot/profile/U%00", headers=auth)
        assert (response.status_code, response.json()["details"]) == (
            400,
            [{"message": "May not contain the NUL character (U+0000)", "property": "userId"}],
        )
        response = httpx.get(
            f"{server.base_url}/v2/bot/insight/message/event?requestId=a%00", headers=auth
        )
        assert (response.status_code, response.json()["details"]) == (
            400,
            [{"message": "May not contain the NUL character (U+0000)", "property": "requestId"}],
        )

    def test_token_endpoints_answer_in_the_oauth_shape(self, server: LiveServer) -> None:
        response = httpx.post(
            f"{server.base_url}/v2/oauth/accessToken",
            data={"grant_type": "client_credentials", "client_id": "1\x00", "client_secret": "s"},
        )
        assert (response.status_code, response.json()) == (
            400,
            {
                "error": "invalid_request",
                "error_description": "client_id: May not contain the NUL character (U+0000)",
            },
        )

    def test_nothing_is_stored(self, server: LiveServer, channel: ChannelInfo) -> None:
        before = httpx.get(f"{server.base_url}/_kizuna/channels").json()
        response = httpx.post(f"{server.base_url}/_kizuna/channels", json={"name": "a\u0000"})
        assert response.status_code == 400
        assert response.json()["details"][0]["property"] == "name"
        assert httpx.get(f"{server.base_url}/_kizuna/channels").json() == before
