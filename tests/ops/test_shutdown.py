"""SIGTERM finishes what is in flight: `kizuna serve` (embedded) drains its in-process fan-out
before it exits; `kizuna worker` takes no new job and lets its running batches commit."""

import asyncio
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import redis

from tests.faults.private import private_redis
from tests.support import services as svc
from tests.support.control import Control
from tests.support.scaled import broadcast, progress, scaled_server, start_worker
from tests.test_cli import free_port, serve


def _batches(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        done, total = connection.execute(
            "SELECT coalesce(sum(done), 0), count(*) FROM delivery_batches"
        ).fetchone()
    return int(done), int(total)


def test_sigterm_to_serve_finishes_the_fan_out_in_flight(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    process, printed = serve(
        data, port, KIZUNA_BATCH_SPAN="15", KIZUNA_RATE_LIMITS="off", KIZUNA_ACCESS_LOG="true"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        control = Control(base)
        channels = control.http.get("/_kizuna/channels").json()
        demo = channels[0]["channelId"]
        control.http.post(f"/_kizuna/channels/{demo}/users/bulk", json={"count": 1500, "seed": 3})
        response = httpx.post(
            f"{base}/v2/bot/message/broadcast",
            headers={"Authorization": f"Bearer {printed['access token']}"},
            json={"messages": [{"type": "text", "text": "before the shutdown"}]},
        )
        assert response.status_code == 200
        control.close()
        done, total = _batches(data / "kizuna.db")
        process.send_signal(signal.SIGTERM)
        assert total == 100 and done < total, f"the fan-out ended before SIGTERM ({done})"
        # A graceful shutdown is a normal exit, not a death by the signal uvicorn re-raises.
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert _batches(data / "kizuna.db") == (100, 100)
    # Its log is JSON lines (after the demo channel's banner), the request id on each line of
    # a request.
    lines = "".join(path.read_text() for path in data.glob("serve-*.log")).splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(entries) >= 5 and len(entries) == len([ln for ln in lines if "level" in ln])
    access = [e for e in entries if e["logger"] == "kizuna.access"]
    broadcast = [e for e in access if e["route"] == "/v2/bot/message/broadcast"]
    assert [e["requestId"] for e in broadcast] == [response.headers["x-line-request-id"]]
    assert all(e["requestId"] for e in access)
    assert any("shutdown" in e["message"].lower() for e in entries)
    with sqlite3.connect(data / "kizuna.db") as connection:
        copies = connection.execute(
            "SELECT count(*), count(DISTINCT user_pk) FROM fanout_deliveries"
        )
        assert copies.fetchone() == (1500, 1500)


def test_sigterm_to_a_worker_lets_its_running_batch_commit(tmp_path: Path) -> None:
    with (
        private_redis() as private,
        svc.temporary_postgres_database() as url,
        scaled_server(url, private.url, 4000) as (server, env),
    ):
        log = tmp_path / "worker.log"
        client = redis.Redis.from_url(private.url)
        worker: subprocess.Popen[bytes] | None = None
        try:
            control = Control(server.base_url)
            channel = control.channel("Shutdown")
            control.bulk(channel, 20_000, seed=4)
            worker = start_worker(env, log)
            broadcast(server, channel.access_token, "graceful")
            deadline = time.monotonic() + 60
            while not client.keys("arq:in-progress:*") and time.monotonic() < deadline:
                time.sleep(0.002)
            worker.send_signal(signal.SIGTERM)
            running = client.keys("arq:in-progress:*")
            assert worker.wait(timeout=60) == 0
            done, total, copies = asyncio.run(progress(url))
            assert running and total == 5
            # The batch running at SIGTERM committed; no new one was started after it.
            assert 1 <= done < total, (done, log.read_text()[-2000:])
            assert "0 ongoing to cancel" in log.read_text()
            assert sum(copies.values()) == done * 4000
            # The rest is still queued for the next worker, which also serves its metrics.
            metrics_port = free_port()
            worker = start_worker({**env, "KIZUNA_WORKER_METRICS_PORT": str(metrics_port)}, log)
            control.wait_for_jobs()
            finished, total, copies = asyncio.run(progress(url))
            assert finished == total and len(copies) == 20_000 and set(copies.values()) == {1}
            scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
            counted = (
                f'kizuna_fanout_deliveries_total{{kind="broadcast"}} {(total - done) * 4000}.0'
            )
            assert counted in scraped
            control.close()
        finally:
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
            client.close()
