"""Tapping what the bot sent: each action does what the LINE app does with it."""

import io
from typing import Any

import pytest
from linebot.v3.messaging import ApiClient, MessagingApi, MessagingApiBlob, PushMessageRequest
from linebot.v3.webhooks import (
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
)
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Engagement, EngagementKind
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

BUTTONS = {
    "type": "template",
    "altText": "Menu",
    "template": {
        "type": "buttons",
        "text": "What now?",
        "actions": [
            {"type": "postback", "label": "Buy", "data": "action=buy&item=7", "displayText": "Buy"},
            {"type": "message", "label": "Help", "text": "help please"},
            {"type": "uri", "label": "Site", "uri": "https://example.com/shop"},
            {
                "type": "datetimepicker",
                "label": "When",
                "data": "action=book",
                "mode": "date",
                "min": "2026-12-01",
                "max": "2026-12-31",
            },
        ],
    },
}
FLEX = {
    "type": "flex",
    "altText": "Receipt",
    "contents": {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": "Total 1,200 yen"},
                {
                    "type": "button",
                    "action": {"type": "postback", "label": "Pay", "data": "action=pay"},
                },
            ],
        },
    },
    "quickReply": {
        "items": [
            {"type": "action", "action": {"type": "location", "label": "Send location"}},
            {"type": "action", "action": {"type": "message", "label": "Thanks", "text": "thanks"}},
        ]
    },
}


