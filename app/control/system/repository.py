from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Base

# A billing plan is the account's setting, like its quota (which lives on the channel row).
CHANNEL_TABLES = frozenset(
    {"channels", "access_tokens", "assertion_keys", "plan_changes", "billing_plans"}
)


async def wipe(session: AsyncSession, *, keep_channels: bool) -> list[str]:
    """Delete every row Kizuna holds (but the channels and their keys, if asked)."""
    tables = [
        table
        for table in reversed(Base.metadata.sorted_tables)
        if not (keep_channels and table.name in CHANNEL_TABLES)
    ]
    if session.get_bind().dialect.name == "postgresql":
        await _wipe_postgres(session, [table.name for table in tables])
    else:
        for table in tables:
            await session.execute(table.delete())
    return [table.name for table in tables]


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


# Past this many rows in a table, one TRUNCATE beats deleting row by row.
TRUNCATE_FROM_ROWS = 10_000


async def _wipe_postgres(session: AsyncSession, names: list[str]) -> None:
    """TRUNCATE swaps the files of every table it touches and, through the channels every table
    refers to, of all of them: a quarter of a second even when they hold a handful of rows (a
    suite resets before each test). So the tables holding rows are emptied with DELETE, children
    first, and their ids restarted, unless one is big enough that TRUNCATE is the cheaper."""
    # Locked first, so nothing fills a table between the look and the wipe.
    listed = ", ".join(f'"{name}"' for name in names)
    await session.execute(text(f"LOCK TABLE {listed} IN ACCESS EXCLUSIVE MODE"))
    probes = " UNION ALL ".join(
        f"SELECT '{name}', (SELECT count(*) FROM (SELECT 1 FROM \"{name}\" LIMIT "
        f'{TRUNCATE_FROM_ROWS}) AS rows_held) WHERE EXISTS (SELECT 1 FROM "{name}")'
        for name in names
    )
    held: dict[str, int] = {name: rows for name, rows in await session.execute(text(probes))}
    if any(rows >= TRUNCATE_FROM_ROWS for rows in held.values()):
        await session.execute(text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
        return
    for name in names:  # children before the tables they refer to
        if name in held:
            await session.execute(text(f'DELETE FROM "{name}"'))
    await session.execute(_RESTART_SEQUENCES.bindparams(names=names))


# Every identity or serial sequence of these tables that has handed out a value starts over.
_RESTART_SEQUENCES = text(
    """
    SELECT setval(q.oid, s.start_value, false)
    FROM pg_sequences s
    JOIN pg_namespace n ON n.nspname = s.schemaname
    JOIN pg_class q ON q.relname = s.sequencename AND q.relnamespace = n.oid
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = q.oid
        AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    WHERE s.last_value IS NOT NULL AND t.relname = ANY(:names)
    """
)
