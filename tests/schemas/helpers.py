"""Small helpers shared by the message validation tests."""

from typing import Any

from app.schemas.messages import collect_message_errors

Problem = tuple[str | None, str]


def problems(*messages: dict[str, Any]) -> list[Problem]:
    """(property, message) for every problem of a `messages` array made of `messages`."""
    return [(d.property, d.message) for d in collect_message_errors(list(messages), "messages")]


def text(value: object = "Hello, world", **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": value, **extra}


def flex(contents: dict[str, Any]) -> dict[str, Any]:
    return {"type": "flex", "altText": "This is a Flex Message", "contents": contents}


def bubble_body(*components: dict[str, Any], layout: str = "vertical") -> dict[str, Any]:
    return {
        "type": "bubble",
        "body": {"type": "box", "layout": layout, "contents": list(components)},
    }
