"""The alembic revisions are the schema: they match the models and run both ways."""

import asyncio
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from app.kit.db import create_engine
from app.kit.migrate import alembic_config, run_migrations
from app.models import Base
from tests.support import services as svc


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    with svc.temporary_postgres_database() as url:
        yield url


def _differences(url: str) -> list[object]:
    async def compare() -> list[object]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:

                def diff(sync: Connection) -> list[object]:
                    context = MigrationContext.configure(sync, opts={"render_as_batch": True})
                    return list(compare_metadata(context, Base.metadata))

                return await connection.run_sync(diff)
        finally:
            await engine.dispose()

    return asyncio.run(compare())


def test_revisions_match_the_models_and_run_both_ways(empty_database: str) -> None:
    run_migrations(empty_database)
    assert _differences(empty_database) == []
    command.downgrade(alembic_config(empty_database), "base")
    run_migrations(empty_database)
    assert _differences(empty_database) == []
