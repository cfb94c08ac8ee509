"""A small shop on LINE, written with Kizuna's bot framework (`app.bot`).

A new friend is welcomed with the shop's quick replies; "menu" shows the goods as a Flex
carousel; "Buy" asks how many (quick replies carrying typed postback data); the order is
confirmed with a Flex receipt. The rich menu under the chat has Shop, Orders and Help.

    SHOP_CHANNEL_SECRET=... SHOP_ACCESS_TOKEN=... SHOP_API_BASE=http://127.0.0.1:8080 \\
        uvicorn shop_bot:app --port 8000
"""

import io
import os
from dataclasses import dataclass, field
from typing import Any

from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    FlexMessage,
    RichMenuRequest,
    TextMessage,
)
from PIL import Image, ImageDraw

from app.bot import Bot, Context, PostbackData, Text


@dataclass(frozen=True)
class Item:
    sku: int
    name: str
    price: int  # yen
    image: str


CATALOG = {
    item.sku: item
    for item in (
        Item(1, "Matcha latte", 520, "https://example.com/img/matcha.jpg"),
        Item(2, "Melon pan", 280, "https://example.com/img/melonpan.jpg"),
        Item(3, "Onigiri set", 450, "https://example.com/img/onigiri.jpg"),
    )
}


class Buy(PostbackData, prefix="buy"):
    sku: int


class Quantity(PostbackData, prefix="qty"):
    sku: int
    count: int


class Orders(PostbackData, prefix="orders"):
    pass


@dataclass
class Shop:
    """The shop's state: what each customer ordered, in order."""

    orders: dict[str, list[tuple[Item, int]]] = field(default_factory=dict)


def quick_replies(*items: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"items": [{"type": "action", "action": {"label": label, **a}} for label, a in items]}


def menu_carousel() -> FlexMessage:
    bubbles = [
        {
            "type": "bubble",
            "hero": {
                "type": "image",
                "url": item.image,
                "size": "full",
                "aspectRatio": "20:13",
                "aspectMode": "cover",
            },
            "body": {
                "type": "box",
                "layout": "vertical",
                "contents": [
                    {"type": "text", "text": item.name, "weight": "bold", "size": "xl"},
                    {"type": "text", "text": f"¥{item.price:,}", "color": "#999999"},
                ],
            },
            "footer": {
                "type": "box",
                "layout": "vertical",
                "contents": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action": {
                            "type": "postback",
                            "label": f"Buy {item.name}",
                            "data": Buy(sku=item.sku).pack(),
                            "displayText": f"Buy {item.name}",
                        },
                    }
                ],
            },
        }
        for item in CATALOG.values()
    ]
    return FlexMessage.from_dict(
        {
            "type": "flex",
            "altText": "Our menu",
            "contents": {"type": "carousel", "contents": bubbles},
        }
    )


def receipt(item: Item, count: int, number: int) -> FlexMessage:
    row = {
        "type": "box",
        "layout": "horizontal",
        "contents": [
            {"type": "text", "text": f"{item.name} x {count}", "flex": 3},
            {"type": "text", "text": f"¥{item.price * count:,}", "align": "end", "flex": 2},
        ],
    }
    return FlexMessage.from_dict(
        {
            "type": "flex",
            "altText": f"Receipt #{number}: ¥{item.price * count:,}",
            "contents": {
                "type": "bubble",
                "body": {
                    "type": "box",
                    "layout": "vertical",
                    "spacing": "md",
                    "contents": [
                        {"type": "text", "text": "RECEIPT", "weight": "bold", "color": "#1DB446"},
                        {"type": "text", "text": f"Order #{number}", "size": "xs"},
                        {"type": "separator"},
                        row,
                        {"type": "separator"},
                        {
                            "type": "box",
                            "layout": "horizontal",
                            "contents": [
                                {"type": "text", "text": "TOTAL", "weight": "bold"},
                                {
                                    "type": "text",
                                    "text": f"¥{item.price * count:,}",
                                    "align": "end",
                                    "weight": "bold",
                                },
                            ],
                        },
                    ],
                },
            },
        }
    )


