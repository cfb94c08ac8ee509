from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kit.db import create_engine, create_session_maker
from app.kit.migrate import run_migrations
from tests.support import services as svc
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database; every test that touches one runs on SQLite and on Postgres."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "kizuna.db"
        url = f"sqlite+aiosqlite:///{path}"
        run_migrations(url)
        yield url
        return
    with svc.temporary_postgres_database() as url:
        run_migrations(url)
        yield url


@pytest.fixture(scope="session")
def server(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(database_url).start()
    yield live
    live.stop()


@pytest.fixture
def control(server: LiveServer) -> Iterator[Control]:
    """The control plane of a freshly reset server. (Every LINE response of the suite is checked
    against the official spec by the conformance plugin, `tests/conformance/plugin.py`.)"""
    client = Control(server.base_url)
    client.reset()
    server.services.clock.reset()
    yield client
    client.close()


@pytest.fixture
def channel(control: Control) -> ChannelInfo:
    return control.channel()


@pytest.fixture
def bot(channel: ChannelInfo, control: Control) -> Iterator[BotServer]:
    """A bot built on the official SDK's parser, serving over HTTP as the channel's webhook."""
    server = BotServer(channel.channel_secret).start()
    control.webhook(channel, url=server.url)
    yield server
    server.stop()


@pytest_asyncio.fixture
async def session_maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Direct access to the same database, for checking what the server stored."""
    engine = create_engine(database_url)
    yield create_session_maker(engine)
    await engine.dispose()
