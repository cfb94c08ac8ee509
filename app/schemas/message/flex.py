"""Flex Message containers, blocks and components.

Which component may sit where follows the Flex Message layout page: horizontal and vertical
boxes hold boxes, buttons, images, texts, separators and fillers; baseline boxes hold icons,
texts and fillers; spans only sit in a text; a video only sits directly in a bubble's hero.
"""

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.schemas.message.actions import FLEX, FLEX_BUTTON, action
from app.schemas.message.checks import (
    EMPTY,
    HEX_COLOR,
    Arr,
    Check,
    Details,
    Field,
    Int,
    Str,
    Tagged,
    Url,
    boolean,
    detail,
    enum,
    is_blank,
    one_of,
    optional,
    required,
    shape,
)

SPACES = ("none", "xs", "sm", "md", "lg", "xl", "xxl")
FONT_SIZES = ("xxs", "xs", "sm", "md", "lg", "xl", "xxl", "3xl", "4xl", "5xl")
IMAGE_SIZES = (*FONT_SIZES, "full")
BORDER_WIDTHS = ("none", "light", "normal", "medium", "semi-bold", "bold")
BUBBLE_SIZES = ("nano", "micro", "deca", "hecto", "kilo", "mega", "giga")
VIDEO_BUBBLE_SIZES = ("kilo", "mega", "giga")

BUBBLE_MAX_BYTES = 30 * 1024
CAROUSEL_MAX_BYTES = 50 * 1024
MAX_ANIMATED_IMAGES = 10

_LENGTH = re.compile(r"(-?)(\d+(?:\.\d+)?)(px|%)")
_ASPECT_RATIO = re.compile(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)")
_ANGLE = re.compile(r"-?\d+(?:\.\d+)?deg")
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")


@dataclass(frozen=True, slots=True)
class Css:
    """A Flex length: one of the keywords, or a number in one of the units (`10px`, `50%`)."""

    keywords: tuple[str, ...] = ()
    units: tuple[str, ...] = ("px",)
    signed: bool = False

    def __call__(self, value: object, path: str) -> Details:
        if not isinstance(value, str):
            yield detail(path, "Must be a string")
            return
        if value in self.keywords:
            return
        match = _LENGTH.fullmatch(value)
        if match and match[3] in self.units and (self.signed or not match[1]):
            return
        units = " or ".join(self.units)
        if self.keywords:
            yield detail(path, f"{one_of(self.keywords)} or a value in {units}")
        else:
            yield detail(path, f"Must be a value in {units}")


def aspect_ratio(value: object, path: str) -> Details:
    match = _ASPECT_RATIO.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        yield detail(path, "Must be in the {width}:{height} format")
        return
    width, height = float(match[1]), float(match[2])
    if not (1 <= width <= 100000 and 1 <= height <= 100000):
        yield detail(path, "Width and height must be between 1 and 100000")
    elif height > 3 * width:
        yield detail(path, "Height can't be more than three times the width")


def angle(value: object, path: str) -> Details:
    if not isinstance(value, str) or not _ANGLE.fullmatch(value):
        yield detail(path, "Must be an angle in deg, such as 90deg")
    elif not 0 <= float(value[:-3]) < 360:
        yield detail(path, "Must be at least 0deg and less than 360deg")


def percentage(value: object, path: str) -> Details:
    if not isinstance(value, str) or not _PERCENT.fullmatch(value) or float(value[:-1]) > 100:
        yield detail(path, "Must be a percentage between 0% and 100%")


IMAGE_URL = Url(max_len=2000)
FLEX_RATIO = optional("flex", Int(low=0))
MARGIN = optional("margin", Css(SPACES))
GRAVITY = optional("gravity", enum("top", "bottom", "center"))
ALIGN = optional("align", enum("start", "end", "center"))
ADJUST_MODE = optional("adjustMode", enum("shrink-to-fit"))
SCALING = optional("scaling", boolean)
ASPECT_RATIO = optional("aspectRatio", aspect_ratio)
_OFFSET = Css(SPACES, ("px", "%"), signed=True)
POSITION: tuple[Field, ...] = (
    optional("position", enum("relative", "absolute")),
    optional("offsetTop", _OFFSET),
    optional("offsetBottom", _OFFSET),
    optional("offsetStart", _OFFSET),
    optional("offsetEnd", _OFFSET),
)
_PADDING = Css(SPACES, ("px", "%"))
_BOX_LENGTH = Css((), ("px", "%"))
FONT: tuple[Field, ...] = (
    optional("size", Css(FONT_SIZES)),
    optional("color", HEX_COLOR),
    optional("weight", enum("regular", "bold")),
    optional("style", enum("normal", "italic")),
    optional("decoration", enum("none", "underline", "line-through")),
)

