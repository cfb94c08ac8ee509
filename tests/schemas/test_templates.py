"""Template messages: buttons, confirm, carousel and image carousel."""

import copy
from typing import Any

from tests.schemas.helpers import problems

BUY = {"type": "postback", "label": "Buy", "data": "action=buy&itemid=123"}
ADD = {"type": "postback", "label": "Add to cart", "data": "action=add&itemid=123"}
VIEW = {"type": "uri", "label": "View detail", "uri": "http://example.com/page/123"}

BUTTONS: dict[str, Any] = {
    "type": "template",
    "altText": "This is a buttons template",
    "template": {
        "type": "buttons",
        "thumbnailImageUrl": "https://example.com/bot/images/image.jpg",
        "imageAspectRatio": "rectangle",
        "imageSize": "cover",
        "imageBackgroundColor": "#FFFFFF",
        "title": "Menu",
        "text": "Please select",
        "defaultAction": {
            "type": "uri",
            "label": "View detail",
            "uri": "http://example.com/page/123",
        },
        "actions": [BUY, ADD, VIEW],
    },
}

CONFIRM = {
    "type": "template",
    "altText": "this is a confirm template",
    "template": {
        "type": "confirm",
        "text": "Are you sure?",
        "actions": [
            {"type": "message", "label": "Yes", "text": "yes"},
            {"type": "message", "label": "No", "text": "no"},
        ],
    },
}

COLUMN = {
    "thumbnailImageUrl": "https://example.com/bot/images/item1.jpg",
    "imageBackgroundColor": "#FFFFFF",
    "title": "this is menu",
    "text": "description",
    "defaultAction": {"type": "uri", "label": "View detail", "uri": "http://example.com/page/123"},
    "actions": [BUY, ADD, VIEW],
}

CAROUSEL: dict[str, Any] = {
    "type": "template",
    "altText": "this is a carousel template",
    "template": {
        "type": "carousel",
        "columns": [COLUMN, {**COLUMN, "imageBackgroundColor": "#000000"}],
        "imageAspectRatio": "rectangle",
        "imageSize": "cover",
    },
}

IMAGE_CAROUSEL: dict[str, Any] = {
    "type": "template",
    "altText": "this is a image carousel template",
    "template": {
        "type": "image_carousel",
        "columns": [
            {
                "imageUrl": "https://example.com/bot/images/item1.jpg",
                "action": {"type": "postback", "label": "Buy", "data": "action=buy&itemid=111"},
            },
            {
                "imageUrl": "https://example.com/bot/images/item2.jpg",
                "action": {"type": "message", "label": "Yes", "text": "yes"},
            },
            {
                "imageUrl": "https://example.com/bot/images/item3.jpg",
                "action": {
                    "type": "uri",
                    "label": "View detail",
                    "uri": "http://example.com/page/222",
                },
            },
        ],
    },
}


