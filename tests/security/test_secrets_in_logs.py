"""No token or secret reaches a log line: not while tokens are issued, verified and revoked,
not in a push, not while webhooks are signed and sent (or fail), not in SQL logging."""

import logging
from collections.abc import Iterator

import httpx
import pytest

from app.kit.logging import JsonFormatter, redact
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


class Everything(logging.Handler):
    """Formats every record as Kizuna's JSON lines would, and the raw message too."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.json = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.json.format(record))
        self.lines.append(record.getMessage())  # before any masking


@pytest.fixture
def logs() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # SQL echo on: statements are logged, their parameters (tokens among them) must not be.
    engine_logger = logging.getLogger("sqlalchemy.engine")
    engine_logger.setLevel(logging.INFO)
    yield handler
    engine_logger.setLevel(logging.NOTSET)
    root.removeHandler(handler)
    root.setLevel(level)


def test_tokens_and_secrets_never_logged(
    server: LiveServer, control: Control, channel: ChannelInfo, logs: Everything
) -> None:
    base = server.base_url
    credentials = {
        "grant_type": "client_credentials",
        "client_id": channel.channel_id,
        "client_secret": channel.channel_secret,
    }
    issued = httpx.post(f"{base}/v2/oauth/accessToken", data=credentials).json()["access_token"]
    verified = httpx.post(f"{base}/v2/oauth/verify", data={"access_token": issued})
    assert verified.status_code == 200
    alice = control.user("Alice")
    bot = BotServer(channel.channel_secret).start()
    try:
        control.webhook(channel, url=bot.url)
        control.follow(channel, alice)
        for token in (channel.access_token, issued):
            push = httpx.post(
                f"{base}/v2/bot/message/push",
                headers={"Authorization": f"Bearer {token}"},
                json={"to": alice, "messages": [{"type": "text", "text": "hi"}]},
            )
            assert push.status_code == 200
        control.say(channel, alice, {"type": "text", "text": "hello"})
        control.wait_for_jobs()
        bot.status = 500  # a failed attempt is logged too
        control.say(channel, alice, {"type": "text", "text": "again"})
        control.wait_for_jobs()
        reply_token = bot.events[-1].reply_token
        replied = httpx.post(
            f"{base}/v2/bot/message/reply",
            headers={"Authorization": f"Bearer {issued}"},
            json={"replyToken": reply_token, "messages": [{"type": "text", "text": "r"}]},
        )
        assert replied.status_code == 200
    finally:
        bot.stop()
    revoked = httpx.post(f"{base}/v2/oauth/revoke", data={"access_token": issued})
    assert revoked.status_code == 200
    signature = bot.received[0].headers["X-Line-Signature"]
    secrets = {
        "long-lived token": channel.access_token,
        "short-lived token": issued,
        "channel secret": channel.channel_secret,
        "reply token": reply_token,
        "signature": signature,
    }
    assert any("SELECT" in line for line in logs.lines), "SQL logging did not run"
    leaked = [
        f"{name} in: {line[:300]}"
        for line in logs.lines
        for name, value in secrets.items()
        if value in line
    ]
    assert not leaked, "\n".join(leaked)


def test_bearer_tokens_in_a_message_are_masked() -> None:
    assert redact("Authorization: Bearer abc.def-123 sent") == "Authorization: Bearer *** sent"
    assert redact("'authorization': 'bearer xyz'") == "'authorization': 'bearer ***'"
