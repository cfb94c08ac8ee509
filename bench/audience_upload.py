"""A file audience of 1,500,000 user IDs, uploaded to Kizuna on Postgres, against a raw COPY.

    python bench/audience_upload.py [--ids 1500000] [--timeout 120]

One Kizuna server process on loopback and a fresh database. The file (one id per line, 51 MB)
is written to /tmp and streamed to `POST /v2/bot/audienceGroup/upload/byFile` as multipart;
the time is until the 202, when every id is in the database. The server's peak memory
(VmHWM) shows the file was never held whole. The baseline, in the same run and database, is
asyncpg's COPY of the same ids, read from the same file, into a table of the same shape and
index: what loading them costs with no HTTP, parsing, checking or deduplication at all.
"""

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
from benchkit import free_port, kizuna, peak_rss_mb, stop, wait_up

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
MAX_IDS = 1_500_000


def write_ids(path: Path, count: int) -> None:
    draw = random.Random(7)
    with path.open("w") as out:
        for start in range(0, count, 100_000):
            rows = min(100_000, count - start)
            out.write("".join(f"U{draw.getrandbits(128):032x}\n" for _ in range(rows)))


async def file_rows(path: Path) -> AsyncIterator[tuple[int, str]]:
    with path.open() as lines:
        for line in lines:
            yield (1, line.rstrip("\n"))


async def baseline(database: str, path: Path) -> float:
    connection = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        await connection.execute(
            "CREATE TABLE baseline_members (audience_pk bigint NOT NULL, "
            "member_id varchar(64) NOT NULL)"
        )
        await connection.execute(
            "CREATE INDEX baseline_members_audience ON baseline_members USING brin (audience_pk)"
        )
        started = time.perf_counter()
        await connection.copy_records_to_table(
            "baseline_members", records=file_rows(path), columns=["audience_pk", "member_id"]
        )
        return time.perf_counter() - started
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ids", type=int, default=MAX_IDS)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    count = max(1, min(args.ids, MAX_IDS))
    database = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    port = free_port()
    env: dict[str, str | None] = {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "KIZUNA_RATE_LIMITS": "off",
        "KIZUNA_DEMO_CHANNEL": "false",
        "KIZUNA_LOG_LEVEL": "warning",
        "REDIS_URL": None,
    }
    server = kizuna(["serve", "--port", str(port), "--workers", "1"], env)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "ids.txt"
        try:
            write_ids(path, count)
            base = f"http://127.0.0.1:{port}"
            wait_up(f"{base}/_kizuna/health")
            channel = httpx.post(f"{base}/_kizuna/channels", json={"name": "Bench"}).json()
            headers = {"Authorization": f"Bearer {channel['accessToken']}"}
            idle_mb = peak_rss_mb(server.pid)
            with path.open("rb") as ids:
                started = time.perf_counter()
                response = httpx.post(
                    f"{base}/v2/bot/audienceGroup/upload/byFile",
                    headers=headers,
                    data={"description": "Bench audience", "uploadDescription": "ids.txt"},
                    files={"file": ("ids.txt", ids, "text/plain")},
                    timeout=args.timeout,
                )
                took = time.perf_counter() - started
            assert response.status_code == 202, response.text
            group_id = response.json()["audienceGroupId"]
            shown = httpx.get(f"{base}/v2/bot/audienceGroup/{group_id}", headers=headers).json()
            assert shown["audienceGroup"]["audienceCount"] == count, shown
            peak_mb = peak_rss_mb(server.pid)
            raw = await baseline(database, path)
            size_mb = path.stat().st_size / 1024 / 1024
            print(
                f"Kizuna upload by file: {count:,} ids ({size_mb:.0f} MB) in {took:.2f} s "
                f"({count / took:,.0f} ids/s), audienceCount {count:,}"
            )
            print(f"server peak memory: {peak_mb:.0f} MB (idle {idle_mb:.0f} MB)")
            print(f"baseline raw COPY of the same ids: {raw:.2f} s ({count / raw:,.0f} ids/s)")
            print(f"ratio Kizuna / raw COPY: {took / raw:.2f}")
        finally:
            stop(server)
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
