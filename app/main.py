from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

import app.tasks  # noqa: F401  (registers the jobs)
from app import __version__
from app.api.message.fastroute import FastPushRoute
from app.api.router import authenticated, public
from app.config import Settings
from app.console import mount_console
from app.control.fastroute import FastUserMessageRoute
from app.control.router import router as control_router
from app.kit.admin import AdminGuard
from app.kit.http import LineHttpMiddleware, install_error_handlers, require_json_body
from app.kit.metrics import MetricsMiddleware
from app.kit.queue import InProcessQueue
from app.kit.services import Services

DESCRIPTION = """
Kizuna speaks the LINE Messaging API. Point an official LINE SDK at this server by changing
only its host. The `/_kizuna` control plane does what phones and the Official Account Manager
do on the real platform: create channels and users, follow, block, seed populations, reset.
"""


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """Build the ASGI app. Engines, queue and clients are made in the lifespan, not here.

    Pass `services` to share already running ones (tests, the pytest plugin).
    """
    settings = settings or (services.settings if services else Settings())
    settings.check_exposure()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        running = services or await Services.start(settings)
        app.state.services = running
        if owned and isinstance(running.queue, InProcessQueue):
            # What a worker does at start and by cron in the scaled mode.
            for name in ("reconcile_deliveries", "purge_dead_tokens", "manager_heartbeat"):
                await running.queue.enqueue(name)
        try:
            yield
        finally:
            if owned:
                await running.close()

    app = FastAPI(
        title="Kizuna",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(require_json_body)],
        # FastAPI's built-in OpenTelemetry hooks cost more per request than they give here.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_error_handlers(app)
    app.include_router(authenticated)
    app.include_router(public)
    app.include_router(control_router)
    mount_console(app)
    # Inside LineHttpMiddleware (request id, body limit), outside FastAPI's routing.
    app.add_middleware(FastPushRoute, state=app.state)
    app.add_middleware(FastUserMessageRoute, state=app.state)
    app.add_middleware(
        LineHttpMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_control_bytes=settings.max_upload_bytes,
    )
    # `/metrics` is answered there, outside the route table (not a LINE operation).
    app.add_middleware(MetricsMiddleware, state=app.state, access_log=settings.access_log)
    app.add_middleware(AdminGuard, token=settings.admin_token, exposed=settings.exposed)
    return app
