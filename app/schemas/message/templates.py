"""Template messages: buttons, confirm, carousel and image carousel.

Template texts, titles and labels count grapheme clusters (the "text character count" page).
"""

from typing import Any

from app.schemas.message.actions import IMAGE_CAROUSEL, TEMPLATE, TEMPLATE_DEFAULT, action
from app.schemas.message.checks import (
    RGB_COLOR,
    Arr,
    Details,
    Rule,
    Str,
    Tagged,
    Url,
    detail,
    enum,
    grapheme_len,
    length_between,
    optional,
    required,
    shape,
    text_of,
)

IMAGE_URL = Url(max_len=2000)
TITLE = Str(max_len=40, count=grapheme_len)


def _text_limit(plain: int, with_image_or_title: int) -> Rule:
    """The text may be longer when the template shows neither an image nor a title."""

    def rule(obj: dict[str, Any], path: str) -> Details:
        text = text_of(obj, "text")
        if text is None:
            return
        decorated = bool(obj.get("thumbnailImageUrl") or obj.get("title"))
        limit = with_image_or_title if decorated else plain
        if grapheme_len(text) > limit:
            yield detail(f"{path}.text", length_between(0, limit))

    return rule


def _consistent_columns(template: dict[str, Any], path: str) -> Details:
    """Every column has as many actions as the first, and an image and a title if it has them."""
    columns = template.get("columns")
    if not isinstance(columns, list) or not columns or not isinstance(columns[0], dict):
        return
    first = columns[0]
    first_actions = first.get("actions")
    for index, column in enumerate(columns[1:], start=1):
        if not isinstance(column, dict):
            continue
        prop = f"{path}.columns[{index}]"
        actions = column.get("actions")
        if (
            isinstance(actions, list)
            and isinstance(first_actions, list)
            and len(actions) != len(first_actions)
        ):
            yield detail(f"{prop}.actions", "All columns must have the same number of actions")
        for name in ("thumbnailImageUrl", "title"):
            if bool(column.get(name)) != bool(first.get(name)):
                message = f"Specify {name} for all columns or for none"
                yield detail(f"{prop}.{name}", message)


_ASPECT_RATIO = optional("imageAspectRatio", enum("rectangle", "square"))
_IMAGE_SIZE = optional("imageSize", enum("cover", "contain"))

BUTTONS = shape(
    optional("thumbnailImageUrl", IMAGE_URL),
    _ASPECT_RATIO,
    _IMAGE_SIZE,
    optional("imageBackgroundColor", RGB_COLOR),
    optional("title", TITLE),
    required("text", Str()),
    optional("defaultAction", action(TEMPLATE_DEFAULT)),
    required("actions", Arr(action(TEMPLATE), min_items=1, max_items=4)),
    rules=(_text_limit(160, 60),),
)

CONFIRM = shape(
    required("text", Str(max_len=240, count=grapheme_len)),
    required("actions", Arr(action(TEMPLATE), min_items=2, max_items=2)),
)

CAROUSEL_COLUMN = shape(
    optional("thumbnailImageUrl", IMAGE_URL),
    optional("imageBackgroundColor", RGB_COLOR),
    optional("title", TITLE),
    required("text", Str()),
    optional("defaultAction", action(TEMPLATE_DEFAULT)),
    required("actions", Arr(action(TEMPLATE), min_items=1, max_items=3)),
    rules=(_text_limit(120, 60),),
)

CAROUSEL = shape(
    required("columns", Arr(CAROUSEL_COLUMN, min_items=1, max_items=10)),
    _ASPECT_RATIO,
    _IMAGE_SIZE,
    rules=(_consistent_columns,),
)

IMAGE_CAROUSEL_COLUMN = shape(
    required("imageUrl", IMAGE_URL),
    required("action", action(IMAGE_CAROUSEL)),
)

IMAGE_CAROUSEL_TEMPLATE = shape(
    required("columns", Arr(IMAGE_CAROUSEL_COLUMN, min_items=1, max_items=10)),
)

TEMPLATE_CONTENT = Tagged(
    {
        "buttons": BUTTONS,
        "confirm": CONFIRM,
        "carousel": CAROUSEL,
        "image_carousel": IMAGE_CAROUSEL_TEMPLATE,
    }
)
