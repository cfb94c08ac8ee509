"""Message objects: the public entry points, every non-template message type, common properties."""

from typing import Any, ClassVar

import pytest

from app.kit.errors import BadRequest, ErrorDetail
from app.schemas.messages import collect_message_errors, validate_message, validate_messages
from tests.schemas.helpers import problems, text

IMAGE = {
    "type": "image",
    "originalContentUrl": "https://example.com/original.jpg",
    "previewImageUrl": "https://example.com/preview.jpg",
}


class TestValidateMessages:
    def test_returns_the_same_dicts(self) -> None:
        messages = [text(), dict(IMAGE)]
        assert validate_messages(messages) is messages

    def test_raises_one_bad_request_listing_every_problem(self) -> None:
        body = [text(""), {"type": "unknown"}, {**IMAGE, "previewImageUrl": "http://x.com/a"}]
        with pytest.raises(BadRequest) as raised:
            validate_messages(body)
        assert raised.value.to_wire() == {
            "message": "The request body has 3 error(s)",
            "details": [
                {"message": "May not be empty", "property": "messages[0].text"},
                {
                    "message": "Must be one of the following values: [text, textV2, sticker, "
                    "image, video, audio, location, imagemap, template, flex, coupon]",
                    "property": "messages[1].type",
                },
                {"message": "invalid uri scheme", "property": "messages[2].previewImageUrl"},
            ],
        }

    @pytest.mark.parametrize("count", [0, 6])
    def test_between_one_and_five_messages(self, count: int) -> None:
        with pytest.raises(BadRequest) as raised:
            validate_messages([text()] * count)
        assert raised.value.details == [
            ErrorDetail("size must be between 1 and 5", "messages"),
        ]

    def test_bounds_and_property_name_are_the_callers(self) -> None:
        details = collect_message_errors([text()] * 3, "notificationMessages", max_items=2)
        assert details == [ErrorDetail("size must be between 1 and 2", "notificationMessages")]

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, ("messages", "May not be empty")),
            ({"type": "text"}, ("messages", "Must be an array")),
            ([None], ("messages[0]", "May not be empty")),
            (["hello"], ("messages[0]", "Must be an object")),
            ([{"text": "hi"}], ("messages[0].type", "May not be empty")),
        ],
    )
    def test_shape_of_the_array(self, value: object, expected: tuple[str, str]) -> None:
        details = collect_message_errors(value, "messages")
        assert [(d.property, d.message) for d in details] == [expected]

    def test_unknown_properties_are_ignored(self) -> None:
        assert problems(text(notificationHint="ignored", extra={"a": 1})) == []


class TestValidateMessage:
    def test_one_message_at_its_own_path(self) -> None:
        message = text()
        assert validate_message(message, "message") is message
        with pytest.raises(BadRequest) as raised:
            validate_message({"type": "text", "text": 5}, "message")
        assert raised.value.details == [ErrorDetail("Must be a string", "message.text")]


