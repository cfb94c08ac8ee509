"""A bot under test: a real HTTP server that parses Kizuna's webhooks with the official SDK."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from linebot.v3.webhook import WebhookParser


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    events: list[Any]


@dataclass
class BotServer:
    """Answers `status` to every POST; each request is parsed (and its signature verified) by
    `WebhookParser`, then handed to `on_event`. A request that fails to parse answers 400."""

    channel_secret: str
    status: int = 200
    on_event: Callable[[Any], None] | None = None
    received: list[Received] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        bot = self
        parser = WebhookParser(self.channel_secret)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signature = self.headers.get("X-Line-Signature", "")
                try:
                    events = parser.parse(body.decode(), signature)
                except Exception as exc:  # the test reads why
                    bot.errors.append(f"{type(exc).__name__}: {exc}")
                    self.send_response(400)
                    self.end_headers()
                    return
                bot.received.append(Received(dict(self.headers), body, list(events)))
                if bot.status == 200 and bot.on_event is not None:
                    for event in events:
                        bot.on_event(event)
                self.send_response(bot.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if bot.status == 200 else b"bot failure")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/callback"

    def start(self) -> "BotServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which must be running
            self._server.shutdown()
        self._server.server_close()

    @property
    def events(self) -> list[Any]:
        return [event for request in self.received for event in request.events]
