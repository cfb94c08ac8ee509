"""Flex Messages: containers, blocks, every component, and where each may be placed."""

import copy
from typing import Any

import pytest

from tests.schemas.helpers import bubble_body, flex, problems

STAR = "https://developers-resource.landpress.line.me/fx/img/review_gold_star_28.png"
GRAY_STAR = "https://developers-resource.landpress.line.me/fx/img/review_gray_star_28.png"


def detail_row(label: str, value: str) -> dict[str, Any]:
    return {
        "type": "box",
        "layout": "baseline",
        "spacing": "sm",
        "contents": [
            {"type": "text", "text": label, "color": "#aaaaaa", "size": "sm", "flex": 1},
            {
                "type": "text",
                "text": value,
                "wrap": True,
                "color": "#666666",
                "size": "sm",
                "flex": 5,
            },
        ],
    }


# The "Brown Cafe" showcase of the Flex Message Simulator.
BROWN_CAFE: dict[str, Any] = {
    "type": "bubble",
    "hero": {
        "type": "image",
        "url": "https://developers-resource.landpress.line.me/fx/img/01_1_cafe.png",
        "size": "full",
        "aspectRatio": "20:13",
        "aspectMode": "cover",
        "action": {"type": "uri", "uri": "https://line.me/"},
    },
    "body": {
        "type": "box",
        "layout": "vertical",
        "contents": [
            {"type": "text", "text": "Brown Cafe", "weight": "bold", "size": "xl"},
            {
                "type": "box",
                "layout": "baseline",
                "margin": "md",
                "contents": [
                    *({"type": "icon", "size": "sm", "url": STAR} for _ in range(4)),
                    {"type": "icon", "size": "sm", "url": GRAY_STAR},
                    {
                        "type": "text",
                        "text": "4.0",
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
                    detail_row("Place", "Flex Tower, 7-7-4 Midori-ku, Tokyo"),
                    detail_row("Time", "10:00 - 23:00"),
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
                "style": "link",
                "height": "sm",
                "action": {"type": "uri", "label": "CALL", "uri": "https://line.me/"},
            },
            {
                "type": "button",
                "style": "link",
                "height": "sm",
                "action": {"type": "uri", "label": "WEBSITE", "uri": "https://line.me/"},
            },
            {"type": "box", "layout": "vertical", "contents": [], "margin": "sm"},
        ],
        "flex": 0,
    },
}

# The carousel of the "Flex Message elements" page.
CAROUSEL: dict[str, Any] = {
    "type": "carousel",
    "contents": [
        {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "horizontal",
                "contents": [
                    {
                        "type": "text",
                        "text": "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
                        "wrap": True,
                    }
                ],
            },
            "footer": {
                "type": "box",
                "layout": "horizontal",
                "contents": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action": {"type": "uri", "label": "Go", "uri": "https://example.com"},
                    }
                ],
            },
        },
        {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "horizontal",
                "contents": [{"type": "text", "text": "Hello, World!", "wrap": True}],
            },
        },
    ],
}

VIDEO_HERO: dict[str, Any] = {
    "type": "video",
    "url": "https://example.com/video.mp4",
    "previewUrl": "https://example.com/video_preview.jpg",
    "altContent": {
        "type": "image",
        "size": "full",
        "aspectRatio": "20:13",
        "aspectMode": "cover",
        "url": "https://example.com/image.jpg",
    },
    "aspectRatio": "20:13",
}


def test_official_examples() -> None:
    hello = bubble_body({"type": "text", "text": "hello"}, {"type": "text", "text": "world"})
    assert problems(flex(hello), flex(BROWN_CAFE), flex(CAROUSEL)) == []