class TestText:
    def test_official_example_with_line_emoji(self) -> None:
        message = {
            "type": "text",
            "text": "$ LINE emoji $",
            "emojis": [
                {"index": 0, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"},
                {"index": 13, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "002"},
            ],
        }
        assert problems(message) == []

    def test_quote_token(self) -> None:
        assert problems(text(quoteToken="q3Plxr4AgKd...")) == []

    def test_length_counts_utf16_units(self) -> None:
        assert problems(text("a" * 5000)) == []
        assert problems(text("🍎" * 2500)) == []
        assert problems(text("🍎" * 2501)) == [
            ("messages[0].text", "Length must be between 0 and 5000")
        ]

    @pytest.mark.parametrize(
        ("message", "expected"),
        [
            ({"type": "text"}, [("messages[0].text", "May not be empty")]),
            (text(""), [("messages[0].text", "May not be empty")]),
            (text(42), [("messages[0].text", "Must be a string")]),
            (text(["a"]), [("messages[0].text", "Must be a string")]),
        ],
    )
    def test_invalid_text(self, message: dict[str, Any], expected: list[tuple[str, str]]) -> None:
        assert problems(message) == expected

    def test_emoji_index_must_point_at_a_dollar_in_utf16_units(self) -> None:
        good = {"index": 2, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}
        assert problems(text("🍎$", emojis=[good])) == []
        assert problems(text("🍎 $", emojis=[good])) == [
            ("messages[0].emojis[0].index", "Must be the index of a $ placeholder in text")
        ]

    def test_emoji_problems(self) -> None:
        emojis: list[Any] = [
            {"index": 0, "productId": "p", "emojiId": "001"},
            {"index": 0, "productId": "p", "emojiId": "002"},
            {"index": -1, "emojiId": "003"},
            {"index": "1", "productId": "p", "emojiId": "004"},
        ]
        assert problems(text("$$", emojis=emojis)) == [
            ("messages[0].emojis[2].index", "Must be greater than or equal to 0"),
            ("messages[0].emojis[2].productId", "May not be empty"),
            ("messages[0].emojis[3].index", "Must be an integer"),
            ("messages[0].emojis[1].index", "Another emoji already uses this $ placeholder"),
        ]

    def test_at_most_20_emojis(self) -> None:
        emojis = [{"index": i, "productId": "p", "emojiId": "001"} for i in range(21)]
        assert problems(text("$" * 21, emojis=emojis)) == [
            ("messages[0].emojis", "size must be between 0 and 20")
        ]


class TestTextV2:
    OFFICIAL: ClassVar[dict[str, Any]] = {
        "type": "textV2",
        "text": "Welcome, {user1}! {laugh}\n{everyone} There is a newcomer!",
        "substitution": {
            "user1": {
                "type": "mention",
                "mentionee": {"type": "user", "userId": "U49585cd0d5..."},
            },
            "laugh": {"type": "emoji", "productId": "5a8555cfe6256cc92ea23c1a", "emojiId": "002"},
            "everyone": {"type": "mention", "mentionee": {"type": "all"}},
        },
    }

    def test_official_example(self) -> None:
        assert problems(self.OFFICIAL) == []

    def test_doubled_braces_are_literal(self) -> None:
        assert problems({"type": "textV2", "text": "Use {{name}} for a brace"}) == []

    def test_every_placeholder_must_be_defined(self) -> None:
        message = {**self.OFFICIAL, "text": "{user1} {stranger} {{x}} {other}"}
        assert problems(message) == [
            ("messages[0].text", "{stranger} is not defined in substitution"),
            ("messages[0].text", "{other} is not defined in substitution"),
        ]

    def test_substitution_objects(self) -> None:
        message = {
            "type": "textV2",
            "text": "{a}{b}{c}{d}",
            "substitution": {
                "a": {"type": "mention", "mentionee": {"type": "user"}},
                "b": {"type": "mention", "mentionee": {"type": "group"}},
                "c": {"type": "emoji", "productId": "5a8555cfe6256cc92ea23c1a"},
                "d": {"type": "sticker"},
            },
        }
        assert problems(message) == [
            ("messages[0].substitution.a.mentionee.userId", "May not be empty"),
            (
                "messages[0].substitution.b.mentionee.type",
                "Must be one of the following values: [user, all]",
            ),
            ("messages[0].substitution.c.emojiId", "May not be empty"),
            (
                "messages[0].substitution.d.type",
                "Must be one of the following values: [mention, emoji]",
            ),
        ]

    def test_text_limit(self) -> None:
        assert problems({"type": "textV2", "text": "x" * 5001}) == [
            ("messages[0].text", "Length must be between 0 and 5000")
        ]


class TestSticker:
    def test_official_example(self) -> None:
        assert problems({"type": "sticker", "packageId": "446", "stickerId": "1988"}) == []

    def test_ids_are_required_strings(self) -> None:
        assert problems({"type": "sticker", "packageId": 446}) == [
            ("messages[0].packageId", "Must be a string"),
            ("messages[0].stickerId", "May not be empty"),
        ]


class TestImageAndVideo:
    VIDEO: ClassVar[dict[str, Any]] = {
        "type": "video",
        "originalContentUrl": "https://example.com/original.mp4",
        "previewImageUrl": "https://example.com/preview.jpg",
        "trackingId": "track-id",
    }

    def test_official_examples(self) -> None:
        assert problems(IMAGE, self.VIDEO) == []

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("http://example.com/a.jpg", "invalid uri scheme"),
            ("example.com/a.jpg", "invalid uri"),
            ("https://", "invalid uri"),
            ("https://example.com/" + "a" * 1981, "Length must be between 0 and 2000"),
        ],
    )
    def test_urls_are_https_and_at_most_2000(self, url: str, message: str) -> None:
        assert problems({**IMAGE, "originalContentUrl": url}) == [
            ("messages[0].originalContentUrl", message)
        ]

    def test_missing_urls(self) -> None:
        assert problems({"type": "video"}) == [
            ("messages[0].originalContentUrl", "May not be empty"),
            ("messages[0].previewImageUrl", "May not be empty"),
        ]

    @pytest.mark.parametrize(
        ("tracking_id", "message"),
        [
            ("a" * 101, "Length must be between 0 and 100"),
            ("has space", "Only letters, digits and -.=,+*()%$&;:@{}!?<>[] may be used"),
        ],
    )
    def test_tracking_id(self, tracking_id: str, message: str) -> None:
        assert problems({**self.VIDEO, "trackingId": tracking_id}) == [
            ("messages[0].trackingId", message)
        ]


