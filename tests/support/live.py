"""Kizuna served over real HTTP from a background thread, for the official SDKs to call."""

from typing import Any

import app.main
from app.config import Settings
from app.kit.services import Services
from app.testing.server import ThreadedServer


class LiveServer(ThreadedServer):
    """Kizuna on its own database; its LINE-route responses are checked against the spec by
    the conformance plugin (`tests/support/spec.py`), like those of every app the suite builds."""

    def __init__(self, database_url: str, **environment: Any) -> None:
        self.settings = Settings(
            DATABASE_URL=database_url,
            KIZUNA_DEMO_CHANNEL=False,
            KIZUNA_LOG_LEVEL="warning",
            **environment,
        )
        # Looked up at call time: the conformance plugin wraps `create_app`.
        self.kizuna = app.main.create_app(self.settings)
        super().__init__(self.kizuna, name="kizuna-live")

    def start(self, timeout: float = 30) -> "LiveServer":
        super().start(timeout)
        return self

    @property
    def services(self) -> Services:
        services: Services = self.kizuna.state.services
        return services
