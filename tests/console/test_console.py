"""The console in a real browser: a user follows, talks, sees the bot's Flex reply drawn as
LINE draws it, taps, and the dashboard shows the webhook attempts. Screenshots of a Flex
carousel, a buttons template and a rich menu go to test-artifacts/console/."""

import io
from pathlib import Path
from typing import Any

import httpx
from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, TextMessageContent
from PIL import Image, ImageDraw, ImageFont

from tests.console.conftest import LineApi
from tests.console.messages import buttons, carousel, receipt, rich_menu
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

WAIT_MS = 10_000


def chat_url(server: LiveServer, channel: ChannelInfo, user_id: str) -> str:
    return f"{server.base_url}/console/#/c/{channel.channel_id}/chat/{user_id}"


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return dict(found)


class TestConversation:
    def test_follow_talk_see_flex_tap_and_watch_the_webhook(
        self,
        page: Any,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        bot: BotServer,
        artifacts: Path,
    ) -> None:
        api = LineApi(server.base_url, channel.access_token)

        def answer(event: Any) -> None:
            if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                api.reply_later(event.reply_token, receipt())
            elif isinstance(event, PostbackEvent) and event.postback.data == "action=buy":
                api.reply_later(event.reply_token, {"type": "text", "text": "Thanks for buying!"})

        bot.on_event = answer
        page.goto(f"{server.base_url}/console/#/c/{channel.channel_id}/users")
        page.fill("input[name=displayName]", "Alice")
        page.click("text=Create user and follow")
        page.wait_for_selector(".composer-input", timeout=WAIT_MS)

        with page.expect_request(lambda r: r.url.endswith("/open"), timeout=WAIT_MS):
            page.fill(".composer-input", "receipt please")
            page.press(".composer-input", "Enter")
            flex = page.locator(".row.from-bot .fx-bubble").first
            flex.wait_for(timeout=WAIT_MS)
        assert page.locator(".row.from-user .bubble", has_text="receipt please").count() == 1
        assert flex.locator("text=Kizuna Store").is_visible()
        # A mega bubble is 300 px wide; a 2:1 flex ratio splits a horizontal box 2:1.
        assert round(box(flex)["width"]) == 300
        name, price = flex.locator(".fx-horizontal").nth(0).locator(":scope > .fx-text").all()
        assert abs(box(name)["width"] / box(price)["width"] - 2) < 0.05

        flex.locator(".fx-button", has_text="Buy").click()
        page.locator(".bubble", has_text="Thanks for buying!").wait_for(timeout=WAIT_MS)

        kinds = [type(e) for e in bot.events]
        assert kinds[:2] == [FollowEvent, MessageEvent]
        postbacks = [e for e in bot.events if isinstance(e, PostbackEvent)]
        assert [p.postback.data for p in postbacks] == ["action=buy"]

        page.goto(f"{server.base_url}/console/#/c/{channel.channel_id}")
        attempts = page.locator("[data-testid=webhook-attempts] .status.ok")
        attempts.nth(2).wait_for(timeout=WAIT_MS)
        assert attempts.count() == len(bot.received)
        page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
        assert (
            page.locator(".figure", has_text="Friends").locator(".figure-value").inner_text() == "1"
        )


