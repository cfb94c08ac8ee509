"""The admin guard takes the console's session cookie in place of the Bearer header, refuses a
signed-in request sent from another origin, and the sign-in route answers LINE's error bodies.

`tests/security/test_control_plane.py` covers the Bearer header and loopback."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from app.kit.admin import (
    FOREIGN_ORIGIN,
    LOOPBACK_ONLY,
    NEEDS_TOKEN,
    SESSION_COOKIE,
    AdminGuard,
    session_value,
)
from app.kit.asgi import send_json
from app.kit.migrate import run_migrations
from tests.support.live import LiveServer

ADMIN = "admin-token-for-tests-0123456789"
ROTATED = "rotated-admin-token-9876543210"
HOST = "kizuna.example"
SESSION = session_value(ADMIN.encode()).decode()
SIGNED_IN = {"Cookie": f"{SESSION_COOKIE}={SESSION}"}


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    await send_json(send, 200, {"path": scope["path"]})


def guarded(token: str | None = ADMIN, *, exposed: bool = True) -> httpx.AsyncClient:
    """A client beyond loopback, as a browser reaching an exposed Kizuna is."""
    guard = AdminGuard(echo, token=token, exposed=exposed)
    transport = httpx.ASGITransport(app=guard, client=("192.0.2.7", 50000))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{HOST}")


@pytest.mark.asyncio
async def test_the_session_cookie_stands_in_for_the_bearer_header() -> None:
    async with guarded() as client:
        assert (await client.get("/_kizuna/channels", headers=SIGNED_IN)).status_code == 200
        assert (await client.get("/metrics", headers=SIGNED_IN)).status_code == 200
        for cookie in ("", f"{SESSION_COOKIE}=wrong", f"{SESSION_COOKIE}={ADMIN}", f"x={SESSION}"):
            response = await client.get("/_kizuna/channels", headers={"Cookie": cookie})
            assert (response.status_code, response.json()) == (401, {"message": NEEDS_TOKEN})
    # Rotating the token ends the sessions signed in with the old one.
    async with guarded(ROTATED) as client:
        response = await client.get("/_kizuna/channels", headers=SIGNED_IN)
        assert (response.status_code, response.json()) == (401, {"message": NEEDS_TOKEN})
        rotated = {"Cookie": f"{SESSION_COOKIE}={session_value(ROTATED.encode()).decode()}"}
        assert (await client.get("/_kizuna/channels", headers=rotated)).status_code == 200


@pytest.mark.asyncio
async def test_the_console_shell_loads_without_credentials_and_its_data_does_not() -> None:
    async with guarded() as client:
        for path in ("/console", "/console/", "/console/api.js", "/_kizuna/health"):
            assert (await client.get(path)).status_code == 200, path
        for path in ("/consolex", "/_kizuna/console/channels/1/users", "/_kizuna/channels"):
            assert (await client.get(path)).status_code == 401, path
    # Not exposed and without a token, beyond loopback nothing but the health check answers.
    async with guarded(None, exposed=False) as client:
        response = await client.get("/console/")
        assert (response.status_code, response.json()) == (403, {"message": LOOPBACK_ONLY})


@pytest.mark.asyncio
async def test_a_signed_in_unsafe_request_must_not_come_from_another_origin() -> None:
    async with guarded() as client:
        for origin in (f"http://{HOST}", f"https://{HOST.upper()}", None):
            headers = {**SIGNED_IN, "Origin": origin} if origin else SIGNED_IN
            response = await client.post("/_kizuna/channels", headers=headers)
            assert response.status_code == 200, origin
        # Another site, a sibling origin SameSite lets through, a sandboxed frame.
        for origin in ("https://evil.example", f"http://{HOST}:8080", "null", "http://[::1"):
            for method in ("POST", "PUT", "DELETE"):
                headers = {**SIGNED_IN, "Origin": origin}
                response = await client.request(method, "/_kizuna/channels", headers=headers)
                assert (response.status_code, response.json()) == (
                    403,
                    {"message": FOREIGN_ORIGIN},
                ), (method, origin)
        # Reading is not changing anything: a foreign page cannot read the answer anyway.
        foreign = {"Origin": "https://evil.example"}
        assert (await client.get("/_kizuna/channels", headers={**SIGNED_IN, **foreign})).is_success
        # Behind a proxy that rewrites Host, the host the browser asked for is forwarded.
        proxied = {"Origin": f"https://{HOST}", "Host": "kizuna:8000", "X-Forwarded-Host": HOST}
        response = await client.post("/_kizuna/channels", headers={**SIGNED_IN, **proxied})
        assert response.status_code == 200
        # The Bearer header cannot be sent by another origin's page: it needs no Origin check.
        bearer = {"Authorization": f"Bearer {ADMIN}", **foreign}
        assert (await client.post("/_kizuna/channels", headers=bearer)).status_code == 200


@pytest.mark.asyncio
async def test_on_loopback_nothing_changes() -> None:
    guard = AdminGuard(echo, token=ADMIN, exposed=False)
    transport = httpx.ASGITransport(app=guard, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        foreign = {"Origin": "https://evil.example"}
        assert (await client.post("/_kizuna/channels", headers=foreign)).status_code == 200


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('admin') / 'kizuna.db'}"
    run_migrations(url)
    server = LiveServer(url, KIZUNA_CONTROL_EXPOSED=True, KIZUNA_ADMIN_TOKEN=ADMIN).start()
    yield server
    server.stop()


@pytest.fixture
def client(exposed: LiveServer) -> Iterator[httpx.Client]:
    # Forget the sign-in attempts counted by the test before.
    admin = {"Authorization": f"Bearer {ADMIN}"}
    assert httpx.post(f"{exposed.base_url}/_kizuna/reset", headers=admin).is_success
    with httpx.Client(base_url=exposed.base_url) as http:
        yield http


def test_signing_in_sets_a_session_cookie_the_control_plane_takes(client: httpx.Client) -> None:
    assert client.get("/_kizuna/channels").status_code == 401
    response = client.post("/_kizuna/console/session", json={"token": ADMIN})
    assert response.status_code == 204, response.text
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}={SESSION};")
    assert ADMIN not in set_cookie
    attributes = {part.strip().lower() for part in set_cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict"} <= attributes
    assert "secure" not in attributes  # plain HTTP: a Secure cookie would never come back
    assert client.get("/_kizuna/channels").status_code == 200
    created = client.post("/_kizuna/channels", json={"name": "Signed in"})
    assert created.status_code == 201, created.text

    signed_out = client.delete("/_kizuna/console/session")
    assert signed_out.status_code == 204
    assert signed_out.headers["set-cookie"].startswith(f'{SESSION_COOKIE}=""; ')
    assert client.get("/_kizuna/channels").status_code == 401


def test_behind_a_tls_proxy_the_cookie_is_secure(client: httpx.Client) -> None:
    response = client.post(
        "/_kizuna/console/session", json={"token": ADMIN}, headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 204, response.text
    assert "secure" in {part.strip().lower() for part in response.headers["set-cookie"].split(";")}


def test_a_wrong_token_or_bad_input_gets_lines_error_body(client: httpx.Client) -> None:
    path = "/_kizuna/console/session"
    wrong = client.post(path, json={"token": ADMIN + "x"})
    assert (wrong.status_code, wrong.json()) == (401, {"message": "The admin token is wrong"})
    assert "set-cookie" not in wrong.headers
    bad: list[tuple[dict[str, object], str]] = [
        ({}, "token"),
        ({"token": ""}, "token"),
        ({"token": 42}, "token"),
        ({"token": ["x"]}, "token"),
        ({"token": ADMIN, "x": 1}, "x"),
    ]
    for body, prop in bad:
        response = client.post(path, json=body)
        assert response.status_code == 400, (body, response.text)
        properties = [detail["property"] for detail in response.json()["details"]]
        assert properties == [prop], (body, properties)
    not_json = client.post(path, content=b"token", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400
    # Signing in from another origin's page is refused like any cookie-borne change.
    foreign = client.post(path, json={"token": ADMIN}, headers={"Origin": "https://evil.example"})
    assert (foreign.status_code, foreign.json()) == (403, {"message": FOREIGN_ORIGIN})


def test_sign_in_attempts_are_limited(client: httpx.Client) -> None:
    path = "/_kizuna/console/session"
    # The limit counts per minute of the wall clock: all the attempts must fall in one.
    if time.time() % 60 > 55:
        time.sleep(60 - time.time() % 60)
    answers = [client.post(path, json={"token": "guess"}).status_code for _ in range(12)]
    assert answers == [401] * 10 + [429] * 2
    limited = client.post(path, json={"token": ADMIN})
    assert limited.status_code == 429
    assert limited.json() == {"message": "Too many sign-in attempts. Try again in a minute."}


def test_the_sign_in_route_is_documented(exposed: LiveServer) -> None:
    spec = httpx.get(f"{exposed.base_url}/openapi.json").json()
    operations = spec["paths"]["/_kizuna/console/session"]
    assert set(operations) == {"post", "delete"}
    for operation in operations.values():
        assert operation["tags"] == ["control: console"]
        assert operation["summary"] and operation["description"]
        assert "204" in operation["responses"]
    errors = operations["post"]["responses"]
    assert {"401", "429"} <= set(errors)
    assert "content" in errors["401"]


def test_not_exposed_and_without_a_token_there_is_nothing_to_sign_in_with(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kizuna.db'}"
    run_migrations(url)
    server = LiveServer(url).start()
    try:
        response = httpx.post(f"{server.base_url}/_kizuna/console/session", json={"token": "x"})
    finally:
        server.stop()
    assert (response.status_code, response.json()) == (403, {"message": LOOPBACK_ONLY})
