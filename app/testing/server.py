"""An ASGI app served over real HTTP from a background thread: Kizuna itself for tests, or a
bot under test."""

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvicorn
from starlette.types import ASGIApp

T = TypeVar("T")


class ThreadedServer:
    """uvicorn on a free loopback port, in a daemon thread with its own event loop, so a test's
    own loop (or a synchronous test) can call it and be called back by it."""

    def __init__(self, app: ASGIApp, *, name: str = "asgi") -> None:
        self.app = app
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=0,
                lifespan="on",
                log_level="warning",
                access_log=False,
            )
        )
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.base_url = ""

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self._server.serve()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """Runs a coroutine on the server's own loop (where the app's tasks live)."""
        assert self.loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout)

    def start(self, timeout: float = 30) -> "ThreadedServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self._thread.name} did not start")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def stop(self, timeout: float = 30) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=timeout)

    def __enter__(self) -> "ThreadedServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
