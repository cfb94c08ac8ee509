"""The arq worker behind `kizuna worker` (the scaled mode)."""

from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import func

from app.config import Settings
from app.kit.metrics import serve_worker_metrics
from app.kit.queue import ArqQueue
from app.kit.services import Services
from app.tasks import JOBS
from app.webhook.dispatch import dispatcher


async def on_shutdown(ctx: dict[str, Any]) -> None:
    services: Services | None = ctx.get("services")
    if services is not None:
        await services.close()


def worker_settings(settings: Settings) -> dict[str, Any]:
    """Options for `arq.worker.Worker` / `run_worker`: every registered job, on Kizuna's queue."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: the embedded mode runs jobs in the server")

    async def on_startup(ctx: dict[str, Any]) -> None:
        if settings.worker_metrics_port is not None:
            serve_worker_metrics(settings.worker_metrics_port)
        services = await Services.start(settings, use_arq=True)
        ctx.update(services.job_context())
        if isinstance(services.queue, ArqQueue):
            services.queue.listen(services.job_context())
        if services.fast_lane is not None:
            # Sweeps at once (what a dead worker left), then every few seconds.
            dispatcher(services).start()
        # Whatever a crashed worker left half done is picked up at once, not after a timeout.
        await services.queue.enqueue("reconcile_deliveries")

    return {
        "queue_name": settings.queue_name,
        "functions": [func(function, name=name) for name, function in JOBS.items()],
        "cron_jobs": [
            cron(JOBS["purge_dead_tokens"], minute=17),
            cron(JOBS["reconcile_deliveries"], second=settings.reconcile_at),
            # Step messages and scheduled sends due on the worker's clock.
            cron(JOBS["run_manager_schedule"], second=set(range(0, 60, 10))),
        ],
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "max_jobs": settings.worker_max_jobs,
        # arq's default half-second poll would leave a fan-out's batches waiting in the queue.
        "poll_delay": 0.01,
        "handle_signals": True,
        # SIGTERM: take no new job, let the running batches commit, then stop.
        "job_completion_wait": settings.shutdown_seconds,
    }