LINEAR_GRADIENT = shape(
    required("angle", angle),
    required("startColor", HEX_COLOR),
    required("endColor", HEX_COLOR),
    optional("centerColor", HEX_COLOR),
    optional("centerPosition", percentage),
)

BOX_PROPERTIES = shape(
    required("layout", enum("horizontal", "vertical", "baseline")),
    FLEX_RATIO,
    optional("spacing", Css(SPACES)),
    MARGIN,
    *POSITION,
    optional("backgroundColor", HEX_COLOR),
    optional("borderColor", HEX_COLOR),
    optional("borderWidth", Css(BORDER_WIDTHS)),
    optional("cornerRadius", Css(SPACES)),
    optional("width", _BOX_LENGTH),
    optional("maxWidth", _BOX_LENGTH),
    optional("height", _BOX_LENGTH),
    optional("maxHeight", _BOX_LENGTH),
    optional("paddingAll", _PADDING),
    optional("paddingTop", _PADDING),
    optional("paddingBottom", _PADDING),
    optional("paddingStart", _PADDING),
    optional("paddingEnd", _PADDING),
    optional("action", action(FLEX)),
    optional(
        "justifyContent",
        enum("flex-start", "center", "flex-end", "space-between", "space-around", "space-evenly"),
    ),
    optional("alignItems", enum("flex-start", "center", "flex-end")),
    optional("background", Tagged({"linearGradient": LINEAR_GRADIENT})),
)


@dataclass(frozen=True, slots=True)
class Box:
    """A box: its own properties, then its contents by the rules of its layout."""

    def __call__(self, value: object, path: str) -> Details:
        yield from BOX_PROPERTIES(value, path)
        if not isinstance(value, dict):
            return
        layout = value.get("layout")
        children = LAYOUT_CHILDREN.get(layout) if isinstance(layout, str) else None
        contents = value.get("contents")
        if contents is None:
            yield detail(f"{path}.contents", EMPTY)
        else:
            yield from Arr(children or ANY_CHILD)(contents, f"{path}.contents")


def _text_or_spans(text: dict[str, Any], path: str) -> Details:
    spans = text.get("contents")
    if not (isinstance(spans, list) and spans) and is_blank(text.get("text")):
        yield detail(f"{path}.text", EMPTY)


SPAN = shape(required("text", Str()), *FONT)

TEXT = shape(
    optional("text", Str()),
    optional("contents", Arr(Tagged({"span": SPAN}))),
    FLEX_RATIO,
    *FONT,
    ALIGN,
    GRAVITY,
    optional("wrap", boolean),
    optional("lineSpacing", Css()),
    MARGIN,
    *POSITION,
    optional("action", action(FLEX)),
    optional("maxLines", Int(low=0)),
    ADJUST_MODE,
    SCALING,
    rules=(_text_or_spans,),
)

BUTTON = shape(
    required("action", action(FLEX_BUTTON)),
    FLEX_RATIO,
    optional("color", HEX_COLOR),
    optional("style", enum("primary", "secondary", "link")),
    GRAVITY,
    MARGIN,
    *POSITION,
    optional("height", enum("md", "sm")),
    ADJUST_MODE,
    SCALING,
)

IMAGE = shape(
    required("url", IMAGE_URL),
    FLEX_RATIO,
    MARGIN,
    *POSITION,
    ALIGN,
    GRAVITY,
    optional("size", Css(IMAGE_SIZES, ("px", "%"))),
    ASPECT_RATIO,
    optional("aspectMode", enum("fit", "cover")),
    optional("backgroundColor", HEX_COLOR),
    optional("action", action(FLEX)),
    optional("animated", boolean),
)

ICON = shape(
    required("url", IMAGE_URL),
    optional("size", Css(FONT_SIZES)),
    ASPECT_RATIO,
    MARGIN,
    *POSITION,
    SCALING,
)

SEPARATOR = shape(MARGIN, optional("color", HEX_COLOR))

FILLER = shape(FLEX_RATIO)

BOX = Box()

