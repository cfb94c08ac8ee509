"""Kizuna served over real HTTP from a background thread, for the official SDKs to call."""

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.kit.services import Services
from app.main import create_app

UNRECORDED_PREFIXES = ("/_kizuna", "/docs", "/openapi.json", "/redoc")


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


class LiveServer:
    def __init__(self, database_url: str, **environment: Any) -> None:
        self.settings = Settings(
            DATABASE_URL=database_url,
            KIZUNA_DEMO_CHANNEL=False,
            KIZUNA_LOG_LEVEL="warning",
            **environment,
        )
        self.app = create_app(self.settings)
        self.recorder = ResponseRecorder(self.app)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.recorder,
                host="127.0.0.1",
                port=0,
                lifespan="on",
                log_level="warning",
                access_log=False,
            )
        )
        self._thread = threading.Thread(target=self._server.run, name="kizuna-live", daemon=True)
        self.base_url = ""

    def start(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Kizuna test server did not start")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