def test_deep_paths() -> None:
    bubble = bubble_body(
        {"type": "text", "text": "hello"},
        {"type": "text", "text": "world"},
        {"type": "text", "size": "huge"},
    )
    assert problems(flex(bubble)) == [
        (
            "messages[0].contents.body.contents[2].size",
            "Must be one of the following values: "
            "[xxs, xs, sm, md, lg, xl, xxl, 3xl, 4xl, 5xl] or a value in px",
        ),
        ("messages[0].contents.body.contents[2].text", "May not be empty"),
    ]
    cafe = copy.deepcopy(BROWN_CAFE)
    cafe["body"]["contents"][2]["contents"][1]["contents"][1]["text"] = ""
    assert problems({"type": "text", "text": "ok"}, flex(cafe)) == [
        ("messages[1].contents.body.contents[2].contents[1].contents[1].text", "May not be empty")
    ]


def test_message_properties() -> None:
    assert problems({"type": "flex", "altText": "a" * 1501}) == [
        ("messages[0].altText", "Length must be between 0 and 1500"),
        ("messages[0].contents", "May not be empty"),
    ]
    assert problems(flex({"type": "box", "layout": "vertical", "contents": []})) == [
        ("messages[0].contents.type", "Must be one of the following values: [bubble, carousel]")
    ]


class TestBubble:
    def test_invalid_properties(self) -> None:
        bubble = {
            "type": "bubble",
            "size": "tera",
            "direction": "ttb",
            "header": {"type": "image", "url": "https://example.com/a.png"},
            "hero": {"type": "text", "text": "hero"},
            "styles": {"body": {"backgroundColor": "red", "separator": "yes"}},
            "action": {"type": "camera", "label": "Camera"},
        }
        assert problems(flex(bubble)) == [
            (
                "messages[0].contents.size",
                "Must be one of the following values: [nano, micro, deca, hecto, kilo, mega, giga]",
            ),
            ("messages[0].contents.direction", "Must be one of the following values: [ltr, rtl]"),
            ("messages[0].contents.header.type", "Must be one of the following values: [box]"),
            (
                "messages[0].contents.hero.type",
                "Must be one of the following values: [box, image, video]",
            ),
            (
                "messages[0].contents.styles.body.backgroundColor",
                "Must be a hex color code (#RRGGBB or #RRGGBBAA)",
            ),
            ("messages[0].contents.styles.body.separator", "Must be a boolean"),
            ("messages[0].contents.action.type", "Invalid action type"),
        ]

    def test_json_of_a_bubble_is_at_most_30_kb(self) -> None:
        texts = [{"type": "text", "text": "x" * 1000} for _ in range(31)]
        assert problems(flex(bubble_body(*texts))) == [
            ("messages[0].contents", "The JSON of a bubble must be 30 KB or less")
        ]


class TestCarousel:
    def test_between_1_and_12_bubbles(self) -> None:
        bubble = CAROUSEL["contents"][1]
        assert problems(flex({"type": "carousel", "contents": [bubble] * 12})) == []
        assert problems(flex({"type": "carousel", "contents": [bubble] * 13})) == [
            ("messages[0].contents.contents", "size must be between 1 and 12")
        ]
        assert problems(flex({"type": "carousel", "contents": []})) == [
            ("messages[0].contents.contents", "size must be between 1 and 12")
        ]

    def test_only_bubbles_of_one_size(self) -> None:
        bubble = CAROUSEL["contents"][1]
        contents = [bubble, {**bubble, "size": "kilo"}, {"type": "carousel", "contents": []}]
        assert problems(flex({"type": "carousel", "contents": contents})) == [
            (
                "messages[0].contents.contents[2].type",
                "Must be one of the following values: [bubble]",
            ),
            (
                "messages[0].contents.contents[1].size",
                "All bubbles in a carousel must have the same size",
            ),
        ]

    def test_json_of_a_carousel_is_at_most_50_kb(self) -> None:
        bubble = bubble_body(*({"type": "text", "text": "x" * 1000} for _ in range(20)))
        assert problems(flex({"type": "carousel", "contents": [bubble] * 3})) == [
            ("messages[0].contents", "The JSON of a carousel must be 50 KB or less")
        ]


