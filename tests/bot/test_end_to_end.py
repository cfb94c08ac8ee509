"""A bot built with the framework, served by uvicorn over real HTTP as a Kizuna channel's
webhook: simulated users act through the control plane and read the bot's answers."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from linebot.v3.messaging import TextMessage

from app.bot import Bot, CallNext, Context, PostbackData, Regex, SourceType, Text
from tests.bot.support import ServedApp
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


class Buy(PostbackData, prefix="buy"):
    item: int
    qty: int = 1


def build_bot(channel: ChannelInfo, api_base: str) -> Bot:
    bot = Bot(channel.channel_secret, channel.access_token, api_base=api_base)

    @bot.follow()
    async def welcome(ctx: Context) -> None:
        profile = await ctx.profile()
        await ctx.reply(f"Welcome, {profile.display_name}!")

    @bot.message(Text("hi"))
    async def hi(ctx: Context) -> None:
        await ctx.reply("Hello!", TextMessage(text="How can I help?"))

    @bot.message(Regex(r"^echo (?P<what>.+)$") & SourceType("user"))
    async def echo(ctx: Context, match: Any) -> None:
        await ctx.reply(match["what"])

    @bot.postback(Buy.filter())
    async def buy(ctx: Context, data: Buy) -> None:
        await ctx.reply(f"Bought {data.qty} x item {data.item}")
        await ctx.push("Thanks for shopping!")

    @bot.join()
    async def joined(ctx: Context) -> None:
        await ctx.reply("Thanks for inviting me")

    @bot.message(SourceType("group"))
    async def in_group(ctx: Context) -> None:
        member = await ctx.profile()  # the member profile: no friendship needed
        await ctx.reply(f"{member.display_name} said {ctx.event.message.text}")
        await ctx.push("(a push to the whole group)")

    @bot.message()
    async def broken(ctx: Context) -> None:
        raise RuntimeError("this handler fails; the events after it still run")

    @bot.on_error
    async def apologise(ctx: Context, error: Exception) -> None:
        await ctx.reply(f"Sorry: {error}")

    return bot


@pytest.fixture
def served(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> Iterator[tuple[Bot, ServedApp]]:
    bot = build_bot(channel, server.base_url)
    app = ServedApp(bot.asgi_app("/callback")).start()
    control.webhook(channel, url=app.url("/callback"))
    yield bot, app
    app.stop()


def settle(control: Control, bot: Bot, app: ServedApp) -> None:
    """Kizuna has delivered every webhook and the bot has finished handling them."""
    control.wait_for_jobs()
    app.run(bot.drain())
    control.wait_for_jobs()


def texts(items: list[dict[str, Any]]) -> list[str]:
    return [item["message"]["text"] for item in items]


def test_a_user_follows_talks_and_taps_and_the_bot_answers_in_the_inbox(
    control: Control, channel: ChannelInfo, served: tuple[Bot, ServedApp]
) -> None:
    bot, app = served
    alice = control.user("Alice")
    control.follow(channel, alice)
    settle(control, bot, app)
    control.say(channel, alice, {"type": "text", "text": "hi"})
    settle(control, bot, app)
    control.say(channel, alice, {"type": "text", "text": "echo ping 🌸"})
    settle(control, bot, app)
    control.postback(channel, alice, data=Buy(item=7, qty=2).pack())
    settle(control, bot, app)
    control.say(channel, alice, {"type": "text", "text": "something else"})
    settle(control, bot, app)

    inbox = control.inbox(channel, alice)
    assert texts(inbox) == [
        "Welcome, Alice!",
        "Hello!",
        "How can I help?",
        "ping 🌸",
        "Bought 2 x item 7",
        "Thanks for shopping!",
        "Sorry: this handler fails; the events after it still run",
    ]
    assert [item["via"] for item in inbox] == [
        "reply",
        "reply",
        "reply",
        "reply",
        "reply",
        "push",
        "reply",
    ]
    attempts = control.webhook_attempts(channel)
    assert len(attempts) == 5 and all(a["success"] for a in attempts)


def test_in_a_group_the_bot_answers_with_the_members_profile_and_pushes_to_the_group(
    control: Control, channel: ChannelInfo, served: tuple[Bot, ServedApp]
) -> None:
    bot, app = served
    alice, bob = control.user("Alice"), control.user("Bob")
    created = control.http.post("/_kizuna/groups", json={"members": [alice, bob], "name": "Lunch"})
    assert created.status_code == 201, created.text
    group = created.json()["chatId"]
    invited = control.http.put(
        f"/_kizuna/groups/{group}/bot", json={"channelId": channel.channel_id}
    )
    assert invited.status_code == 201, invited.text
    settle(control, bot, app)
    said = control.http.post(
        f"/_kizuna/groups/{group}/users/{bob}/messages", json={"type": "text", "text": "noon?"}
    )
    assert said.status_code == 201, said.text
    settle(control, bot, app)

    timeline = control.http.get(f"/_kizuna/groups/{group}/messages").json()
    from_bot = [item for item in timeline if item["from"] == "bot"]
    assert [(item["via"], item["message"]["text"]) for item in from_bot] == [
        ("reply", "Thanks for inviting me"),
        ("reply", "Bob said noon?"),
        ("push", "(a push to the whole group)"),
    ]


def _nothing_listens() -> str:
    with socket.socket() as probe:  # bind a loopback port, then free it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/callback"


def test_events_the_bot_missed_come_back_as_redeliveries_handled_once(
    control: Control, channel: ChannelInfo, served: tuple[Bot, ServedApp]
) -> None:
    bot, app = served
    seen: list[tuple[str, str, bool]] = []

    @bot.outer_middleware
    async def record(ctx: Context, call_next: CallNext) -> None:
        # Their reply tokens are stale by now: note the events instead of answering them.
        seen.append((ctx.event.type, str(ctx.webhook_event_id), ctx.is_redelivery))

    bot_url = app.url("/callback")
    control.webhook(channel, url=_nothing_listens(), redelivery=True)
    alice = control.user("Alice")
    control.follow(channel, alice)
    said = control.say(channel, alice, {"type": "text", "text": "anyone there?"})
    control.wait_for_jobs()
    control.webhook(channel, url=bot_url, redelivery=True)
    redeliver = f"/_kizuna/channels/{channel.channel_id}/webhook/redeliver"
    assert control.http.post(redeliver).status_code == 202
    settle(control, bot, app)

    assert [(kind, redelivered) for kind, _, redelivered in seen] == [
        ("follow", True),
        ("message", True),
    ]
    assert seen[1][1] == said["webhookEventId"]
    assert control.inbox(channel, alice) == []
