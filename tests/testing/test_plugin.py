"""The pytest plugin, used the way a bot team uses it: from a project of its own."""

import subprocess
import sys
import textwrap
from pathlib import Path

THROWAWAY_TEST = '''
from datetime import timedelta, timezone

import pytest
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def echo_bot(channel):
    """A bot as its team wrote it with the official SDK; only the host points at Kizuna."""
    parser = WebhookParser(channel.channel_secret)

    async def callback(request: Request) -> PlainTextResponse:
        body = (await request.body()).decode()
        events = parser.parse(body, request.headers["X-Line-Signature"])
        async with AsyncApiClient(channel.configuration()) as client:
            api = AsyncMessagingApi(client)
            for event in events:
                if isinstance(event, FollowEvent):
                    text = "Welcome! Say something."
                elif isinstance(event, MessageEvent) and isinstance(
                    event.message, TextMessageContent
                ):
                    text = f"You said: {event.message.text}"
                else:
                    continue
                await api.reply_message(
                    ReplyMessageRequest(
                        reply_token=event.reply_token,
                        messages=[TextMessage.from_dict({
                            "type": "text",
                            "text": text,
                            "quickReply": {"items": [{"type": "action", "action": {
                                "type": "message", "label": "Again", "text": "again"}}]},
                        })],
                    )
                )
        return PlainTextResponse("OK")

    return Starlette(routes=[Route("/callback", callback, methods=["POST"])])


FIRST = {}


@pytest.mark.asyncio
async def test_alice_is_greeted_and_echoed(kizuna, channel, user):
    FIRST.update(channel=channel.channel_id, user=user.user_id)
    await channel.set_webhook(kizuna.serve(echo_bot(channel)) + "/callback")
    await user.follow(channel)
    assert (await user.receives()).text == "Welcome! Say something."
    await user.says("hi")
    assert (await user.receives()).text == "You said: hi"
    await user.taps("Again")
    assert (await user.receives()).text == "You said: again"
    assert [m.text for m in user.inbox][-1] == "You said: again"
    attempts = await channel.webhook_attempts()
    assert len(attempts) == 3 and all(a["success"] for a in attempts)


JST = timezone(timedelta(hours=9))


@pytest.mark.asyncio
async def test_every_test_starts_from_an_empty_kizuna(kizuna, channel, user):
    # Only this test's channel exists, and the ids repeat those of the test before.
    channels = await kizuna.call("GET", "/_kizuna/channels")
    assert [c["channelId"] for c in channels] == [channel.channel_id]
    assert (channel.channel_id, user.user_id) == (FIRST["channel"], FIRST["user"])
    start = await kizuna.clock.now()
    assert start.astimezone(JST).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:00"
    later = await kizuna.clock.advance(days=3)
    assert later.astimezone(JST).strftime("%Y-%m-%d") == "2026-01-08"
'''


def test_a_project_outside_the_repository_tests_its_bot_with_the_plugin(
    tmp_path: Path,
) -> None:
    project = tmp_path / "echo-bot"
    project.mkdir()
    (project / "test_echo.py").write_text(textwrap.dedent(THROWAWAY_TEST))
    (project / "pytest.ini").write_text("[pytest]\nasyncio_mode = strict\n")
    # The interpreter has Kizuna installed from this repository (`make install`); the project
    # has no conftest and nothing of the repository on its path.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
