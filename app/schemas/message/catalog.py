"""Every message type of the Messaging API, one rule table each, plus the common properties."""

import re
from typing import Any

from app.schemas.message.actions import QUICK_REPLY, action
from app.schemas.message.checks import (
    INVALID_ACTION_TYPE,
    LINK_SCHEMES,
    Arr,
    Details,
    Int,
    Keyed,
    Num,
    Shape,
    Str,
    Tagged,
    Url,
    detail,
    enum,
    optional,
    required,
    shape,
    text_of,
)
from app.schemas.message.flex import CONTAINER, animated_image_limit
from app.schemas.message.templates import TEMPLATE_CONTENT

MEDIA_URL = Url(max_len=2000)
LINK = Url(max_len=1000, schemes=LINK_SCHEMES)
ALT_TEXT = required("altText", Str(max_len=1500))
QUOTE_TOKEN = optional("quoteToken", Str())

_TRACKING_ID = re.compile(r"[a-zA-Z0-9\-.=,+*()%$&;:@{}!?<>\[\]]+")
# `{{` and `}}` stand for literal braces; any other `{key}` must be defined in substitution.
_TEXT_V2_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")
_SUBSTITUTION_KEY = re.compile(r"[^{}]+")


def _utf16_offsets_of_dollar(text: str) -> set[int]:
    offsets: set[int] = set()
    offset = 0
    for char in text:
        if char == "$":
            offsets.add(offset)
        offset += 2 if ord(char) > 0xFFFF else 1
    return offsets


def _emojis_on_placeholders(message: dict[str, Any], path: str) -> Details:
    """Each LINE emoji's index (in UTF-16 units) must point at its own `$` in the text."""
    text = text_of(message, "text")
    emojis = message.get("emojis")
    if text is None or not isinstance(emojis, list):
        return
    placeholders = _utf16_offsets_of_dollar(text)
    used: set[int] = set()
    for position, emoji in enumerate(emojis):
        index = emoji.get("index") if isinstance(emoji, dict) else None
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            continue
        prop = f"{path}.emojis[{position}].index"
        if index not in placeholders:
            yield detail(prop, "Must be the index of a $ placeholder in text")
        elif index in used:
            yield detail(prop, "Another emoji already uses this $ placeholder")
        used.add(index)


def _placeholders_defined(message: dict[str, Any], path: str) -> Details:
    text = text_of(message, "text")
    if text is None:
        return
    substitution = message.get("substitution")
    defined = substitution if isinstance(substitution, dict) else {}
    for match in _TEXT_V2_TOKEN.finditer(text):
        key = match[1]
        if key is not None and key not in defined:
            yield detail(f"{path}.text", f"{{{key}}} is not defined in substitution")


EMOJI = shape(
    required("index", Int(low=0)),
    required("productId", Str()),
    required("emojiId", Str()),
)

TEXT = shape(
    required("text", Str(max_len=5000)),
    optional("emojis", Arr(EMOJI, max_items=20)),
    QUOTE_TOKEN,
    rules=(_emojis_on_placeholders,),
)

MENTIONEE = Tagged({"user": shape(required("userId", Str())), "all": shape()})

SUBSTITUTION = Keyed(
    Tagged(
        {
            "mention": shape(required("mentionee", MENTIONEE)),
            "emoji": shape(required("productId", Str()), required("emojiId", Str())),
        }
    ),
    key_pattern=_SUBSTITUTION_KEY,
    key_message="A key can't be empty or contain { or }",
)

TEXT_V2 = shape(
    required("text", Str(max_len=5000)),
    optional("substitution", SUBSTITUTION),
    QUOTE_TOKEN,
    rules=(_placeholders_defined,),
)

STICKER = shape(required("packageId", Str()), required("stickerId", Str()), QUOTE_TOKEN)

IMAGE = shape(required("originalContentUrl", MEDIA_URL), required("previewImageUrl", MEDIA_URL))

VIDEO = IMAGE.extend(
    optional(
        "trackingId",
        Str(
            max_len=100,
            pattern=_TRACKING_ID,
            pattern_message="Only letters, digits and -.=,+*()%$&;:@{}!?<>[] may be used",
        ),
    )
)

AUDIO = shape(required("originalContentUrl", MEDIA_URL), required("duration", Int(low=0)))

LOCATION = shape(
    required("title", Str(max_len=100)),
    required("address", Str(max_len=100)),
    required("latitude", Num(low=-90, high=90)),
    required("longitude", Num(low=-180, high=180)),
)

AREA = shape(
    required("x", Int(low=0)),
    required("y", Int(low=0)),
    required("width", Int(low=1)),
    required("height", Int(low=1)),
)

_IMAGEMAP_ACTION_COMMON = (required("area", AREA), optional("label", Str(max_len=100)))

IMAGEMAP_ACTION = Tagged(
    {
        "uri": shape(required("linkUri", LINK), *_IMAGEMAP_ACTION_COMMON),
        "message": shape(required("text", Str(max_len=400)), *_IMAGEMAP_ACTION_COMMON),
        "clipboard": shape(required("clipboardText", Str(max_len=1000)), *_IMAGEMAP_ACTION_COMMON),
    },
    unknown=INVALID_ACTION_TYPE,
)

IMAGEMAP_VIDEO = shape(
    required("originalContentUrl", MEDIA_URL),
    required("previewImageUrl", MEDIA_URL),
    required("area", AREA),
    optional(
        "externalLink",
        shape(required("linkUri", LINK), required("label", Str(max_len=30))),
    ),
)

IMAGEMAP = shape(
    required("baseUrl", MEDIA_URL),
    ALT_TEXT,
    required(
        "baseSize",
        shape(required("width", Int(low=1040, high=1040)), required("height", Int(low=1))),
    ),
    required("actions", Arr(IMAGEMAP_ACTION, min_items=1, max_items=50)),
    optional("video", IMAGEMAP_VIDEO),
)

TEMPLATE = shape(ALT_TEXT, required("template", TEMPLATE_CONTENT))

FLEX = shape(ALT_TEXT, required("contents", CONTAINER), rules=(animated_image_limit,))

COUPON = shape(required("couponId", Str()), optional("deliveryTag", Str(max_len=30)))

QUICK_REPLY_ITEM = shape(
    required("type", enum("action")),
    optional("imageUrl", MEDIA_URL),
    required("action", action(QUICK_REPLY)),
)

COMMON = (
    optional("quickReply", shape(required("items", Arr(QUICK_REPLY_ITEM, 1, 13)))),
    optional("sender", shape(optional("name", Str(max_len=20)), optional("iconUrl", MEDIA_URL))),
)

_BY_TYPE: dict[str, Shape] = {
    "text": TEXT,
    "textV2": TEXT_V2,
    "sticker": STICKER,
    "image": IMAGE,
    "video": VIDEO,
    "audio": AUDIO,
    "location": LOCATION,
    "imagemap": IMAGEMAP,
    "template": TEMPLATE,
    "flex": FLEX,
    "coupon": COUPON,
}

MESSAGE = Tagged({name: rules.extend(*COMMON) for name, rules in _BY_TYPE.items()})
