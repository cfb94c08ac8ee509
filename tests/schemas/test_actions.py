"""Action objects: every type, valid and invalid, and where each one may be used."""

from typing import Any

import pytest

from app.schemas.messages import (
    FLEX,
    FLEX_BUTTON,
    IMAGE_CAROUSEL,
    QUICK_REPLY,
    RICH_MENU,
    TEMPLATE,
    ActionSurface,
    collect_action_errors,
)

OFFICIAL: dict[str, dict[str, Any]] = {
    "postback": {
        "type": "postback",
        "label": "Buy",
        "data": "action=buy&itemid=111",
        "displayText": "Buy",
        "inputOption": "openKeyboard",
        "fillInText": "---\nName: \nPhone: \nBirthday: \n---",
    },
    "message": {"type": "message", "label": "Yes", "text": "Yes"},
    "uri": {
        "type": "uri",
        "label": "View details",
        "uri": "http://example.com/page/222",
        "altUri": {"desktop": "http://example.com/pc/page/222"},
    },
    "datetimepicker": {
        "type": "datetimepicker",
        "label": "Select date",
        "data": "storeId=12345",
        "mode": "datetime",
        "initial": "2017-12-25t00:00",
        "max": "2018-01-24t23:59",
        "min": "2017-12-25t00:00",
    },
    "camera": {"type": "camera", "label": "Camera"},
    "cameraRoll": {"type": "cameraRoll", "label": "Camera roll"},
    "location": {"type": "location", "label": "Location"},
    "richmenuswitch": {
        "type": "richmenuswitch",
        "richMenuAliasId": "richmenu-alias-b",
        "data": "richmenu-changed-to-b",
    },
    "clipboard": {"type": "clipboard", "label": "Copy", "clipboardText": "3B48740B"},
}

ALLOWED = {
    TEMPLATE: {"postback", "message", "uri", "datetimepicker", "clipboard"},
    QUICK_REPLY: {
        "postback",
        "message",
        "uri",
        "datetimepicker",
        "camera",
        "cameraRoll",
        "location",
        "clipboard",
    },
    FLEX: {"postback", "message", "uri", "datetimepicker", "clipboard"},
    RICH_MENU: {"postback", "message", "uri", "datetimepicker", "richmenuswitch", "clipboard"},
}


def problems(action: object, surface: ActionSurface = TEMPLATE) -> list[tuple[str | None, str]]:
    return [(d.property, d.message) for d in collect_action_errors(action, "action", surface)]


@pytest.mark.parametrize("surface", list(ALLOWED), ids=lambda surface: surface.name)
@pytest.mark.parametrize("kind", list(OFFICIAL))
def test_where_each_type_may_be_used(surface: ActionSurface, kind: str) -> None:
    action = dict(OFFICIAL[kind], label="Label")
    if surface is QUICK_REPLY and kind == "postback":
        action["displayText"] = "Buy"
    expected = [] if kind in ALLOWED[surface] else [("action.type", "Invalid action type")]
    assert problems(action, surface) == expected


def test_default_surface_is_a_rich_menu() -> None:
    assert collect_action_errors(OFFICIAL["richmenuswitch"], "areas[0].action") == []


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (None, [("action", "May not be empty")]),
        ("postback", [("action", "Must be an object")]),
        ({"label": "x"}, [("action.type", "May not be empty")]),
        ({"type": "share", "label": "x"}, [("action.type", "Invalid action type")]),
    ],
)
def test_shape(action: object, expected: list[tuple[str, str]]) -> None:
    assert problems(action) == expected


class TestLabel:
    def test_required_in_templates_quick_replies_and_flex_buttons(self) -> None:
        message = {"type": "message", "text": "Yes"}
        for surface in (TEMPLATE, QUICK_REPLY, FLEX_BUTTON):
            assert problems(message, surface) == [("action.label", "May not be empty")]
        for surface in (IMAGE_CAROUSEL, FLEX, RICH_MENU):
            assert problems(message, surface) == []

    @pytest.mark.parametrize(
        ("surface", "limit"),
        [
            (TEMPLATE, 20),
            (QUICK_REPLY, 20),
            (RICH_MENU, 20),
            (IMAGE_CAROUSEL, 12),
            (FLEX_BUTTON, 40),
        ],
    )
    def test_limits(self, surface: ActionSurface, limit: int) -> None:
        action = {"type": "message", "label": "a" * limit, "text": "Yes"}
        assert problems(action, surface) == []
        action["label"] += "a"
        assert problems(action, surface) == [
            ("action.label", f"Length must be between 0 and {limit}")
        ]

    def test_counts_grapheme_clusters(self) -> None:
        family = "👨\u200d👩\u200d👧\u200d👦"
        action = {"type": "message", "label": family * 20, "text": "Yes"}
        assert problems(action) == []