COMPONENTS: Mapping[str, Check] = {
    "box": BOX,
    "button": BUTTON,
    "image": IMAGE,
    "icon": ICON,
    "text": TEXT,
    "separator": SEPARATOR,
    "filler": FILLER,
}


def components(*types: str) -> Tagged:
    return Tagged({name: COMPONENTS[name] for name in types})


_FLOW = components("box", "button", "image", "text", "separator", "filler")
LAYOUT_CHILDREN: Mapping[str, Tagged] = {
    "horizontal": _FLOW,
    "vertical": _FLOW,
    "baseline": components("icon", "text", "filler"),
}
ANY_CHILD = components("box", "button", "image", "icon", "text", "separator", "filler")

VIDEO = shape(
    required("url", IMAGE_URL),
    required("previewUrl", IMAGE_URL),
    required("altContent", components("box", "image")),
    ASPECT_RATIO,
    optional("action", action(FLEX)),
)

BLOCK_STYLE = shape(
    optional("backgroundColor", HEX_COLOR),
    optional("separator", boolean),
    optional("separatorColor", HEX_COLOR),
)

BUBBLE_PROPERTIES = shape(
    optional("size", enum(*BUBBLE_SIZES)),
    optional("direction", enum("ltr", "rtl")),
    optional("header", components("box")),
    optional("hero", Tagged({"box": BOX, "image": IMAGE, "video": VIDEO})),
    optional("body", components("box")),
    optional("footer", components("box")),
    optional(
        "styles",
        shape(*(optional(block, BLOCK_STYLE) for block in ("header", "hero", "body", "footer"))),
    ),
    optional("action", action(FLEX)),
)


def json_size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


@dataclass(frozen=True, slots=True)
class Bubble:
    """A bubble; a video hero needs a kilo, mega or giga bubble outside any carousel."""

    in_carousel: bool

    def __call__(self, value: object, path: str) -> Details:
        yield from BUBBLE_PROPERTIES(value, path)
        if not isinstance(value, dict):
            return
        hero = value.get("hero")
        if isinstance(hero, dict) and hero.get("type") == "video":
            if self.in_carousel:
                yield detail(f"{path}.hero", "A video can't be used in a bubble of a carousel")
            size = value.get("size", "mega")
            if size in BUBBLE_SIZES and size not in VIDEO_BUBBLE_SIZES:
                message = "Must be kilo, mega or giga when the hero is a video"
                yield detail(f"{path}.size", message)
        if json_size(value) > BUBBLE_MAX_BYTES:
            yield detail(path, "The JSON of a bubble must be 30 KB or less")


def _one_bubble_size(carousel: dict[str, Any], path: str) -> Details:
    contents = carousel.get("contents")
    if not isinstance(contents, list):
        return
    sizes = [
        (index, bubble.get("size", "mega"))
        for index, bubble in enumerate(contents)
        if isinstance(bubble, dict)
    ]
    for index, size in sizes[1:]:
        if size != sizes[0][1]:
            message = "All bubbles in a carousel must have the same size"
            yield detail(f"{path}.contents[{index}].size", message)


def _carousel_json_size(carousel: dict[str, Any], path: str) -> Details:
    if json_size(carousel) > CAROUSEL_MAX_BYTES:
        yield detail(path, "The JSON of a carousel must be 50 KB or less")


CAROUSEL = shape(
    required("contents", Arr(Tagged({"bubble": Bubble(in_carousel=True)}), 1, 12)),
    rules=(_one_bubble_size, _carousel_json_size),
)

CONTAINER = Tagged({"bubble": Bubble(in_carousel=False), "carousel": CAROUSEL})


def _images(node: object, path: str) -> Iterator[tuple[dict[str, Any], str]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _images(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        if node.get("type") == "image":
            yield node, path
        for key, item in node.items():
            if isinstance(item, dict | list):
                yield from _images(item, f"{path}.{key}")


def animated_image_limit(message: dict[str, Any], path: str) -> Details:
    """At most ten images of one Flex Message may be animated."""
    animated = [
        image_path
        for image, image_path in _images(message.get("contents"), f"{path}.contents")
        if image.get("animated") is True
    ]
    for image_path in animated[MAX_ANIMATED_IMAGES:]:
        message_text = f"Up to {MAX_ANIMATED_IMAGES} images in a message may be animated"
        yield detail(f"{image_path}.animated", message_text)
