"""Messages a bot sends in the browser tests, built the way LINE's own samples are."""

from typing import Any

IMG = "https://example.com/img"


def receipt() -> dict[str, Any]:
    """A Flex receipt: a bold header, baseline rows with flex ratios, a separator, a button."""

    def row(name: str, price: str) -> dict[str, Any]:
        return {
            "type": "box",
            "layout": "horizontal",
            "contents": [
                {"type": "text", "text": name, "size": "sm", "color": "#555555", "flex": 2},
                {
                    "type": "text",
                    "text": price,
                    "size": "sm",
                    "color": "#111111",
                    "align": "end",
                    "flex": 1,
                },
            ],
        }

    return {
        "type": "flex",
        "altText": "Receipt",
        "contents": {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "vertical",
                "contents": [
                    {
                        "type": "text",
                        "text": "RECEIPT",
                        "weight": "bold",
                        "color": "#1DB446",
                        "size": "sm",
                    },
                    {
                        "type": "text",
                        "text": "Kizuna Store",
                        "weight": "bold",
                        "size": "xxl",
                        "margin": "md",
                    },
                    {
                        "type": "text",
                        "text": "Shibuya, Tokyo",
                        "size": "xs",
                        "color": "#aaaaaa",
                        "wrap": True,
                    },
                    {"type": "separator", "margin": "xxl"},
                    {
                        "type": "box",
                        "layout": "vertical",
                        "margin": "xxl",
                        "spacing": "sm",
                        "contents": [
                            row("Energy drink", "¥290"),
                            row("Chewing gum", "¥180"),
                            row("Bottled water", "¥105"),
                        ],
                    },
                    {"type": "separator", "margin": "xxl"},
                    {
                        "type": "box",
                        "layout": "horizontal",
                        "margin": "md",
                        "contents": [
                            {"type": "text", "text": "TOTAL", "size": "sm", "weight": "bold"},
                            {
                                "type": "text",
                                "text": "¥575",
                                "size": "sm",
                                "weight": "bold",
                                "align": "end",
                            },
                        ],
                    },
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
                            "label": "Buy",
                            "data": "action=buy",
                            "displayText": "Buy",
                        },
                    },
                ],
            },
        },
    }


def product(name: str, price: str, stars: int, image: str) -> dict[str, Any]:
    star = {"type": "icon", "size": "sm", "url": f"{IMG}/star.png"}
    grey = {"type": "icon", "size": "sm", "url": f"{IMG}/star-grey.png"}
    return {
        "type": "bubble",
        "hero": {
            "type": "image",
            "url": f"{IMG}/{image}",
            "size": "full",
            "aspectRatio": "20:13",
            "aspectMode": "cover",
            "action": {"type": "uri", "uri": "https://example.com/"},
        },
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": name, "weight": "bold", "size": "xl"},
                {
                    "type": "box",
                    "layout": "baseline",
                    "margin": "md",
                    "contents": [
                        *([star] * stars),
                        *([grey] * (5 - stars)),
                        {
                            "type": "text",
                            "text": f"{stars}.0",
                            "size": "sm",
                            "color": "#999999",
                            "margin": "md",
                            "flex": 0,
                        },
                    ],
                },
                {
                    "type": "box",
                    "layout": "vertical",
                    "margin": "lg",
                    "spacing": "sm",
                    "contents": [
                        {
                            "type": "box",
                            "layout": "baseline",
                            "spacing": "sm",
                            "contents": [
                                {
                                    "type": "text",
                                    "text": "Price",
                                    "color": "#aaaaaa",
                                    "size": "sm",
                                    "flex": 1,
                                },
                                {
                                    "type": "text",
                                    "wrap": True,
                                    "size": "sm",
                                    "flex": 5,
                                    "contents": [
                                        {
                                            "type": "span",
                                            "text": price,
                                            "weight": "bold",
                                            "color": "#e8505b",
                                        },
                                        {
                                            "type": "span",
                                            "text": " tax incl.",
                                            "size": "xs",
                                            "color": "#999999",
                                        },
                                    ],
                                },
                            ],
                        },
                        {
                            "type": "box",
                            "layout": "baseline",
                            "spacing": "sm",
                            "contents": [
                                {
                                    "type": "text",
                                    "text": "Place",
                                    "color": "#aaaaaa",
                                    "size": "sm",
                                    "flex": 1,
                                },
                                {
                                    "type": "text",
                                    "text": "Flex Tower, 7-7-4 Midori-ku, Tokyo",
                                    "wrap": True,
                                    "color": "#666666",
                                    "size": "sm",
                                    "flex": 5,
                                },
                            ],
                        },
                    ],
                },
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": [
                {
                    "type": "button",
                    "style": "primary",
                    "height": "sm",
                    "action": {"type": "postback", "label": "Add to cart", "data": f"add={name}"},
                },
                {
                    "type": "button",
                    "style": "secondary",
                    "height": "sm",
                    "action": {
                        "type": "message",
                        "label": "Ask a question",
                        "text": f"About {name}",
                    },
                },
                {
                    "type": "button",
                    "style": "link",
                    "height": "sm",
                    "action": {
                        "type": "uri",
                        "label": "Website",
                        "uri": "https://example.com/shop",
                    },
                },
            ],
        },
    }


