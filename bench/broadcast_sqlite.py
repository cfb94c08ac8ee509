"""Broadcast to N followers (default 100,000) on SQLite, the embedded default.

    python bench/broadcast_sqlite.py [--followers 100000] [--rounds 3]

One `kizuna serve` process on a fresh data folder, no Redis: the server runs the fan-out jobs
itself. Per round: a raw `INSERT ... SELECT` of the same delivery rows into the same file (the
baseline, measured in the same run and then removed), then a real broadcast timed from the
request until every batch is delivered. Prints both, their ratio and the server's peak memory.
"""

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from benchkit import describe, free_port, kizuna, peak_rss_mb, stop, wait_up


def query(database: Path, statement: str, *args: object) -> object:
    with sqlite3.connect(database, timeout=60) as connection:
        row = connection.execute(statement, args).fetchone()
        return None if row is None else row[0]


def wait_delivered(database: Path, request_id: str, timeout: float = 300) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        phase = query(
            database, "SELECT phase FROM message_requests WHERE request_id = ?", request_id
        )
        if phase == "succeeded":
            return time.perf_counter()
        time.sleep(0.01)
    raise TimeoutError("the broadcast did not finish")


# Past every real request, as a new broadcast's key is: the baseline writes at the index's end.
BASELINE_KEY = 2**62


def baseline(database: Path, channel_pk: int) -> float:
    connection = sqlite3.connect(database, timeout=60)
    try:
        started = time.perf_counter()
        with connection:
            connection.execute(
                "INSERT INTO fanout_deliveries (request_pk, user_pk, delivered_at) "
                "SELECT ?, user_pk, datetime('now') "
                "FROM friendships WHERE channel_pk = ? AND status = 'following'",
                (BASELINE_KEY, channel_pk),
            )
        elapsed = time.perf_counter() - started
        with connection:
            connection.execute(
                "DELETE FROM fanout_deliveries WHERE request_pk = ?", (BASELINE_KEY,)
            )
        return elapsed
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kizuna-bench-") as folder:
        database = Path(folder) / "kizuna.db"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = kizuna(
            ["serve", "--port", str(port)],
            {
                "KIZUNA_DATA_DIR": folder,
                "DATABASE_URL": None,
                "REDIS_URL": None,
                "KIZUNA_RATE_LIMITS": "off",
                "KIZUNA_DEMO_CHANNEL": "false",
                "KIZUNA_LOG_LEVEL": "warning",
            },
        )
        try:
            wait_up(f"{base}/_kizuna/health")
            channel = httpx.post(f"{base}/_kizuna/channels", json={"name": "Bench"}).json()
            headers = {"Authorization": f"Bearer {channel['accessToken']}"}
            started = time.perf_counter()
            httpx.post(
                f"{base}/_kizuna/channels/{channel['channelId']}/users/bulk",
                json={"count": args.followers, "seed": 1},
                timeout=600,
            ).raise_for_status()
            print(f"seeded {args.followers:,} followers in {time.perf_counter() - started:.1f} s")
            channel_pk = int(str(query(database, "SELECT id FROM channels")))
            body = {"messages": [{"type": "text", "text": "Hello, friends"}]}

            def broadcast() -> str:
                response = httpx.post(
                    f"{base}/v2/bot/message/broadcast", headers=headers, json=body, timeout=60
                )
                response.raise_for_status()
                return response.headers["x-line-request-id"]

            # A warm-up broadcast; the baseline's rows carry a request key that no request has.
            wait_delivered(database, broadcast())
            base_times, kizuna_times = [], []
            for _ in range(args.rounds):
                base_times.append(baseline(database, channel_pk))
                started = time.perf_counter()
                kizuna_times.append(wait_delivered(database, broadcast()) - started)
            rows = args.followers
            print(describe(f"raw INSERT..SELECT of {rows:,} deliveries", rows, base_times))
            print(describe(f"broadcast to {rows:,} followers (SQLite)", rows, kizuna_times))
            ratio = statistics.median(base_times) / statistics.median(kizuna_times)
            print(f"ratio of rates (broadcast / raw insert): {ratio:.2f}")
            print(f"server peak memory: {peak_rss_mb(server.pid):.0f} MB")
        finally:
            stop(server)


if __name__ == "__main__":
    main()
