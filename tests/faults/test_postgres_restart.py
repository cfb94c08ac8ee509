"""Postgres stopped under load: every route answers 503 in LINE's shape while it is down (the
ORM routes, the fast lanes and the control plane alike), and Kizuna recovers by itself once it
is back: no restart, no 500, no hang."""

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.kit.http import DATABASE_UNAVAILABLE
from app.kit.logging import JsonFormatter
from app.kit.migrate import run_migrations
from tests.faults.private import PrivatePostgres, private_postgres
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

UNAVAILABLE = {"message": DATABASE_UNAVAILABLE}


@contextlib.contextmanager
def capture(name: str) -> Iterator[list[dict[str, Any]]]:
    """The JSON log lines of a logger, as `kizuna serve` would print them."""
    lines: list[dict[str, Any]] = []
    formatter = JsonFormatter()

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(formatter.format(record)))

    logger, handler = logging.getLogger(name), Keep()
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


async def _create_database(postgres: PrivatePostgres) -> None:
    import asyncpg

    connection = await asyncpg.connect(postgres.admin_url)
    try:
        await connection.execute('CREATE DATABASE "kizuna"')
    finally:
        await connection.close()


@pytest.fixture
def kizuna_on_private_postgres() -> Iterator[tuple[PrivatePostgres, LiveServer]]:
    with private_postgres() as postgres:
        asyncio.run(_create_database(postgres))
        url = postgres.url("kizuna")
        run_migrations(url)
        server = LiveServer(url, KIZUNA_RATE_LIMITS="off").start()
        try:
            yield postgres, server
        finally:
            server.stop()


def _requests(channel: ChannelInfo, user: str) -> list[tuple[str, str, dict[str, object]]]:
    """One request of each path family: the fast push lane, the ORM routes behind the fast
    lane's authentication, the token endpoint, the control plane and its fast message lane."""
    bearer = {"Authorization": f"Bearer {channel.access_token}"}
    push = {"to": user, "messages": [{"type": "text", "text": "hi"}]}
    credentials = {
        "grant_type": "client_credentials",
        "client_id": channel.channel_id,
        "client_secret": channel.channel_secret,
    }
    users = f"/_kizuna/channels/{channel.channel_id}/users/{user}"
    return [
        ("POST", "/v2/bot/message/push", {"headers": bearer, "json": push}),
        ("GET", "/v2/bot/info", {"headers": bearer}),
        ("GET", f"/v2/bot/profile/{user}", {"headers": bearer}),
        ("GET", "/v2/bot/message/quota", {"headers": bearer}),
        ("POST", "/v2/oauth/accessToken", {"data": credentials}),
        ("GET", f"/_kizuna/channels/{channel.channel_id}", {}),
        ("POST", f"{users}/messages", {"json": {"type": "text", "text": "hello"}}),
        ("GET", f"{users}/inbox", {}),
    ]


def test_postgres_down_answers_503_and_kizuna_recovers_without_a_restart(
    kizuna_on_private_postgres: tuple[PrivatePostgres, LiveServer],
) -> None:
    postgres, server = kizuna_on_private_postgres
    control = Control(server.base_url)
    channel = control.channel("Outage")
    alice = control.user("Alice")
    control.follow(channel, alice)
    requests = _requests(channel, alice)
    client = httpx.Client(base_url=server.base_url, timeout=15)

    # Each answers its own success: the user's message is created (201), the rest are 200.
    succeeded = [201 if path.endswith("/messages") else 200 for _, path, _ in requests]

    def statuses() -> list[int]:
        return [client.request(m, path, **kwargs).status_code for m, path, kwargs in requests]

    assert statuses() == succeeded

    # Load that goes on through the outage: every answer is a success or a 503, never a 500.
    seen: list[tuple[int, object]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def pushing() -> None:
        method, path, kwargs = requests[0]
        try:
            with httpx.Client(base_url=server.base_url, timeout=15) as loader:
                for _ in range(5000):  # bounded; stopped long before
                    if stop.is_set():
                        return
                    response = loader.request(method, path, **kwargs)
                    seen.append((response.status_code, response.json()))
        except BaseException as exc:  # a body that is not JSON, a hang-up: the test must see it
            errors.append(exc)

    loader = threading.Thread(target=pushing)
    loader.start()
    try:
        time.sleep(0.3)
        postgres.stop("fast")
        answered = set()
        with capture("kizuna.http") as lines:
            for method, path, kwargs in requests:
                response = client.request(method, path, **kwargs)
                assert (response.status_code, response.json()) == (503, UNAVAILABLE), path
                assert response.headers["retry-after"] == "1"
                answered.add(response.headers["x-line-request-id"])
        # Each request's log line says why, with the request's id.
        logged = {entry["requestId"] for entry in lines if "unavailable" in entry["message"]}
        assert answered <= logged
        health = client.get("/_kizuna/health")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        postgres.start()
        # Connections that died with the old server are replaced as they are found dead.
        for _ in range(200):
            if statuses() == succeeded:
                break
            time.sleep(0.05)
        for _ in range(5):
            assert statuses() == succeeded
    finally:
        stop.set()
        loader.join(timeout=30)
        client.close()
        control.close()
    assert not loader.is_alive() and not errors, errors
    assert {status for status, _ in seen} <= {200, 503}
    assert any(status == 503 for status, _ in seen) and seen[-1][0] == 200
    assert all(body == UNAVAILABLE for status, body in seen if status == 503)
