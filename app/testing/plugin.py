"""The pytest plugin (entry point `pytest11`): Kizuna for a bot's tests, and users to drive it.

    async def test_greeting(kizuna, channel):
        await channel.set_webhook(kizuna.serve(my_bot_app))
        alice = await kizuna.user("Alice", gender="female")
        await alice.follow(channel)
        assert (await alice.receives()).text == "Welcome!"

Kizuna runs in-process on SQLite (or on `KIZUNA_TEST_DATABASE_URL`), or is the server at
`KIZUNA_URL`. Every test starts from an empty Kizuna with the same seeded id sequence.
"""

import asyncio
import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from app.testing.actors import Channel, Kizuna, User

SEED = 20260101


class _Served:
    """What the session started, stopped at its end."""

    def __init__(self) -> None:
        self.stoppers: list[Any] = []


@pytest.fixture(scope="session")
def kizuna_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the Kizuna the tests use."""
    external = os.environ.get("KIZUNA_URL")
    if external:
        yield external.rstrip("/")
        return
    from app.config import Settings
    from app.kit.migrate import run_migrations
    from app.main import create_app
    from app.testing.server import ThreadedServer

    database_url = os.environ.get("KIZUNA_TEST_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('kizuna') / 'kizuna.db'}"
    )
    run_migrations(database_url)
    settings = Settings(
        DATABASE_URL=database_url,
        KIZUNA_DEMO_CHANNEL=False,
        KIZUNA_LOG_LEVEL="warning",
        KIZUNA_SEED=SEED,
        # Served on loopback for this process's tests: the control plane needs no admin token.
        KIZUNA_HOST="127.0.0.1",
        KIZUNA_CONTROL_EXPOSED=False,
    )
    server = ThreadedServer(create_app(settings), name="kizuna").start()
    yield server.base_url
    server.stop()


class TestKizuna(Kizuna):
    """Kizuna plus the bots a test serves next to it."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self._servers: list[Any] = []

    def serve(self, app: Any) -> str:
        """Serves an ASGI app (a bot under test) on a loopback port for the rest of the test;
        answers its base URL (append the webhook path)."""
        from app.testing.server import ThreadedServer

        server = ThreadedServer(app, name="bot-under-test").start()
        self._servers.append(server)
        return server.base_url

    def close(self) -> None:
        for server in self._servers:
            server.stop()
        super().close()


# Every test starts at this instant on Kizuna's clock (which then runs): dates and days in a
# test's figures do not depend on when it runs.
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=9)))


@pytest.fixture
def kizuna(kizuna_url: str) -> Iterator[TestKizuna]:
    """A fresh Kizuna for this test: no channels, no users, the id sequence restarted, the
    clock at `START` (Monday 5 January 2026, 09:00 Japan time)."""
    client = TestKizuna(kizuna_url)
    client.call_sync("POST", "/_kizuna/reset")
    client.call_sync("PUT", "/_kizuna/clock", json={"now": START.isoformat()})
    yield client
    client.close()


@pytest.fixture
def channel(kizuna: TestKizuna) -> Channel:
    """A channel with no webhook yet (`await channel.set_webhook(url)`)."""
    return asyncio.run(kizuna.channel())


@pytest.fixture
def user(kizuna: TestKizuna, channel: Channel) -> User:
    """Alice, a user who has not followed the channel yet (so the test sees the follow)."""
    alice = asyncio.run(kizuna.user("Alice"))
    alice.chat = channel
    return alice