class TestPostback:
    def test_data_is_required_and_at_most_300(self) -> None:
        assert problems({"type": "postback", "label": "Buy"}) == [
            ("action.data", "May not be empty")
        ]
        assert problems({"type": "postback", "label": "Buy", "data": "d" * 301}) == [
            ("action.data", "Length must be between 0 and 300")
        ]

    def test_invalid_properties(self) -> None:
        action = {
            "type": "postback",
            "label": "Buy",
            "data": "d",
            "displayText": "t" * 301,
            "text": "Buy",
            "inputOption": "openCamera",
            "fillInText": "f" * 301,
        }
        assert problems(action) == [
            ("action.displayText", "Length must be between 0 and 300"),
            (
                "action.inputOption",
                "Must be one of the following values: "
                "[closeRichMenu, openRichMenu, openKeyboard, openVoice]",
            ),
            ("action.fillInText", "Length must be between 0 and 300"),
            ("action.text", "Can't be used together with displayText"),
        ]

    def test_quick_reply_needs_display_text_and_refuses_text(self) -> None:
        action = {"type": "postback", "label": "Buy", "data": "d", "text": "Buy"}
        assert problems(action, QUICK_REPLY) == [
            ("action.displayText", "must be specified"),
            ("action.text", "Can't be used in quick reply buttons"),
        ]


class TestMessage:
    def test_text_is_required_and_at_most_300(self) -> None:
        assert problems({"type": "message", "label": "Yes"}) == [
            ("action.text", "May not be empty")
        ]
        assert problems({"type": "message", "label": "Yes", "text": "t" * 301}) == [
            ("action.text", "Length must be between 0 and 300")
        ]


class TestUri:
    @pytest.mark.parametrize(
        "uri", ["https://example.com", "http://example.com/a?b=c", "tel:09001234567", "line://nv/"]
    )
    def test_schemes(self, uri: str) -> None:
        assert problems({"type": "uri", "label": "Go", "uri": uri}) == []

    @pytest.mark.parametrize(
        ("uri", "message"),
        [
            ("ftp://example.com", "invalid uri scheme"),
            ("javascript:alert(1)", "invalid uri scheme"),
            ("example.com", "invalid uri"),
            ("https://exa mple.com", "invalid uri"),
            ("https://example.com/" + "a" * 981, "Length must be between 0 and 1000"),
        ],
    )
    def test_invalid_uri(self, uri: str, message: str) -> None:
        assert problems({"type": "uri", "label": "Go", "uri": uri}) == [("action.uri", message)]

    def test_missing_uri_and_bad_desktop_uri(self) -> None:
        action = {"type": "uri", "label": "Go", "altUri": {"desktop": "mailto:a@example.com"}}
        assert problems(action, FLEX) == [
            ("action.uri", "May not be empty"),
            ("action.altUri.desktop", "invalid uri scheme"),
        ]


class TestDatetimePicker:
    @pytest.mark.parametrize(
        ("mode", "initial", "low", "high"),
        [
            ("date", "2017-06-18", "1900-01-01", "2100-12-31"),
            ("time", "06:15", "00:00", "23:59"),
            ("datetime", "2017-06-18T06:15", "1900-01-01T00:00", "2100-12-31t23:59"),
        ],
    )
    def test_formats(self, mode: str, initial: str, low: str, high: str) -> None:
        action = {
            "type": "datetimepicker",
            "label": "Pick",
            "data": "d",
            "mode": mode,
            "initial": initial,
            "min": low,
            "max": high,
        }
        assert problems(action) == []

    def test_mode_and_data_are_required(self) -> None:
        assert problems({"type": "datetimepicker", "label": "Pick"}) == [
            ("action.data", "May not be empty"),
            ("action.mode", "May not be empty"),
        ]
        action = {"type": "datetimepicker", "label": "Pick", "data": "d", "mode": "week"}
        assert problems(action) == [
            ("action.mode", "Must be one of the following values: [date, time, datetime]")
        ]

    def test_invalid_values(self) -> None:
        action = {
            "type": "datetimepicker",
            "label": "Pick",
            "data": "d",
            "mode": "date",
            "initial": "2017-06-18T06:15",
            "min": "1899-12-31",
            "max": "2017-02-30",
        }
        message = "Must be a date like 2017-06-18 between 1900-01-01 and 2100-12-31"
        assert problems(action) == [
            ("action.initial", message),
            ("action.max", message),
            ("action.min", message),
        ]

    def test_max_must_be_greater_than_min(self) -> None:
        action = {
            "type": "datetimepicker",
            "label": "Pick",
            "data": "d",
            "mode": "time",
            "min": "10:00",
            "max": "10:00",
        }
        assert problems(action) == [("action.max", "Must be greater than min")]


class TestQuickReplyOnlyActions:
    @pytest.mark.parametrize("kind", ["camera", "cameraRoll", "location"])
    def test_label_required_and_at_most_20(self, kind: str) -> None:
        assert problems({"type": kind}, QUICK_REPLY) == [("action.label", "May not be empty")]
        assert problems({"type": kind, "label": "l" * 21}, QUICK_REPLY) == [
            ("action.label", "Length must be between 0 and 20")
        ]


class TestRichMenuSwitch:
    def test_invalid(self) -> None:
        action = {"type": "richmenuswitch", "richMenuAliasId": "a" * 33, "label": "l" * 21}
        assert problems(action, RICH_MENU) == [
            ("action.label", "Length must be between 0 and 20"),
            ("action.richMenuAliasId", "Length must be between 0 and 32"),
            ("action.data", "May not be empty"),
        ]


class TestClipboard:
    def test_clipboard_text_between_1_and_1000(self) -> None:
        assert problems({"type": "clipboard", "label": "Copy", "clipboardText": ""}) == [
            ("action.clipboardText", "May not be empty")
        ]
        action = {"type": "clipboard", "label": "Copy", "clipboardText": "c" * 1001}
        assert problems(action) == [("action.clipboardText", "Length must be between 0 and 1000")]