def carousel() -> dict[str, Any]:
    gradient = {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "justifyContent": "space-between",
            "background": {
                "type": "linearGradient",
                "angle": "135deg",
                "startColor": "#06c755",
                "endColor": "#0a7cff",
            },
            "contents": [
                {
                    "type": "text",
                    "text": "SPRING SALE",
                    "color": "#ffffff",
                    "weight": "bold",
                    "size": "xl",
                },
                {
                    "type": "box",
                    "layout": "horizontal",
                    "margin": "lg",
                    "contents": [
                        {
                            "type": "box",
                            "layout": "vertical",
                            "cornerRadius": "xxl",
                            "backgroundColor": "#ffffff55",
                            "paddingAll": "md",
                            "contents": [
                                {
                                    "type": "text",
                                    "text": "-30%",
                                    "color": "#ffffff",
                                    "align": "center",
                                    "weight": "bold",
                                }
                            ],
                        },
                        {"type": "filler"},
                    ],
                },
                {
                    "type": "text",
                    "text": "Until Sunday. Every item in the shop.",
                    "wrap": True,
                    "color": "#ffffffcc",
                    "size": "sm",
                    "margin": "lg",
                },
            ],
        },
    }
    return {
        "type": "flex",
        "altText": "Products",
        "contents": {
            "type": "carousel",
            "contents": [
                product("Brown Cafe", "¥1,200", 4, "cafe.jpg"),
                product("Sally's Bakery", "¥800", 3, "bakery.jpg"),
                gradient,
            ],
        },
    }


def buttons() -> dict[str, Any]:
    return {
        "type": "template",
        "altText": "Menu",
        "template": {
            "type": "buttons",
            "thumbnailImageUrl": f"{IMG}/menu.jpg",
            "imageAspectRatio": "rectangle",
            "imageSize": "cover",
            "title": "Today's menu",
            "text": "Pick what you would like",
            "actions": [
                {"type": "postback", "label": "Buy", "data": "action=buy&itemid=123"},
                {"type": "message", "label": "Add to cart", "text": "Add to cart"},
                {"type": "uri", "label": "View detail", "uri": "https://example.com/page/123"},
            ],
        },
        "quickReply": {
            "items": [
                {
                    "type": "action",
                    "action": {"type": "message", "label": "Sushi", "text": "Sushi"},
                },
                {
                    "type": "action",
                    "action": {"type": "message", "label": "Tempura", "text": "Tempura"},
                },
                {"type": "action", "action": {"type": "location", "label": "Send location"}},
            ]
        },
    }


def rich_menu() -> dict[str, Any]:
    third = 2500 // 3
    labels = ["Shop", "Orders", "Help"]
    return {
        "size": {"width": 2500, "height": 843},
        "selected": True,
        "name": "Main",
        "chatBarText": "Menu",
        "areas": [
            {
                "bounds": {
                    "x": third * i,
                    "y": 0,
                    "width": third if i < 2 else 2500 - 2 * third,
                    "height": 843,
                },
                "action": {"type": "postback", "label": label, "data": f"menu={label.lower()}"},
            }
            for i, label in enumerate(labels)
        ],
    }