class TestAudio:
    def test_official_example(self) -> None:
        audio = {
            "type": "audio",
            "originalContentUrl": "https://example.com/original.m4a",
            "duration": 60000,
        }
        assert problems(audio) == []

    def test_duration(self) -> None:
        audio = {"type": "audio", "originalContentUrl": "https://example.com/a.m4a"}
        assert problems(audio) == [("messages[0].duration", "May not be empty")]
        assert problems({**audio, "duration": "60000"}) == [
            ("messages[0].duration", "Must be an integer")
        ]
        assert problems({**audio, "duration": -1}) == [
            ("messages[0].duration", "Must be greater than or equal to 0")
        ]


class TestLocation:
    OFFICIAL: ClassVar[dict[str, Any]] = {
        "type": "location",
        "title": "my location",
        "address": "1-3 Kioicho, Chiyoda-ku, Tokyo, 102-8282, Japan",
        "latitude": 35.67966,
        "longitude": 139.73669,
    }

    def test_official_example(self) -> None:
        assert problems(self.OFFICIAL) == []

    def test_invalid(self) -> None:
        message = {**self.OFFICIAL, "title": "t" * 101, "latitude": 91, "longitude": "139.7"}
        del message["address"]
        assert problems(message) == [
            ("messages[0].title", "Length must be between 0 and 100"),
            ("messages[0].address", "May not be empty"),
            ("messages[0].latitude", "Must be between -90 and 90"),
            ("messages[0].longitude", "Must be a number"),
        ]


class TestImagemap:
    OFFICIAL: ClassVar[dict[str, Any]] = {
        "type": "imagemap",
        "baseUrl": "https://example.com/bot/images/rm001",
        "altText": "This is an imagemap",
        "baseSize": {"width": 1040, "height": 1040},
        "video": {
            "originalContentUrl": "https://example.com/video.mp4",
            "previewImageUrl": "https://example.com/video_preview.jpg",
            "area": {"x": 0, "y": 0, "width": 1040, "height": 585},
            "externalLink": {"linkUri": "https://example.com/see_more.html", "label": "See More"},
        },
        "actions": [
            {
                "type": "uri",
                "linkUri": "https://example.com/",
                "area": {"x": 0, "y": 586, "width": 520, "height": 454},
            },
            {
                "type": "message",
                "text": "Hello",
                "area": {"x": 520, "y": 586, "width": 520, "height": 454},
            },
        ],
    }

    def test_official_example(self) -> None:
        clipboard = {
            "type": "clipboard",
            "clipboardText": "3B48740B",
            "label": "Copy",
            "area": {"x": 0, "y": 0, "width": 10, "height": 10},
        }
        assert problems({**self.OFFICIAL, "actions": [*self.OFFICIAL["actions"], clipboard]}) == []

    def test_invalid(self) -> None:
        message = {
            **self.OFFICIAL,
            "altText": "a" * 1501,
            "baseSize": {"width": 1000},
            "video": {"area": {"x": 0, "y": 0, "width": 0, "height": 1}, "externalLink": {}},
            "actions": [
                {"type": "uri", "linkUri": "ftp://example.com", "area": {}},
                {
                    "type": "message",
                    "text": "t" * 401,
                    "area": {"x": -1, "y": 0, "width": 1, "height": 1},
                },
                {"type": "postback", "data": "x"},
            ],
        }
        assert problems(message) == [
            ("messages[0].altText", "Length must be between 0 and 1500"),
            ("messages[0].baseSize.width", "Must be 1040"),
            ("messages[0].baseSize.height", "May not be empty"),
            ("messages[0].actions[0].linkUri", "invalid uri scheme"),
            ("messages[0].actions[0].area.x", "May not be empty"),
            ("messages[0].actions[0].area.y", "May not be empty"),
            ("messages[0].actions[0].area.width", "May not be empty"),
            ("messages[0].actions[0].area.height", "May not be empty"),
            ("messages[0].actions[1].text", "Length must be between 0 and 400"),
            ("messages[0].actions[1].area.x", "Must be greater than or equal to 0"),
            ("messages[0].actions[2].type", "Invalid action type"),
            ("messages[0].video.originalContentUrl", "May not be empty"),
            ("messages[0].video.previewImageUrl", "May not be empty"),
            ("messages[0].video.area.width", "Must be greater than or equal to 1"),
            ("messages[0].video.externalLink.linkUri", "May not be empty"),
            ("messages[0].video.externalLink.label", "May not be empty"),
        ]

    def test_between_1_and_50_actions(self) -> None:
        action = self.OFFICIAL["actions"][0]
        assert problems({**self.OFFICIAL, "actions": []}) == [
            ("messages[0].actions", "size must be between 1 and 50")
        ]
        assert problems({**self.OFFICIAL, "actions": [action] * 51}) == [
            ("messages[0].actions", "size must be between 1 and 50")
        ]


