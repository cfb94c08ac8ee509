"""Action objects, and where each one may be used.

The same action rules serve templates, quick replies, Flex Messages, imagemaps' neighbours and
rich menus; what changes between those places is the set of allowed types and how the label is
bounded, so that is all an ActionSurface says.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from app.schemas.message.checks import (
    INVALID_ACTION_TYPE,
    LINK_SCHEMES,
    MUST_BE_SPECIFIED,
    Check,
    Details,
    Field,
    Rule,
    Shape,
    Str,
    Tagged,
    Url,
    detail,
    enum,
    grapheme_len,
    optional,
    required,
    shape,
    text_of,
)

# Action texts count grapheme clusters, not UTF-16 units (the "text character count" page).
LABEL_COUNT = grapheme_len

_EVERYWHERE = frozenset({"postback", "message", "uri", "datetimepicker", "clipboard"})


@dataclass(frozen=True, slots=True)
class ActionSurface:
    """A place that holds actions: which types it accepts and how its labels are bounded."""

    name: str
    types: frozenset[str]
    label_required: bool
    label_max: int
    quick_reply: bool = False


TEMPLATE = ActionSurface("template", _EVERYWHERE, label_required=True, label_max=20)
TEMPLATE_DEFAULT = ActionSurface("defaultAction", _EVERYWHERE, label_required=False, label_max=20)
IMAGE_CAROUSEL = ActionSurface("image carousel", _EVERYWHERE, label_required=False, label_max=12)
QUICK_REPLY = ActionSurface(
    "quick reply",
    _EVERYWHERE | {"camera", "cameraRoll", "location"},
    label_required=True,
    label_max=20,
    quick_reply=True,
)
FLEX_BUTTON = ActionSurface("flex button", _EVERYWHERE, label_required=True, label_max=40)
FLEX = ActionSurface("flex", _EVERYWHERE, label_required=False, label_max=40)
RICH_MENU = ActionSurface(
    "rich menu", _EVERYWHERE | {"richmenuswitch"}, label_required=False, label_max=20
)

_DATETIME_FORMATS: Mapping[str, tuple[str, str, str, str]] = {
    # mode: (strptime format, example, min, max) as documented for initial/max/min
    "date": ("%Y-%m-%d", "2017-06-18", "1900-01-01", "2100-12-31"),
    "time": ("%H:%M", "06:15", "00:00", "23:59"),
    "datetime": ("%Y-%m-%dT%H:%M", "2017-06-18T06:15", "1900-01-01T00:00", "2100-12-31T23:59"),
}


def datetime_value(mode: str, value: str) -> str | None:
    """The value in a comparable form, or None when it is not valid for the mode."""
    fmt, _, low, high = _DATETIME_FORMATS[mode]
    normal = value.replace("t", "T") if mode == "datetime" else value
    if len(normal) != len(low):
        return None
    try:
        datetime.strptime(normal, fmt)
    except ValueError:
        return None
    return normal if low <= normal <= high else None


def _datetime_range(action: dict[str, Any], path: str) -> Details:
    mode = text_of(action, "mode")
    if mode is None or mode not in _DATETIME_FORMATS:
        return
    _, example, low, high = _DATETIME_FORMATS[mode]
    parsed: dict[str, str] = {}
    for name in ("initial", "max", "min"):
        value = text_of(action, name)
        if value is None:
            continue
        normal = datetime_value(mode, value)
        if normal is None:
            message = f"Must be a {mode} like {example} between {low} and {high}"
            yield detail(f"{path}.{name}", message)
        else:
            parsed[name] = normal
    if "max" in parsed and "min" in parsed and parsed["max"] <= parsed["min"]:
        yield detail(f"{path}.max", "Must be greater than min")


def _postback_texts(surface: ActionSurface) -> Rule:
    def rule(action: dict[str, Any], path: str) -> Details:
        display_text = action.get("displayText")
        text = action.get("text")
        if surface.quick_reply:
            if display_text is None:
                yield detail(f"{path}.displayText", MUST_BE_SPECIFIED)
            if text is not None:
                yield detail(f"{path}.text", "Can't be used in quick reply buttons")
        elif display_text is not None and text is not None:
            yield detail(f"{path}.text", "Can't be used together with displayText")

    return rule


def _action_shapes(surface: ActionSurface) -> dict[str, Shape]:
    label = Field(
        "label",
        Str(max_len=surface.label_max, count=LABEL_COUNT),
        required=surface.label_required,
    )
    data = required("data", Str(max_len=300, count=LABEL_COUNT))
    link = Url(max_len=1000, schemes=LINK_SCHEMES)
    return {
        "postback": shape(
            label,
            data,
            optional("displayText", Str(max_len=300, count=LABEL_COUNT)),
            optional("text", Str(max_len=300, count=LABEL_COUNT)),
            optional(
                "inputOption", enum("closeRichMenu", "openRichMenu", "openKeyboard", "openVoice")
            ),
            optional("fillInText", Str(max_len=300, count=LABEL_COUNT)),
            rules=(_postback_texts(surface),),
        ),
        "message": shape(label, required("text", Str(max_len=300, count=LABEL_COUNT))),
        "uri": shape(
            label,
            required("uri", link),
            optional("altUri", shape(optional("desktop", link))),
        ),
        "datetimepicker": shape(
            label,
            data,
            required("mode", enum("date", "time", "datetime")),
            optional("initial", Str()),
            optional("max", Str()),
            optional("min", Str()),
            rules=(_datetime_range,),
        ),
        "camera": shape(label),
        "cameraRoll": shape(label),
        "location": shape(label),
        "richmenuswitch": shape(label, required("richMenuAliasId", Str(max_len=32)), data),
        "clipboard": shape(label, required("clipboardText", Str(max_len=1000))),
    }


@cache
def action(surface: ActionSurface) -> Check:
    """The check of one action object placed on `surface`."""
    shapes = _action_shapes(surface)
    allowed = {name: rules for name, rules in shapes.items() if name in surface.types}
    return Tagged(allowed, unknown=INVALID_ACTION_TYPE)