class TestPlacement:
    @pytest.mark.parametrize("layout", ["horizontal", "vertical"])
    def test_flow_boxes(self, layout: str) -> None:
        contents: list[dict[str, Any]] = [
            {"type": "box", "layout": "vertical", "contents": []},
            {"type": "button", "action": {"type": "message", "label": "Hi", "text": "hi"}},
            {"type": "image", "url": "https://example.com/a.png"},
            {"type": "text", "text": "text"},
            {"type": "separator"},
            {"type": "filler"},
            {"type": "icon", "url": "https://example.com/a.png"},
            {"type": "span", "text": "span"},
            VIDEO_HERO,
        ]
        allowed = (
            "Must be one of the following values: [box, button, image, text, separator, filler]"
        )
        assert problems(flex(bubble_body(*contents, layout=layout))) == [
            ("messages[0].contents.body.contents[6].type", allowed),
            ("messages[0].contents.body.contents[7].type", allowed),
            ("messages[0].contents.body.contents[8].type", allowed),
        ]

    def test_baseline_boxes(self) -> None:
        contents: list[dict[str, Any]] = [
            {"type": "icon", "url": "https://example.com/a.png"},
            {"type": "text", "text": "text"},
            {"type": "filler"},
            {"type": "image", "url": "https://example.com/a.png"},
            {"type": "box", "layout": "vertical", "contents": []},
        ]
        allowed = "Must be one of the following values: [icon, text, filler]"
        assert problems(flex(bubble_body(*contents, layout="baseline"))) == [
            ("messages[0].contents.body.contents[3].type", allowed),
            ("messages[0].contents.body.contents[4].type", allowed),
        ]

    def test_video_only_in_the_hero_of_a_large_lone_bubble(self) -> None:
        assert problems(flex({"type": "bubble", "size": "kilo", "hero": VIDEO_HERO})) == []
        assert problems(flex({"type": "bubble", "hero": VIDEO_HERO})) == []
        assert problems(flex({"type": "bubble", "size": "micro", "hero": VIDEO_HERO})) == [
            ("messages[0].contents.size", "Must be kilo, mega or giga when the hero is a video")
        ]
        carousel = {"type": "carousel", "contents": [{"type": "bubble", "hero": VIDEO_HERO}]}
        assert problems(flex(carousel)) == [
            (
                "messages[0].contents.contents[0].hero",
                "A video can't be used in a bubble of a carousel",
            )
        ]

    def test_box_without_layout_still_checks_its_contents(self) -> None:
        box = {"type": "box", "contents": [{"type": "text"}]}
        assert problems(flex({"type": "bubble", "body": box})) == [
            ("messages[0].contents.body.layout", "May not be empty"),
            ("messages[0].contents.body.contents[0].text", "May not be empty"),
        ]