class TestCoupon:
    def test_valid(self) -> None:
        assert problems({"type": "coupon", "couponId": "01JYNW8JMQVFBNWFA4WNBMPP7A"}) == []

    def test_invalid(self) -> None:
        assert problems({"type": "coupon", "deliveryTag": "t" * 31}) == [
            ("messages[0].couponId", "May not be empty"),
            ("messages[0].deliveryTag", "Length must be between 0 and 30"),
        ]


class TestQuickReply:
    OFFICIAL = text(
        "Select your favorite food category or send me your location!",
        quickReply={
            "items": [
                {
                    "type": "action",
                    "imageUrl": "https://example.com/sushi.png",
                    "action": {"type": "message", "label": "Sushi", "text": "Sushi"},
                },
                {
                    "type": "action",
                    "imageUrl": "https://example.com/tempura.png",
                    "action": {"type": "message", "label": "Tempura", "text": "Tempura"},
                },
                {"type": "action", "action": {"type": "location", "label": "Send location"}},
            ]
        },
    )

    def test_official_example(self) -> None:
        assert problems(self.OFFICIAL) == []

    def test_quick_reply_only_actions_are_accepted(self) -> None:
        items = [
            {"type": "action", "action": {"type": kind, "label": kind}}
            for kind in ("camera", "cameraRoll", "location")
        ]
        assert problems(text(quickReply={"items": items})) == []

    def test_between_1_and_13_items(self) -> None:
        item = self.OFFICIAL["quickReply"]["items"][0]
        assert problems(text(quickReply={"items": [item] * 13})) == []
        assert problems(text(quickReply={"items": []})) == [
            ("messages[0].quickReply.items", "size must be between 1 and 13")
        ]
        assert problems(text(quickReply={"items": [item] * 13 + [{"type": "action"}]})) == [
            ("messages[0].quickReply.items", "size must be between 1 and 13"),
            ("messages[0].quickReply.items[13].action", "May not be empty"),
        ]

    def test_invalid_items(self) -> None:
        items = [
            {"type": "button", "action": {"type": "message", "label": "A", "text": "a"}},
            {
                "type": "action",
                "imageUrl": "http://example.com/a.png",
                "action": {"type": "message", "text": "a"},
            },
            {
                "type": "action",
                "action": {"type": "richmenuswitch", "richMenuAliasId": "a", "data": "d"},
            },
            {"type": "action", "action": {"type": "message", "label": "a" * 21, "text": "a"}},
        ]
        assert problems(text(quickReply={"items": items})) == [
            (
                "messages[0].quickReply.items[0].type",
                "Must be one of the following values: [action]",
            ),
            ("messages[0].quickReply.items[1].imageUrl", "invalid uri scheme"),
            ("messages[0].quickReply.items[1].action.label", "May not be empty"),
            ("messages[0].quickReply.items[2].action.type", "Invalid action type"),
            ("messages[0].quickReply.items[3].action.label", "Length must be between 0 and 20"),
        ]

    def test_missing_items(self) -> None:
        assert problems(text(quickReply={})) == [
            ("messages[0].quickReply.items", "May not be empty")
        ]


class TestSender:
    def test_official_example(self) -> None:
        sender = {"name": "Cony", "iconUrl": "https://line.me/conyprof"}
        assert (
            problems({"type": "sticker", "packageId": "1", "stickerId": "1", "sender": sender})
            == []
        )

    def test_invalid(self) -> None:
        sender = {"name": "n" * 21, "iconUrl": "http://line.me/conyprof"}
        assert problems(text(sender=sender)) == [
            ("messages[0].sender.name", "Length must be between 0 and 20"),
            ("messages[0].sender.iconUrl", "invalid uri scheme"),
        ]
