"""The control plane answers loopback clients by default; exposed, it takes the admin token,
and Kizuna refuses to start exposed without one."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.kit.admin import LOOPBACK_ONLY, NEEDS_TOKEN
from app.kit.migrate import run_migrations
from app.main import create_app
from tests.support.live import LiveServer

ADMIN = "admin-token-for-tests-0123456789"


@pytest.fixture
def exposed(tmp_path: Path) -> Iterator[LiveServer]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kizuna.db'}"
    run_migrations(url)
    # Exposed as behind a reverse proxy: it still listens on loopback only.
    server = LiveServer(url, KIZUNA_CONTROL_EXPOSED=True, KIZUNA_ADMIN_TOKEN=ADMIN).start()
    yield server
    server.stop()


def test_by_default_only_loopback_is_served_and_exposed_needs_a_token() -> None:
    assert Settings().host == "127.0.0.1" and not Settings().exposed
    assert Settings(KIZUNA_HOST="::1").exposed is False
    assert Settings(KIZUNA_HOST="0.0.0.0").exposed is True
    assert Settings(KIZUNA_HOST="127.0.0.1", KIZUNA_CONTROL_EXPOSED=True).exposed is True
    with pytest.raises(RuntimeError, match="KIZUNA_ADMIN_TOKEN"):
        create_app(Settings(KIZUNA_HOST="0.0.0.0"))
    create_app(Settings(KIZUNA_HOST="0.0.0.0", KIZUNA_ADMIN_TOKEN=ADMIN))


def test_serve_refuses_to_listen_beyond_loopback_without_the_admin_token(tmp_path: Path) -> None:
    # Exposed as behind a proxy (a host beyond loopback is exposed too: the Settings test
    # above), so that the test itself stays on loopback even were the check missing.
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", "9"],
        env={
            "KIZUNA_DATA_DIR": str(tmp_path),
            "KIZUNA_CONTROL_EXPOSED": "true",
            "PATH": "/usr/bin:/bin",
            "COLUMNS": "200",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "KIZUNA_ADMIN_TOKEN" in result.stdout
    assert not (tmp_path / "kizuna.db").exists()


def test_exposed_control_plane_takes_the_admin_token(exposed: LiveServer) -> None:
    base = exposed.base_url
    for path in ("/_kizuna/channels", "/metrics"):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN}):
            response = httpx.get(base + path, headers=headers)
            assert (response.status_code, response.json()) == (401, {"message": NEEDS_TOKEN})
        assert httpx.get(base + path, headers={"Authorization": f"Bearer {ADMIN}"}).is_success
    # The container's health check needs no token: it tells up or down, nothing else.
    assert httpx.get(f"{base}/_kizuna/health").status_code == 200
    created = httpx.post(
        f"{base}/_kizuna/channels",
        json={"name": "Exposed"},
        headers={"Authorization": f"Bearer {ADMIN}"},
    ).json()
    # The LINE routes keep their own tokens: the admin token is not one of them.
    bot = httpx.get(
        f"{base}/v2/bot/info", headers={"Authorization": f"Bearer {created['accessToken']}"}
    )
    assert bot.status_code == 200
    refused = httpx.get(f"{base}/v2/bot/info", headers={"Authorization": f"Bearer {ADMIN}"})
    assert refused.status_code == 401


@pytest.mark.asyncio
async def test_not_exposed_a_client_beyond_loopback_is_refused(tmp_path: Path) -> None:
    app = create_app(Settings(KIZUNA_DATA_DIR=str(tmp_path)))
    transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://kizuna") as client:
        response = await client.get("/_kizuna/channels")
    assert (response.status_code, response.json()) == (403, {"message": LOOPBACK_ONLY})
