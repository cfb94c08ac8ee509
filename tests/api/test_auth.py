"""Every LINE route refuses a request without a valid token of its own channel.

The routes are taken from the app's route table, so a route added without auth fails here.
"""

import re
from datetime import timedelta

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.kit.http import NOT_LINE_PREFIXES
from app.main import create_app
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

MISSING = (
    "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"
)
INVALID = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)
# Token endpoints authenticate with credentials in the request instead of a bearer token.
TOKEN_ENDPOINT_PREFIXES = ("/v2/oauth/", "/oauth2/")


def line_routes() -> list[tuple[str, str]]:
    routes = []
    for context in iter_route_contexts(create_app().routes):
        path = context.path
        if not isinstance(context.original_route, APIRoute) or path is None:
            continue
        if path.startswith(NOT_LINE_PREFIXES + TOKEN_ENDPOINT_PREFIXES):
            continue
        for method in sorted(context.methods or ()):
            routes.append((method, re.sub(r"\{[^}]+\}", "U" + "1" * 32, path)))
    return routes


LINE_ROUTES = line_routes()


def test_the_route_table_has_line_routes() -> None:
    assert ("GET", "/v2/bot/info") in LINE_ROUTES
    assert len(LINE_ROUTES) >= 3


@pytest.mark.parametrize(("method", "path"), LINE_ROUTES)
def test_every_line_route_needs_a_valid_token(
    server: LiveServer, control: Control, channel: ChannelInfo, method: str, path: str
) -> None:
    url = server.base_url + path
    cases = [
        ({}, MISSING),
        ({"Authorization": "Basic abc"}, MISSING),
        ({"Authorization": "Bearer"}, MISSING),
        ({"Authorization": "Bearer not-a-token"}, INVALID),
        ({"Authorization": f"Bearer {channel.channel_secret}"}, INVALID),
    ]
    for headers, message in cases:
        response = httpx.request(method, url, headers=headers, json={})
        assert (response.status_code, response.json()) == (401, {"message": message}), headers
        assert response.headers["x-line-request-id"]


def test_revoked_and_expired_tokens(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    def short_lived_token() -> str:
        credentials = {
            "grant_type": "client_credentials",
            "client_id": channel.channel_id,
            "client_secret": channel.channel_secret,
        }
        response = httpx.post(f"{server.base_url}/v2/oauth/accessToken", data=credentials)
        return str(response.json()["access_token"])

    short, other = short_lived_token(), short_lived_token()
    httpx.post(f"{server.base_url}/v2/oauth/revoke", data={"access_token": short})
    server.services.clock.advance(timedelta(days=31))
    for token, message in (
        (short, INVALID),
        (other, "Authentication failed due to the following reason: expired access token"),
    ):
        response = httpx.get(
            f"{server.base_url}/v2/bot/info", headers={"Authorization": f"Bearer {token}"}
        )
        assert (response.status_code, response.json()) == (401, {"message": message})