def _tap(control: Control, path: str, status: int = 200, **body: Any) -> Any:
    response = control.http.post(f"{path}/tap", json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_taps_send_what_the_app_sends(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        MessagingApi(client).push_message(
            PushMessageRequest.from_dict({"to": alice, "messages": [BUTTONS, FLEX]})
        )
    buttons, flex = control.inbox(channel, alice)
    base = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox"
    actions = control.http.get(f"{base}/{flex['messageId']}/actions").json()
    assert [(a["label"], a["path"], a["quickReply"]) for a in actions] == [
        ("Pay", "contents.body.contents[1].action", False),
        ("Send location", "quickReply.items[0].action", True),
        ("Thanks", "quickReply.items[1].action", True),
    ]

    b = f"{base}/{buttons['messageId']}"
    buy = _tap(control, b, label="Buy")
    assert (
        buy["path"] == "template.actions[0]"
        and buy["event"]["postback"]["data"] == "action=buy&item=7"
    )
    assert _tap(control, b, index=1)["event"]["message"]["text"] == "help please"
    assert _tap(control, b, label="Site") == {
        "path": "template.actions[2]",
        "action": BUTTONS["template"]["actions"][2],  # type: ignore[index]
        "uri": "https://example.com/shop",
    }
    picked = _tap(control, b, label="When", value="2026-12-24")
    assert picked["event"]["postback"]["params"] == {"date": "2026-12-24"}
    outside = _tap(control, b, 400, label="When", value="2027-01-01")
    assert outside["details"][0]["property"] == "value"
    missing = _tap(control, b, 404, label="Cancel")
    assert "'Buy'" in missing["message"]  # says what the user can see instead
    _tap(control, f"{base}/{flex['messageId']}", label="Pay")
    here = _tap(control, f"{base}/{flex['messageId']}", label="Send location")
    assert here["event"]["message"]["type"] == "location"
    # Quick reply buttons belong to the last message only: the buttons template has none, and
    # once the bot sends something else the receipt's are gone.
    control.wait_for_jobs()
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        MessagingApi(client).push_message(
            PushMessageRequest.from_dict(
                {"to": alice, "messages": [{"type": "text", "text": "ok"}]}
            )
        )
    _tap(control, f"{base}/{flex['messageId']}", 404, label="Thanks")

    assert bot.errors == []
    kinds = [(type(e).__name__, type(getattr(e, "message", None)).__name__) for e in bot.events]
    assert kinds[1:] == [
        ("PostbackEvent", "NoneType"),
        ("MessageEvent", "TextMessageContent"),
        ("PostbackEvent", "NoneType"),
        ("PostbackEvent", "NoneType"),
        ("MessageEvent", "LocationMessageContent"),
    ]
    _, buy_event, help_event, book, pay, location = bot.events
    assert isinstance(book, PostbackEvent) and book.postback.params == {"date": "2026-12-24"}
    assert isinstance(pay, PostbackEvent) and pay.postback.data == "action=pay"
    assert isinstance(help_event, MessageEvent) and isinstance(
        help_event.message, TextMessageContent
    )
    assert isinstance(location, MessageEvent)
    assert isinstance(location.message, LocationMessageContent)
    assert location.message.title == "Tokyo Station"
    assert isinstance(buy_event, PostbackEvent)


def test_taps_need_a_message_the_user_received(control: Control, channel: ChannelInfo) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    base = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox"
    assert control.http.get(f"{base}/123456789012345678/actions").status_code == 404
    both = control.http.post(f"{base}/123/tap", json={"index": 0, "label": "x"})
    assert both.status_code == 400
    assert control.http.post(f"{base}/123/tap", json={"index": 0}).status_code == 404


def test_a_camera_button_sends_the_photo_the_user_takes(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    ask = {
        "type": "text",
        "text": "Show us the receipt",
        "quickReply": {
            "items": [{"type": "action", "action": {"type": "camera", "label": "Photo"}}]
        },
    }
    config = messaging_config(server.base_url, channel.access_token)
    with ApiClient(config) as client:
        MessagingApi(client).push_message(
            PushMessageRequest.from_dict({"to": alice, "messages": [ask]})
        )
    (received,) = control.inbox(channel, alice)
    base = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox/{received['messageId']}"
    event = _tap(control, base, label="Photo")["event"]
    control.wait_for_jobs()
    assert isinstance(bot.events[-1], MessageEvent)
    assert isinstance(bot.events[-1].message, ImageMessageContent)
    with ApiClient(config) as client:
        photo = MessagingApiBlob(client).get_message_content(event["message"]["id"])
    with Image.open(io.BytesIO(photo)) as image:
        assert image.format == "JPEG" and image.size == (640, 480)


@pytest.mark.asyncio
async def test_opening_a_link_is_recorded_as_a_click(
    server: LiveServer,
    control: Control,
    channel: ChannelInfo,
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        MessagingApi(client).push_message(
            PushMessageRequest.from_dict({"to": alice, "messages": [BUTTONS]})
        )
    (received,) = control.inbox(channel, alice)
    base = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox/{received['messageId']}"
    _tap(control, base, label="Site")
    _tap(control, base, label="Help")  # not a link: no click
    async with session_maker() as session:
        rows = (await session.scalars(select(Engagement))).all()
    assert [(row.kind, row.url) for row in rows] == [
        (EngagementKind.CLICK, "https://example.com/shop")
    ]


def test_imagemap_links_and_pickers_with_a_lowercase_t(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    imagemap = {
        "type": "imagemap",
        "baseUrl": "https://example.com/map",
        "altText": "Map",
        "baseSize": {"width": 1040, "height": 1040},
        "actions": [
            {
                "type": "uri",
                "label": "Site",
                "linkUri": "https://example.com/site",
                "area": {"x": 0, "y": 0, "width": 520, "height": 1040},
            },
            {
                "type": "message",
                "text": "left",
                "area": {"x": 520, "y": 0, "width": 520, "height": 1040},
            },
        ],
    }
    picker = {
        "type": "template",
        "altText": "When",
        "template": {
            "type": "buttons",
            "text": "When?",
            "actions": [
                {
                    "type": "datetimepicker",
                    "label": "When",
                    "data": "book",
                    "mode": "datetime",
                    "min": "2026-12-01t00:00",  # the platform's own examples write a small t
                    "max": "2026-12-31t23:59",
                }
            ],
        },
    }
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        MessagingApi(client).push_message(
            PushMessageRequest.from_dict({"to": alice, "messages": [imagemap, picker]})
        )
    mapped, picking = control.inbox(channel, alice)
    base = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox"
    site = _tap(control, f"{base}/{mapped['messageId']}", label="Site")
    assert site["uri"] == "https://example.com/site"
    assert _tap(control, f"{base}/{mapped['messageId']}", index=1)["event"]["message"]["text"] == (
        "left"
    )
    chosen = _tap(control, f"{base}/{picking['messageId']}", label="When", value="2026-12-01T10:00")
    assert chosen["event"]["postback"]["params"] == {"datetime": "2026-12-01T10:00"}
    _tap(control, f"{base}/{picking['messageId']}", 400, label="When", value="2027-01-01T00:00")
