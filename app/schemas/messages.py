"""Validation of LINE message objects, as the Messaging API validates them.

Every problem is reported at once, each at LINE's property path
(`messages[0].contents.body.contents[2].text`); unknown properties are ignored, as LINE does.
The rules themselves live in app.schemas.message, one table per object type.
"""

from typing import Any, cast

from app.kit.errors import ErrorDetail, body_errors
from app.schemas.message.actions import (
    FLEX,
    FLEX_BUTTON,
    IMAGE_CAROUSEL,
    QUICK_REPLY,
    RICH_MENU,
    TEMPLATE,
    TEMPLATE_DEFAULT,
    ActionSurface,
    action,
)
from app.schemas.message.catalog import MESSAGE
from app.schemas.message.checks import EMPTY, Arr, detail

__all__ = [
    "FLEX",
    "FLEX_BUTTON",
    "IMAGE_CAROUSEL",
    "QUICK_REPLY",
    "RICH_MENU",
    "TEMPLATE",
    "TEMPLATE_DEFAULT",
    "ActionSurface",
    "collect_action_errors",
    "collect_message_errors",
    "validate_message",
    "validate_messages",
]


def collect_message_errors(
    value: object, prop: str, *, min_items: int = 1, max_items: int = 5
) -> list[ErrorDetail]:
    """Every problem of a JSON array of message objects, for bodies with more to check."""
    if value is None:
        return [detail(prop, EMPTY)]
    return list(Arr(MESSAGE, min_items=min_items, max_items=max_items)(value, prop))


def validate_messages(
    value: object, prop: str = "messages", *, min_items: int = 1, max_items: int = 5
) -> list[dict[str, Any]]:
    """The message objects, unchanged; BadRequest listing every problem when there is one."""
    details = collect_message_errors(value, prop, min_items=min_items, max_items=max_items)
    if details:
        raise body_errors(details)
    return cast(list[dict[str, Any]], value)


def validate_message(value: object, prop: str) -> dict[str, Any]:
    """One message object, unchanged; BadRequest listing every problem when there is one."""
    details = [detail(prop, EMPTY)] if value is None else list(MESSAGE(value, prop))
    if details:
        raise body_errors(details)
    return cast(dict[str, Any], value)


def collect_action_errors(
    value: object, prop: str, surface: ActionSurface = RICH_MENU
) -> list[ErrorDetail]:
    """Every problem of one action object placed on `surface` (a rich menu area by default)."""
    if value is None:
        return [detail(prop, EMPTY)]
    return list(action(surface)(value, prop))
