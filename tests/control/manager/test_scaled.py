"""Scaled mode: an arq worker runs the manager's scheduled work (its cron, or the job with the
time the server decided)."""

import uuid
from datetime import datetime, timedelta

import pytest
from arq.worker import Worker

from app.config import Settings
from app.kit.services import Services
from app.worker import worker_settings
from tests.control.manager.helpers import call, text, texts
from tests.support import services as svc
from tests.support.control import Control
from tests.support.live import LiveServer


@pytest.mark.asyncio
async def test_an_arq_worker_sends_a_due_scheduled_send(database_url: str) -> None:
    svc.require("redis")
    queue = f"kizuna:test:{uuid.uuid4().hex}"
    settings = Settings(DATABASE_URL=database_url, REDIS_URL=svc.REDIS_URL, KIZUNA_QUEUE_NAME=queue)
    options = worker_settings(settings)
    assert "cron:run_manager_schedule" in {job.name for job in options.pop("cron_jobs")}
    server = LiveServer(database_url, REDIS_URL=svc.REDIS_URL, KIZUNA_QUEUE_NAME=queue).start()
    control = Control(server.base_url)
    try:
        control.reset()
        channel = control.channel()
        alice = control.user("Alice")
        control.follow(channel, alice)
        now = datetime.fromisoformat(control.http.get("/_kizuna/clock").json()["now"])
        send = call(
            control,
            "POST",
            channel,
            "sends",
            201,
            json={
                "messages": [text("Tonight")],
                "scheduledAt": (now + timedelta(hours=1)).isoformat(),
            },
        )
        services = await Services.start(settings)
        try:
            due = (now + timedelta(hours=2)).isoformat()
            await services.queue.enqueue("run_manager_schedule", now=due)
            worker = Worker(**options, burst=True)
            try:
                await worker.main()  # the run, then the broadcast's batch it enqueued
            finally:
                await worker.close()
            assert worker.jobs_failed == 0
        finally:
            await services.close()
        assert call(control, "GET", channel, f"sends/{send['sendId']}")["status"] == "sent"
        assert texts(control, channel, alice) == [("broadcast", "Tonight")]
    finally:
        control.close()
        server.stop()
