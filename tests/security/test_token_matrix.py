"""Every LINE route of the route table by every kind of bad credential.

`tests/api/test_auth.py` covers the missing, malformed and unknown tokens route by route; this
adds, for every route too, a revoked token, an expired one and another channel's valid token
(which may answer only for its own channel: never with A's things, never changing them).
"""

import re
from datetime import timedelta

import httpx

from tests.api.test_auth import (
    INVALID,
    LINE_ROUTES,
    MISSING,
    NOT_LINE_PREFIXES,
    TOKEN_ENDPOINT_PREFIXES,
)
from tests.security.world import assert_world_intact, build_world
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

EXPIRED = "Authentication failed due to the following reason: expired access token"


def _short_lived(server: LiveServer, channel: ChannelInfo) -> str:
    credentials = {
        "grant_type": "client_credentials",
        "client_id": channel.channel_id,
        "client_secret": channel.channel_secret,
    }
    response = httpx.post(f"{server.base_url}/v2/oauth/accessToken", data=credentials)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _templates() -> list[tuple[str, str]]:
    """The same routes as LINE_ROUTES with their `{parameters}` kept, to fill with A's ids."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from app.main import create_app

    routes = []
    for context in iter_route_contexts(create_app().routes):
        path = context.path
        if not isinstance(context.original_route, APIRoute) or path is None:
            continue
        if path.startswith(NOT_LINE_PREFIXES + TOKEN_ENDPOINT_PREFIXES):
            continue
        routes += [(method, path) for method in sorted(context.methods or ())]
    assert len(routes) == len(LINE_ROUTES)
    return routes


def test_every_route_refuses_revoked_and_expired_tokens(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    revoked, expiring = _short_lived(server, channel), _short_lived(server, channel)
    revoke = httpx.post(f"{server.base_url}/v2/oauth/revoke", data={"access_token": revoked})
    assert revoke.status_code == 200
    server.services.clock.advance(timedelta(days=31))
    cases = [
        ({}, MISSING),
        ({"Authorization": f"Bearer {revoked}"}, INVALID),
        ({"Authorization": f"Bearer {expiring}"}, EXPIRED),
    ]
    wrong = []
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        for method, path in LINE_ROUTES:
            for headers, message in cases:
                response = http.request(method, path, headers=headers, json={})
                if (response.status_code, response.json()) != (401, {"message": message}):
                    wrong.append(f"{method} {path} {headers}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_another_channels_token_never_reaches_a_through_any_route(
    server: LiveServer, control: Control
) -> None:
    world = build_world(server, control)
    ids = world.ids()
    leaks = []
    with httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {world.b.access_token}"},
        timeout=30,
    ) as b:
        for method, template in _templates():
            path = re.sub(r"\{([^}]+)\}", lambda m: ids[m[1]], template)
            response = b.request(method, path, json={})
            text = response.text
            if response.status_code == 401:
                leaks.append(f"{method} {path}: B's valid token refused")
            for secret in world.secrets():
                if secret in text:
                    leaks.append(f"{method} {path}: {response.status_code} shows {secret}")
            named = [value for name, value in ids.items() if "{" + name + "}" in template]
            if named and 200 <= response.status_code < 300 and method == "GET":
                leaks.append(f"{method} {path}: {response.status_code} {text[:200]}")
    assert not leaks, "\n".join(leaks)
    assert_world_intact(server, control, world)
