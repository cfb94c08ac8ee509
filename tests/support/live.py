"""Kizuna served over real HTTP from a background thread, for the official SDKs to call."""

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.kit.services import Services
from app.main import create_app
from app.testing.server import ThreadedServer

UNRECORDED_PREFIXES = ("/_kizuna", "/docs", "/openapi.json", "/redoc", "/metrics")


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    body: Any


@dataclass
class ResponseRecorder:
    """Keeps every LINE-route response so tests can check them against the official spec."""

    app: ASGIApp
    exchanges: list[Exchange] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(UNRECORDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = 0
        chunks: list[bytes] = []
        content_type = ""

        async def recording_send(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = dict(message.get("headers", []))
                content_type = headers.get(b"content-type", b"").decode()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, recording_send)
        raw = b"".join(chunks)
        body: Any = None
        if raw and "json" in content_type:
            body = json.loads(raw)
        self.exchanges.append(Exchange(scope["method"], path, status, body))


class LiveServer(ThreadedServer):
    """Kizuna on its own database, every LINE-route response recorded."""

    def __init__(self, database_url: str, **environment: Any) -> None:
        self.settings = Settings(
            DATABASE_URL=database_url,
            KIZUNA_DEMO_CHANNEL=False,
            KIZUNA_LOG_LEVEL="warning",
            **environment,
        )
        self.kizuna = create_app(self.settings)
        self.recorder = ResponseRecorder(self.kizuna)
        super().__init__(self.recorder, name="kizuna-live")

    def start(self, timeout: float = 30) -> "LiveServer":
        super().start(timeout)
        return self

    @property
    def services(self) -> Services:
        services: Services = self.kizuna.state.services
        return services