def with_template(message: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(message)
    changed["template"].update(changes)
    return changed


def test_official_examples() -> None:
    assert problems(BUTTONS, CONFIRM, CAROUSEL, IMAGE_CAROUSEL) == []


def test_common_properties() -> None:
    assert problems({"type": "template", "altText": "a" * 1501}) == [
        ("messages[0].altText", "Length must be between 0 and 1500"),
        ("messages[0].template", "May not be empty"),
    ]
    assert problems({"type": "template", "altText": "alt", "template": {"type": "list"}}) == [
        (
            "messages[0].template.type",
            "Must be one of the following values: [buttons, confirm, carousel, image_carousel]",
        )
    ]


class TestButtons:
    def test_text_limit_depends_on_image_and_title(self) -> None:
        plain = with_template(BUTTONS, text="t" * 160)
        del plain["template"]["thumbnailImageUrl"], plain["template"]["title"]
        assert problems(plain) == []
        plain["template"]["text"] += "t"
        assert problems(plain) == [
            ("messages[0].template.text", "Length must be between 0 and 160")
        ]
        assert problems(with_template(BUTTONS, text="t" * 61)) == [
            ("messages[0].template.text", "Length must be between 0 and 60")
        ]

    def test_invalid(self) -> None:
        message = with_template(
            BUTTONS,
            thumbnailImageUrl="http://example.com/a.jpg",
            imageAspectRatio="wide",
            imageSize="fill",
            imageBackgroundColor="white",
            title="t" * 41,
            text=None,
            defaultAction={"type": "message", "text": "no label needed"},
            actions=[BUY, ADD, VIEW, BUY, ADD],
        )
        assert problems(message) == [
            ("messages[0].template.thumbnailImageUrl", "invalid uri scheme"),
            (
                "messages[0].template.imageAspectRatio",
                "Must be one of the following values: [rectangle, square]",
            ),
            (
                "messages[0].template.imageSize",
                "Must be one of the following values: [cover, contain]",
            ),
            ("messages[0].template.imageBackgroundColor", "Must be a hex color code (#RRGGBB)"),
            ("messages[0].template.title", "Length must be between 0 and 40"),
            ("messages[0].template.text", "May not be empty"),
            ("messages[0].template.actions", "size must be between 1 and 4"),
        ]

    def test_action_problems_are_reported_at_their_path(self) -> None:
        message = with_template(BUTTONS, actions=[BUY, {"type": "message", "label": "l" * 21}])
        assert problems(message) == [
            ("messages[0].template.actions[1].label", "Length must be between 0 and 20"),
            ("messages[0].template.actions[1].text", "May not be empty"),
        ]


class TestConfirm:
    def test_exactly_two_actions_and_text_up_to_240(self) -> None:
        message = with_template(CONFIRM, text="t" * 241, actions=[BUY])
        assert problems(message) == [
            ("messages[0].template.text", "Length must be between 0 and 240"),
            ("messages[0].template.actions", "size must be between 2 and 2"),
        ]


class TestCarousel:
    def test_between_1_and_10_columns(self) -> None:
        assert problems(with_template(CAROUSEL, columns=[COLUMN] * 10)) == []
        assert problems(with_template(CAROUSEL, columns=[COLUMN] * 11)) == [
            ("messages[0].template.columns", "size must be between 1 and 10")
        ]

    def test_columns_are_consistent(self) -> None:
        bare = {"text": "no image, no title", "actions": [BUY]}
        message = with_template(CAROUSEL, columns=[COLUMN, bare])
        assert problems(message) == [
            (
                "messages[0].template.columns[1].actions",
                "All columns must have the same number of actions",
            ),
            (
                "messages[0].template.columns[1].thumbnailImageUrl",
                "Specify thumbnailImageUrl for all columns or for none",
            ),
            ("messages[0].template.columns[1].title", "Specify title for all columns or for none"),
        ]

    def test_column_limits(self) -> None:
        plain = {"text": "t" * 120, "actions": [BUY]}
        assert problems(with_template(CAROUSEL, columns=[plain])) == []
        column = {**COLUMN, "text": "t" * 61, "actions": [BUY, ADD, VIEW, BUY]}
        assert problems(with_template(CAROUSEL, columns=[column])) == [
            ("messages[0].template.columns[0].actions", "size must be between 1 and 3"),
            ("messages[0].template.columns[0].text", "Length must be between 0 and 60"),
        ]


class TestImageCarousel:
    def test_label_is_optional_and_at_most_12(self) -> None:
        column = {
            "imageUrl": "https://example.com/a.jpg",
            "action": {"type": "message", "text": "y"},
        }
        assert problems(with_template(IMAGE_CAROUSEL, columns=[column])) == []
        long_label = {**column, "action": {"type": "message", "label": "l" * 13, "text": "y"}}
        assert problems(with_template(IMAGE_CAROUSEL, columns=[long_label])) == [
            ("messages[0].template.columns[0].action.label", "Length must be between 0 and 12")
        ]

    def test_invalid_columns(self) -> None:
        columns = [{"imageUrl": "ftp://example.com/a.jpg"}, {"action": {"type": "camera"}}]
        assert problems(with_template(IMAGE_CAROUSEL, columns=columns)) == [
            ("messages[0].template.columns[0].imageUrl", "invalid uri scheme"),
            ("messages[0].template.columns[0].action", "May not be empty"),
            ("messages[0].template.columns[1].imageUrl", "May not be empty"),
            ("messages[0].template.columns[1].action.type", "Invalid action type"),
        ]
        assert problems(with_template(IMAGE_CAROUSEL, columns=[])) == [
            ("messages[0].template.columns", "size must be between 1 and 10")
        ]
