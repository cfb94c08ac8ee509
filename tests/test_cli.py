"""`kizuna serve` on a fresh data folder: migrates, makes the demo channel, answers its token."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support import services as svc

KIZUNA = [sys.executable, "-m", "app.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(
    data_dir: Path, port: int, *options: str, **env: str
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"serve-{time.monotonic_ns()}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*KIZUNA, "serve", "--port", str(port), *options],
            env={
                **os.environ,
                "KIZUNA_DATA_DIR": str(data_dir),
                "COLUMNS": "200",
                "DATABASE_URL": "",
                "REDIS_URL": "",
                **env,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_kizuna/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        raise AssertionError("kizuna serve did not come up:\n" + log.read_text())
    printed: dict[str, str] = {}
    for key in ("channel id", "channel secret", "access token", "console"):
        match = re.search(rf"{key}\s+(\S+)", log.read_text())
        if match:
            printed[key] = match.group(1)
    return process, printed


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_serve_on_a_fresh_folder_answers_the_printed_token(tmp_path: Path) -> None:
    port = free_port()
    process, printed = serve(tmp_path / "data", port)
    try:
        assert set(printed) == {"channel id", "channel secret", "access token", "console"}
        assert printed["console"] == f"http://127.0.0.1:{port}/console"
        response = httpx.get(
            f"http://127.0.0.1:{port}/v2/bot/info",
            headers={"Authorization": f"Bearer {printed['access token']}"},
        )
        assert response.status_code == 200
        assert response.json()["displayName"] == "Kizuna Demo"
    finally:
        stop(process)
    assert (tmp_path / "data" / "kizuna.db").exists()

    # A restart keeps the same demo channel and token.
    process, again = serve(tmp_path / "data", port)
    try:
        assert again == printed
    finally:
        stop(process)


def test_serve_prints_the_public_url_clients_use(tmp_path: Path) -> None:
    port = free_port()
    process, printed = serve(
        tmp_path / "data", port, KIZUNA_PUBLIC_URL="https://kizuna.example.test/"
    )
    try:
        assert printed["console"] == "https://kizuna.example.test/console"
        assert (
            "https://kizuna.example.test/v2/bot/info"
            in next(tmp_path.glob("data/serve-*.log")).read_text()
        )
    finally:
        stop(process)


def test_serve_with_two_workers_on_postgres_and_redis(tmp_path: Path) -> None:
    svc.require("redis")
    port = free_port()
    with svc.temporary_postgres_database() as url:
        process, printed = serve(
            tmp_path,
            port,
            "--workers",
            "2",
            DATABASE_URL=url,
            REDIS_URL=svc.REDIS_URL,
            KIZUNA_QUEUE_NAME=f"kizuna:test:{port}",
        )
        try:
            with httpx.Client(
                headers={"Authorization": f"Bearer {printed['access token']}"}
            ) as client:
                replies = [client.get(f"http://127.0.0.1:{port}/v2/bot/info") for _ in range(20)]
            assert {reply.status_code for reply in replies} == {200}
            health = httpx.get(f"http://127.0.0.1:{port}/_kizuna/health").json()
            assert health["queue"] == "arq"
        finally:
            stop(process)


@pytest.mark.parametrize("command", [["migrate"], ["worker"]])
def test_other_commands(tmp_path: Path, command: list[str]) -> None:
    env = {**os.environ, "KIZUNA_DATA_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": ""}
    result = subprocess.run(
        [*KIZUNA, *command], env=env, capture_output=True, text=True, timeout=60
    )
    if command == ["migrate"]:
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "kizuna.db").exists()
    else:
        # Without Redis the worker has nothing to take jobs from, and says so.
        assert result.returncode == 2
        assert "REDIS_URL" in result.stdout


def test_seed_befriends_in_batches(tmp_path: Path) -> None:
    import asyncio

    from app.control.channels.service import ChannelService
    from app.kit.clock import Clock
    from app.kit.db import create_engine, create_session_maker, transaction
    from app.kit.ids import IdFactory
    from app.kit.migrate import run_migrations

    url = f"sqlite+aiosqlite:///{tmp_path / 'kizuna.db'}"
    run_migrations(url)

    async def make_channel() -> str:
        engine = create_engine(url)
        try:
            async with transaction(create_session_maker(engine)) as session:
                created = await ChannelService(session, Clock(), IdFactory()).create("Seeded")
                return created.channel.channel_id
        finally:
            await engine.dispose()

    async def count_friends() -> int:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                result = await connection.exec_driver_sql("SELECT count(*) FROM friendships")
                return int(result.scalar_one())
        finally:
            await engine.dispose()

    channel_id = asyncio.run(make_channel())
    env = {**os.environ, "KIZUNA_DATA_DIR": str(tmp_path), "DATABASE_URL": "", "COLUMNS": "120"}
    command = [*KIZUNA, "seed", "--channel", channel_id, "--count", "1200", "--batch", "500"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"1200 friends of {channel_id} created" in result.stdout
    assert asyncio.run(count_friends()) == 1200

    unknown = [*KIZUNA, "seed", "--channel", "0000000000", "--count", "1"]
    result = subprocess.run(unknown, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Channel 0000000000 not found" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