class TestComponents:
    def test_box_properties(self) -> None:
        box = {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": "t"}],
            "flex": -1,
            "spacing": "huge",
            "margin": "10%",
            "position": "fixed",
            "offsetTop": "-10px",
            "offsetStart": "ten",
            "backgroundColor": "#12345",
            "borderWidth": "semi-bold",
            "cornerRadius": "12px",
            "width": "50%",
            "maxWidth": "md",
            "paddingAll": "5%",
            "justifyContent": "left",
            "alignItems": "center",
            "background": {"type": "linearGradient", "angle": "360deg", "startColor": "#000000"},
        }
        spaces = "[none, xs, sm, md, lg, xl, xxl]"
        assert problems(flex({"type": "bubble", "body": box})) == [
            ("messages[0].contents.body.flex", "Must be greater than or equal to 0"),
            (
                "messages[0].contents.body.spacing",
                f"Must be one of the following values: {spaces} or a value in px",
            ),
            (
                "messages[0].contents.body.margin",
                f"Must be one of the following values: {spaces} or a value in px",
            ),
            (
                "messages[0].contents.body.position",
                "Must be one of the following values: [relative, absolute]",
            ),
            (
                "messages[0].contents.body.offsetStart",
                f"Must be one of the following values: {spaces} or a value in px or %",
            ),
            (
                "messages[0].contents.body.backgroundColor",
                "Must be a hex color code (#RRGGBB or #RRGGBBAA)",
            ),
            ("messages[0].contents.body.maxWidth", "Must be a value in px or %"),
            (
                "messages[0].contents.body.justifyContent",
                "Must be one of the following values: "
                "[flex-start, center, flex-end, space-between, space-around, space-evenly]",
            ),
            (
                "messages[0].contents.body.background.angle",
                "Must be at least 0deg and less than 360deg",
            ),
            ("messages[0].contents.body.background.endColor", "May not be empty"),
        ]

    def test_linear_gradient(self) -> None:
        gradient = {
            "type": "linearGradient",
            "angle": "90deg",
            "startColor": "#ff0000",
            "endColor": "#0000ff80",
            "centerColor": "#00ff00",
            "centerPosition": "30%",
        }
        box = {"type": "box", "layout": "vertical", "contents": [], "background": gradient}
        assert problems(flex({"type": "bubble", "body": box})) == []
        box["background"] = {**gradient, "type": "radialGradient"}
        assert problems(flex({"type": "bubble", "body": box})) == [
            (
                "messages[0].contents.body.background.type",
                "Must be one of the following values: [linearGradient]",
            )
        ]

    def test_button(self) -> None:
        ok = {"type": "message", "label": "l" * 40, "text": "hi"}
        assert problems(flex(bubble_body({"type": "button", "action": ok}))) == []
        button = {
            "type": "button",
            "action": {"type": "message", "label": "l" * 41, "text": "hi"},
            "style": "ghost",
            "height": "lg",
            "color": "blue",
            "adjustMode": "grow",
            "scaling": 1,
        }
        path = "messages[0].contents.body.contents[0]"
        assert problems(flex(bubble_body(button, {"type": "button"}))) == [
            (f"{path}.action.label", "Length must be between 0 and 40"),
            (f"{path}.color", "Must be a hex color code (#RRGGBB or #RRGGBBAA)"),
            (f"{path}.style", "Must be one of the following values: [primary, secondary, link]"),
            (f"{path}.height", "Must be one of the following values: [md, sm]"),
            (f"{path}.adjustMode", "Must be one of the following values: [shrink-to-fit]"),
            (f"{path}.scaling", "Must be a boolean"),
            ("messages[0].contents.body.contents[1].action", "May not be empty"),
        ]

    def test_button_label_is_required(self) -> None:
        button = {"type": "button", "action": {"type": "uri", "uri": "https://example.com"}}
        assert problems(flex(bubble_body(button))) == [
            ("messages[0].contents.body.contents[0].action.label", "May not be empty")
        ]

    def test_image(self) -> None:
        image = {
            "type": "image",
            "url": "http://example.com/a.png",
            "size": "huge",
            "aspectRatio": "1:4",
            "aspectMode": "fill",
            "align": "left",
            "gravity": "middle",
            "animated": "true",
        }
        path = "messages[0].contents.body.contents[0]"
        assert problems(
            flex(bubble_body(image, {"type": "image", "aspectRatio": "16/9", "size": "50%"}))
        ) == [
            (f"{path}.url", "invalid uri scheme"),
            (f"{path}.align", "Must be one of the following values: [start, end, center]"),
            (f"{path}.gravity", "Must be one of the following values: [top, bottom, center]"),
            (
                f"{path}.size",
                "Must be one of the following values: "
                "[xxs, xs, sm, md, lg, xl, xxl, 3xl, 4xl, 5xl, full] or a value in px or %",
            ),
            (f"{path}.aspectRatio", "Height can't be more than three times the width"),
            (f"{path}.aspectMode", "Must be one of the following values: [fit, cover]"),
            (f"{path}.animated", "Must be a boolean"),
            ("messages[0].contents.body.contents[1].url", "May not be empty"),
            (
                "messages[0].contents.body.contents[1].aspectRatio",
                "Must be in the {width}:{height} format",
            ),
        ]

    def test_at_most_ten_animated_images(self) -> None:
        image = {"type": "image", "url": "https://example.com/a.png", "animated": True}
        assert problems(flex(bubble_body(*[image] * 10))) == []
        assert problems(flex(bubble_body(*[image] * 11))) == [
            (
                "messages[0].contents.body.contents[10].animated",
                "Up to 10 images in a message may be animated",
            )
        ]

    def test_video(self) -> None:
        video = {
            "type": "video",
            "url": "https://example.com/v.mp4",
            "altContent": {"type": "text", "text": "x"},
        }
        assert problems(flex({"type": "bubble", "hero": video})) == [
            ("messages[0].contents.hero.previewUrl", "May not be empty"),
            (
                "messages[0].contents.hero.altContent.type",
                "Must be one of the following values: [box, image]",
            ),
        ]

    def test_icon(self) -> None:
        icon = {
            "type": "icon",
            "url": "https://example.com/a.png",
            "size": "full",
            "aspectRatio": "0:1",
        }
        path = "messages[0].contents.body.contents[0]"
        assert problems(flex(bubble_body(icon, layout="baseline"))) == [
            (
                f"{path}.size",
                "Must be one of the following values: "
                "[xxs, xs, sm, md, lg, xl, xxl, 3xl, 4xl, 5xl] or a value in px",
            ),
            (f"{path}.aspectRatio", "Width and height must be between 1 and 100000"),
        ]

    def test_text_with_spans(self) -> None:
        text = {
            "type": "text",
            "contents": [
                {"type": "span", "text": "Hello, "},
                {
                    "type": "span",
                    "text": "world",
                    "weight": "bold",
                    "color": "#ff0000",
                    "decoration": "underline",
                },
            ],
            "maxLines": 2,
            "wrap": True,
            "lineSpacing": "12px",
            "adjustMode": "shrink-to-fit",
            "scaling": True,
        }
        assert problems(flex(bubble_body(text))) == []

    def test_invalid_text_and_spans(self) -> None:
        text = {
            "type": "text",
            "text": "t",
            "contents": [
                {"type": "span"},
                {"type": "text", "text": "nested"},
                {"type": "span", "text": "s", "style": "oblique"},
            ],
            "maxLines": -1,
            "weight": "heavy",
            "decoration": "overline",
            "wrap": "yes",
            "lineSpacing": "1.5",
        }
        path = "messages[0].contents.body.contents[0]"
        assert problems(flex(bubble_body(text))) == [
            (f"{path}.contents[0].text", "May not be empty"),
            (f"{path}.contents[1].type", "Must be one of the following values: [span]"),
            (f"{path}.contents[2].style", "Must be one of the following values: [normal, italic]"),
            (f"{path}.weight", "Must be one of the following values: [regular, bold]"),
            (
                f"{path}.decoration",
                "Must be one of the following values: [none, underline, line-through]",
            ),
            (f"{path}.wrap", "Must be a boolean"),
            (f"{path}.lineSpacing", "Must be a value in px"),
            (f"{path}.maxLines", "Must be greater than or equal to 0"),
        ]

    def test_separator_and_filler(self) -> None:
        contents: list[dict[str, Any]] = [
            {"type": "separator", "margin": "xxl", "color": "#cccccc"},
            {"type": "filler", "flex": 2},
            {"type": "separator", "color": "gray"},
            {"type": "filler", "flex": "2"},
        ]
        assert problems(flex(bubble_body(*contents))) == [
            (
                "messages[0].contents.body.contents[2].color",
                "Must be a hex color code (#RRGGBB or #RRGGBBAA)",
            ),
            ("messages[0].contents.body.contents[3].flex", "Must be an integer"),
        ]

    def test_component_actions_use_flex_rules(self) -> None:
        text = {"type": "text", "text": "t", "action": {"type": "message", "text": "no label"}}
        box = {
            "type": "box",
            "layout": "vertical",
            "contents": [text],
            "action": {"type": "richmenuswitch", "richMenuAliasId": "a", "data": "d"},
        }
        assert problems(flex({"type": "bubble", "body": box})) == [
            ("messages[0].contents.body.action.type", "Invalid action type")
        ]
