"""Seeding N befriended users (default 1,000,000) on Postgres, against a raw insert baseline.

    python bench/seed.py [--count 1000000] [--sqlite]

Prints the time `UserService.seed_friends` takes (users, friendships and follow events, with
every index) and, measured in the same run on the same server, the time of a raw
`INSERT ... SELECT generate_series` of the same number of rows into three bare tables. Only
loopback services are used; the databases it creates are dropped at the end.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy import text

from app.control.channels.service import ChannelService
from app.control.users.service import UserService
from app.kit.clock import Clock
from app.kit.db import create_engine, create_session_maker, transaction
from app.kit.ids import IdFactory
from app.kit.migrate import run_migrations

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def seed_once(url: str, count: int) -> float:
    engine = create_engine(url)
    clock, ids = Clock(), IdFactory()
    try:
        async with transaction(create_session_maker(engine)) as session:
            channel = (await ChannelService(session, clock, ids).create("Bench")).channel
        started = time.perf_counter()
        async with transaction(create_session_maker(engine)) as session:
            await UserService(session, clock, ids).seed_friends(channel, count, seed=1)
        return time.perf_counter() - started
    finally:
        await engine.dispose()


async def baseline_once(url: str, count: int) -> float:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for table in ("raw_a", "raw_b", "raw_c"):
                await conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
                await conn.execute(text(f"CREATE TABLE {table} (id bigint, v text, t timestamptz)"))
        started = time.perf_counter()
        async with engine.begin() as conn:
            for table in ("raw_a", "raw_b", "raw_c"):
                await conn.execute(
                    text(
                        f"INSERT INTO {table} SELECT g, 'U' || md5(g::text), now() "
                        "FROM generate_series(1, :n) g"
                    ),
                    {"n": count},
                )
        return time.perf_counter() - started
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="seed an SQLite file instead")
    args = parser.parse_args()
    seeds, baselines = [], []
    for _ in range(args.rounds):
        if args.sqlite:
            folder = Path(tempfile.mkdtemp())
            url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
            await asyncio.to_thread(run_migrations, url)
            seeds.append(await seed_once(url, args.count))
            continue
        name = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
        await admin(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        try:
            await asyncio.to_thread(run_migrations, url)
            baselines.append(await baseline_once(url, args.count))
            seeds.append(await seed_once(url, args.count))
        finally:
            await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    seed = statistics.median(seeds)
    print(
        f"seed {args.count:,} befriended users: median {seed:.2f} s over {len(seeds)} rounds "
        f"({[round(s, 2) for s in seeds]}), {args.count / seed:,.0f} users/s"
    )
    if baselines:
        base = statistics.median(baselines)
        print(
            f"baseline raw INSERT..SELECT of 3 x {args.count:,} bare rows: median {base:.2f} s "
            f"({[round(b, 2) for b in baselines]})"
        )
        print(f"ratio seed / baseline: {seed / base:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