RICH_MENU = {
    "size": {"width": 2500, "height": 843},
    "selected": True,
    "name": "Kizuna Café",
    "chatBarText": "Menu",
    "areas": [
        {
            "bounds": {"x": 0, "y": 0, "width": 833, "height": 843},
            "action": {"type": "message", "label": "Shop", "text": "menu"},
        },
        {
            "bounds": {"x": 833, "y": 0, "width": 834, "height": 843},
            "action": {
                "type": "postback",
                "label": "Orders",
                "data": Orders().pack(),
                "displayText": "My orders",
            },
        },
        {
            "bounds": {"x": 1667, "y": 0, "width": 833, "height": 843},
            "action": {"type": "uri", "label": "Help", "uri": "https://example.com/help"},
        },
    ],
}


def rich_menu_image() -> bytes:
    """Three labelled panels, as a designer would draw them (a real shop ships its PNG)."""
    image = Image.new("RGB", (2500, 843), "white")
    draw = ImageDraw.Draw(image)
    for n, (label, colour) in enumerate(
        (("SHOP", "#06C755"), ("ORDERS", "#2E86DE"), ("HELP", "#8E8E93"))
    ):
        left = n * 833
        draw.rectangle((left + 20, 20, left + 813, 823), fill=colour)
        draw.text((left + 380, 400), label, fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def install_rich_menu(access_token: str, api_base: str) -> str:
    """Creates the shop's rich menu, uploads its image and makes it every user's default."""
    configuration = Configuration(host=api_base, access_token=access_token)
    async with AsyncApiClient(configuration) as client:
        created = await AsyncMessagingApi(client).create_rich_menu(
            RichMenuRequest.from_dict(RICH_MENU)
        )
        await AsyncMessagingApiBlob(client).set_rich_menu_image(
            created.rich_menu_id,
            body=bytearray(rich_menu_image()),
            _headers={"Content-Type": "image/png"},
        )
        await AsyncMessagingApi(client).set_default_rich_menu(created.rich_menu_id)
    return str(created.rich_menu_id)


def create_bot(channel_secret: str, access_token: str, api_base: str) -> tuple[Bot, Shop]:
    bot = Bot(channel_secret=channel_secret, access_token=access_token, api_base=api_base)
    shop = Shop()

    @bot.follow()
    async def welcome(ctx: Context) -> None:
        profile = await ctx.profile()
        greeting = TextMessage.from_dict(
            {
                "type": "text",
                "text": f"Welcome to Kizuna Café, {profile.display_name}!",
                "quickReply": quick_replies(
                    ("Menu", {"type": "message", "text": "menu"}),
                    (
                        "My orders",
                        {"type": "postback", "data": Orders().pack(), "displayText": "My orders"},
                    ),
                ),
            }
        )
        await ctx.reply(greeting)

    @bot.message(Text("menu", ignore_case=True))
    async def menu(ctx: Context) -> None:
        await ctx.reply(menu_carousel())

    @bot.postback(Buy.filter())
    async def how_many(ctx: Context, data: Buy) -> None:
        item = CATALOG[data.sku]
        counts = [
            (
                str(n),
                {
                    "type": "postback",
                    "data": Quantity(sku=item.sku, count=n).pack(),
                    "displayText": f"{n} {item.name}",
                },
            )
            for n in (1, 2, 3)
        ]
        question = TextMessage.from_dict(
            {"type": "text", "text": f"How many {item.name}?", "quickReply": quick_replies(*counts)}
        )
        await ctx.reply(question)

    @bot.postback(Quantity.filter())
    async def confirm(ctx: Context, data: Quantity) -> None:
        item = CATALOG[data.sku]
        orders = shop.orders.setdefault(ctx.user_id or "", [])
        orders.append((item, data.count))
        await ctx.reply(receipt(item, data.count, len(orders)), "Thank you! It will be ready soon.")

    @bot.postback(Orders.filter())
    async def my_orders(ctx: Context) -> None:
        orders = shop.orders.get(ctx.user_id or "", [])
        if not orders:
            await ctx.reply("No orders yet. Say 'menu' to start.")
            return
        lines = [f"#{n} {item.name} x {count}" for n, (item, count) in enumerate(orders, 1)]
        await ctx.reply("\n".join(lines))

    return bot, shop


def _from_environment() -> Bot:
    bot, _ = create_bot(
        os.environ.get("SHOP_CHANNEL_SECRET", ""),
        os.environ.get("SHOP_ACCESS_TOKEN", ""),
        os.environ.get("SHOP_API_BASE", "https://api.line.me"),
    )
    return bot


app = _from_environment().asgi_app("/callback")
