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
        names = ", ".join(f'"{table.name}"' for table in tables)
        await session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            await session.execute(table.delete())
    return [table.name for table in tables]


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))
