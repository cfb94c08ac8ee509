"""Prometheus metrics, served at `/metrics` in the text exposition format.

One registry per process. With `kizuna serve --workers N` each process counts its own requests
and a scrape reaches whichever process accepts it: counters are per process, not summed
(prometheus-client's multiprocess mode is not used). Queue depths are read from the database
at scrape time, so they are the same whichever process answers.
"""

import logging
import re
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
)
from prometheus_client import generate_latest as _generate
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.services import Services
from app.models import DeliveryBatch, EventState, WebhookEvent

access = logging.getLogger("kizuna.access")
REGISTRY = CollectorRegistry()
METRICS_PATH = "/metrics"

REQUESTS = Counter(
    "kizuna_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "kizuna_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
PENDING_BATCHES = Gauge(
    "kizuna_delivery_batches_pending",
    "Fan-out batches planned and not yet delivered (multicast, broadcast, narrowcast).",
    registry=REGISTRY,
)
PENDING_EVENTS = Gauge(
    "kizuna_webhook_events_pending",
    "Webhook events waiting to be sent or in flight (redeliveries waiting included).",
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "kizuna_fanout_deliveries",
    "Messages delivered to users by fan-out batches, by kind of send.",
    ["kind"],
    registry=REGISTRY,
)
WEBHOOK_ATTEMPTS = Counter(
    "kizuna_webhook_attempts",
    "Signed webhook requests sent to bots, by outcome (ok or the failure reason).",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_SECONDS = Histogram(
    "kizuna_webhook_latency_seconds",
    "Time from sending a webhook request to the bot's answer (or the failure).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
    registry=REGISTRY,
)

# Routes answered ahead of FastAPI's routing have no route object; their templates by path.
FAST_ROUTES = (
    (re.compile(r"/v2/bot/message/push"), "/v2/bot/message/push"),
    (
        re.compile(r"/_kizuna/channels/[^/]+/users/[^/]+/messages"),
        "/_kizuna/channels/{channelId}/users/{userId}/messages",
    ),
)
UNMATCHED = "unmatched"  # every unknown path shares one label: no label per path scanned


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    for pattern, template in FAST_ROUTES:
        if pattern.fullmatch(scope.get("path", "")):
            return template
    return UNMATCHED


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (outside the error and body
    layers, so the 413s, 500s and 503s they answer are counted too), and answers `/metrics`."""

    def __init__(self, app: ASGIApp, *, state: Any, access_log: bool = False) -> None:
        self.app = app
        self.state = state  # the FastAPI app's state, where the lifespan puts the services
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH and scope["method"] == "GET":
            body = await exposition(self.state.services)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", CONTENT_TYPE_LATEST.encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        started = time.perf_counter()
        status = 500

        async def observing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            method, route = scope["method"], route_template(scope)
            seconds = time.perf_counter() - started
            REQUESTS.labels(method, route, str(status)).inc()
            REQUEST_SECONDS.labels(method, route).observe(seconds)
            if self.access_log:
                # The path, never the query string nor a header: no token reaches the log.
                access.info(
                    "%s %s %d",
                    method,
                    scope["path"],
                    status,
                    extra={"route": route, "status": status, "ms": round(seconds * 1000, 2)},
                )


def observe_webhook(reason: str | None, latency_ms: int) -> None:
    WEBHOOK_ATTEMPTS.labels(reason or "ok").inc()
    WEBHOOK_SECONDS.observe(latency_ms / 1000)


def observe_deliveries(kind: str, count: int) -> None:
    DELIVERIES.labels(kind).inc(count)


def serve_worker_metrics(port: int) -> None:
    """A worker's counters (the fan-outs and webhooks it ran) over HTTP on loopback: workers
    serve nothing else, and this endpoint has no admin token to check."""
    start_http_server(port, addr="127.0.0.1", registry=REGISTRY)


async def exposition(services: Services) -> bytes:
    """The metrics as Prometheus scrapes them, queue depths read now."""
    async with services.session_maker() as session:
        batches = await session.scalar(
            select(func.count()).select_from(DeliveryBatch).where(DeliveryBatch.done.is_(False))
        )
        events = await session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.state.in_([EventState.PENDING, EventState.SENDING]))
        )
    PENDING_BATCHES.set(batches or 0)
    PENDING_EVENTS.set(events or 0)
    return _generate(REGISTRY)
