"""A bot that does not answer in time: the attempt is logged as REQUEST_TIMEOUT and, with
redelivery on, the same events come again (same webhookEventId, isRedelivery) once the bot is
quick again. Refused connections and 500s are in tests/webhook/test_events.py."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

TIMEOUT = 0.3


class SlowBot:
    def __init__(self) -> None:
        self.delay = 1.0
        self.bodies: list[dict[str, Any]] = []
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(bot.delay)
                bot.bodies.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_bot(server: LiveServer) -> Iterator[SlowBot]:
    settings = server.services.settings
    saved = settings.webhook_timeout_seconds
    settings.webhook_timeout_seconds = TIMEOUT
    bot = SlowBot()
    yield bot
    bot.stop()
    settings.webhook_timeout_seconds = saved


def test_a_bot_too_slow_to_answer_gets_its_events_again(
    control: Control, channel: ChannelInfo, slow_bot: SlowBot
) -> None:
    control.webhook(channel, url=slow_bot.url, redelivery=True)
    alice = control.user("Alice")
    control.follow(channel, alice)
    said = control.say(channel, alice, {"type": "text", "text": "are you there?"})
    control.wait_for_jobs()
    attempts = control.webhook_attempts(channel)
    assert attempts and {a["reason"] for a in attempts} == {"REQUEST_TIMEOUT"}
    assert all(a["statusCode"] == 0 and not a["success"] for a in attempts)

    slow_bot.delay = 0
    path = f"/_kizuna/channels/{channel.channel_id}/webhook/redeliver"
    assert control.http.post(path).status_code == 202
    control.wait_for_jobs()
    # The timed-out requests may still reach the bot's handler late; the redelivered ones are
    # marked, and carry the follow and the message once each.
    events = [event for body in slow_bot.bodies for event in body["events"]]
    again = [e["webhookEventId"] for e in events if e["deliveryContext"]["isRedelivery"]]
    assert said["webhookEventId"] in again and len(again) == len(set(again)) == 2
    latest = control.webhook_attempts(channel)[0]
    assert (latest["success"], latest["isRedelivery"], latest["reason"]) == (True, True, None)