class TestScreenshots:
    def test_flex_carousel(
        self,
        page: Any,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        artifacts: Path,
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        LineApi(server.base_url, channel.access_token).push(alice, carousel())
        page.goto(chat_url(server, channel, alice))
        row = page.locator(".row.from-bot", has=page.locator(".fx-carousel"))
        row.wait_for(timeout=WAIT_MS)
        bubbles = row.locator(".fx-bubble")
        assert bubbles.count() == 3
        # Carousel bubbles keep their size's width and share the tallest one's height.
        first, last = box(bubbles.nth(0)), box(bubbles.nth(2))
        assert round(first["width"]) == round(last["width"]) == 300
        assert abs(first["height"] - last["height"]) < 1
        hero = box(bubbles.nth(0).locator(".fx-hero img"))
        assert abs(hero["width"] / hero["height"] - 20 / 13) < 0.02
        stars = bubbles.nth(0).locator(".fx-baseline").first.locator(".fx-icon")
        assert stars.count() == 5
        row.locator(".fx-carousel").evaluate("node => node.scrollLeft = 0")
        page.wait_for_timeout(200)  # images decode
        page.locator(".phone").screenshot(path=str(artifacts / "flex-carousel.png"))

        with page.expect_response(lambda r: r.url.endswith("/tap")) as tapped:
            bubbles.nth(0).locator(".fx-button", has_text="Website").click()
        assert tapped.value.json()["uri"] == "https://example.com/shop"

    def test_buttons_template_and_quick_replies(
        self,
        page: Any,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        bot: BotServer,
        artifacts: Path,
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        LineApi(server.base_url, channel.access_token).push(alice, buttons())
        page.goto(chat_url(server, channel, alice))
        card = page.locator(".tpl-buttons")
        card.wait_for(timeout=WAIT_MS)
        assert card.locator(".tpl-action").all_inner_texts() == [
            "Buy",
            "Add to cart",
            "View detail",
        ]
        thumb = box(card.locator(".tpl-thumb"))
        assert abs(thumb["width"] / thumb["height"] - 1.51) < 0.02
        chips = page.locator(".quick-replies .chip")
        assert chips.all_inner_texts() == ["Sushi", "Tempura", "Send location"]
        page.wait_for_timeout(200)
        page.locator(".phone").screenshot(path=str(artifacts / "buttons-template.png"))

        chips.nth(1).click()
        page.locator(".row.from-user .bubble", has_text="Tempura").wait_for(timeout=WAIT_MS)
        assert page.locator(".quick-replies .chip").count() == 0  # no longer the last message
        with page.expect_response(lambda r: r.url.endswith("/tap")):
            card.locator(".tpl-action", has_text="Buy").click()
        control.wait_for_jobs()
        datas = [e.postback.data for e in bot.events if isinstance(e, PostbackEvent)]
        assert datas == ["action=buy&itemid=123"]

    def test_rich_menu(
        self,
        page: Any,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        bot: BotServer,
        artifacts: Path,
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        token = {"Authorization": f"Bearer {channel.access_token}"}
        with httpx.Client(base_url=server.base_url, headers=token) as api:
            give_everyone_the_rich_menu(api)
            api.post(
                "/v2/bot/message/push",
                json={"to": alice, "messages": [{"type": "text", "text": "Tap the menu below"}]},
            )
        page.goto(chat_url(server, channel, alice))
        areas = page.locator(".rich-menu-area")
        areas.nth(2).wait_for(timeout=WAIT_MS)
        page.locator(".rich-menu-img").evaluate("img => img.decode()")
        # 2500 x 843 drawn 390 px wide: three areas of 130 px, 131.5 px tall.
        widths = [round(box(areas.nth(i))["width"]) for i in range(3)]
        assert widths == [130, 130, 130]
        assert round(box(page.locator(".rich-menu"))["height"]) == round(843 * 390 / 2500)
        assert page.locator(".composer").is_hidden()  # the menu stands where the input was
        page.locator(".phone").screenshot(path=str(artifacts / "rich-menu.png"))

        with page.expect_response(lambda r: r.url.endswith("/richmenu/tap")):
            areas.nth(1).click()
        control.wait_for_jobs()
        datas = [e.postback.data for e in bot.events if isinstance(e, PostbackEvent)]
        assert datas == ["menu=orders"]
        page.locator(".menu-text").click()
        assert page.locator(".rich-menu").is_hidden()
        page.locator(".menu-keyboard").click()
        assert page.locator(".composer-input").is_visible()


def give_everyone_the_rich_menu(api: httpx.Client) -> str:
    """The three-area rich menu with its image, every user's default (`api`: the channel's)."""
    menu_id: str = api.post("/v2/bot/richmenu", json=rich_menu()).json()["richMenuId"]
    uploaded = api.post(
        f"/v2/bot/richmenu/{menu_id}/content",
        content=menu_image(),
        headers={"Content-Type": "image/png"},
    )
    assert uploaded.is_success, uploaded.text
    assert api.post(f"/v2/bot/user/all/richmenu/{menu_id}").is_success
    return menu_id


def menu_image() -> bytes:
    image = Image.new("RGB", (2500, 843), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=110)
    colors = [(6, 199, 85), (255, 255, 255), (245, 247, 250)]
    third = 2500 // 3
    for i, (label, color) in enumerate(zip(["Shop", "Orders", "Help"], colors, strict=True)):
        left = third * i
        draw.rectangle((left, 0, left + third, 843), fill=color)
        ink = (255, 255, 255) if i == 0 else (40, 40, 40)
        draw.ellipse(
            (left + third // 2 - 120, 180, left + third // 2 + 120, 420), outline=ink, width=18
        )
        draw.text((left + third // 2, 560), label, fill=ink, font=font, anchor="mm")
        if i:
            draw.line((left, 120, left, 723), fill=(220, 222, 226), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class TestMessageTypes:
    def test_text_sticker_image_location_imagemap_and_confirm(
        self,
        page: Any,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        bot: BotServer,
        artifacts: Path,
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        api = LineApi(server.base_url, channel.access_token)
        api.push(
            alice,
            {
                "type": "text",
                "text": "Hello $ see https://example.com/news",
                "emojis": [{"index": 6, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}],
            },
            {"type": "sticker", "packageId": "446", "stickerId": "1988"},
            {
                "type": "image",
                "originalContentUrl": "https://example.com/p.jpg",
                "previewImageUrl": "https://example.com/p-small.jpg",
            },
            {
                "type": "location",
                "title": "Kizuna Cafe",
                "address": "Shibuya, Tokyo",
                "latitude": 35.66,
                "longitude": 139.7,
            },
        )
        api.push(
            alice,
            {
                "type": "imagemap",
                "baseUrl": "https://example.com/map",
                "altText": "Map",
                "baseSize": {"width": 1040, "height": 520},
                "actions": [
                    {
                        "type": "message",
                        "text": "left",
                        "area": {"x": 0, "y": 0, "width": 520, "height": 520},
                    },
                    {
                        "type": "uri",
                        "linkUri": "https://example.com/right",
                        "area": {"x": 520, "y": 0, "width": 520, "height": 520},
                    },
                ],
            },
            {
                "type": "template",
                "altText": "Sure?",
                "template": {
                    "type": "confirm",
                    "text": "Are you sure?",
                    "actions": [
                        {"type": "message", "label": "Yes", "text": "yes"},
                        {"type": "message", "label": "No", "text": "no"},
                    ],
                },
            },
        )
        page.goto(chat_url(server, channel, alice))
        page.locator(".tpl-confirm").wait_for(timeout=WAIT_MS)
        assert page.locator(".text-body .line-emoji").count() == 1
        assert page.locator(".chat-log .sticker-drawn").count() == 1  # the CDN is off the machine
        assert page.locator(".location-title").inner_text() == "Kizuna Cafe"
        imagemap = page.locator(".imagemap")
        drawn = box(imagemap)
        assert drawn["height"] == drawn["width"] / 2  # baseSize 1040 x 520
        right = box(imagemap.locator(".imagemap-area").nth(1))
        assert abs(right["x"] - drawn["x"] - drawn["width"] / 2) < 1
        page.wait_for_timeout(200)
        page.locator(".phone").screenshot(path=str(artifacts / "message-types.png"))

        with page.expect_response(lambda r: r.url.endswith("/tap")) as tapped:
            imagemap.locator(".imagemap-area").nth(0).click()
        assert tapped.value.json()["event"]["message"]["text"] == "left"
        with page.expect_response(lambda r: r.url.endswith("/click")) as clicked:
            page.locator(".text-link").click()
        assert clicked.value.json()["url"] == "https://example.com/news"
