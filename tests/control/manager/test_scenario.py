"""The issue's scenario: a new friend gets the greeting, a keyword gets its reply, the day-3
step arrives when the clock moves 3 days, and the campaign's statistics count all of it — with
a bot on the webhook receiving the events all along."""

from linebot.v3.messaging import ApiClient, MessagingApi
from linebot.v3.webhooks import FollowEvent, MessageEvent

from tests.control.manager.helpers import advance, call, text, texts
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

MENU = "https://example.com/menu"


def test_a_new_friend_through_greeting_keyword_and_step(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    campaign = call(control, "POST", channel, "campaigns", 201, json={"label": "Welcome"})[
        "campaignId"
    ]
    call(
        control,
        "PUT",
        channel,
        "greeting",
        json={"messages": [text("Welcome, {displayName}!")], "campaignId": campaign},
    )
    call(
        control,
        "POST",
        channel,
        "responses",
        201,
        json={
            "name": "Menu",
            "keywords": ["menu"],
            "replies": [[text(f"Our menu: {MENU}")]],
            "campaignId": campaign,
        },
    )
    call(
        control,
        "POST",
        channel,
        "steps",
        201,
        json={
            "name": "New friends",
            "steps": [{"days": 3, "messages": [text("3 days already: 10% off today")]}],
            "campaignId": campaign,
        },
    )

    alice = control.user("Alice")
    control.follow(channel, alice)
    assert texts(control, channel, alice) == [("greeting", "Welcome, Alice!")]

    control.say(channel, alice, text("menu"))
    assert texts(control, channel, alice)[-1] == ("auto_reply", f"Our menu: {MENU}")

    advance(control, days=2)
    assert len(control.inbox(channel, alice)) == 2
    advance(control, days=1)
    assert texts(control, channel, alice)[-1] == ("step", "3 days already: 10% off today")

    inbox = control.inbox(channel, alice)
    base = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox"
    for item in inbox:
        assert control.http.post(f"{base}/{item['messageId']}/open").status_code == 201
    reply = inbox[1]["messageId"]
    assert control.http.post(f"{base}/{reply}/click", json={"url": MENU}).status_code == 201

    figures = call(control, "GET", channel, f"campaigns/{campaign}")["statistics"]
    assert figures["requests"] == 3  # greeting, reply, step
    assert figures["delivered"] == 3
    assert (figures["openCount"], figures["uniqueOpens"], figures["openRate"]) == (3, 3, 1.0)
    assert (figures["uniqueClicks"], figures["clickRate"]) == (1, round(1 / 3, 4))

    # Only the step counted against the quota; the bot heard the follow and the message.
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        assert MessagingApi(client).get_message_quota_consumption().total_usage == 1
    control.wait_for_jobs()
    assert [type(event) for event in bot.events] == [FollowEvent, MessageEvent]
