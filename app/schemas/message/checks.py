"""The building blocks of the message rules: each check reads one JSON value and yields details.

A rule table is made of these checks, so that an object's rules read like its row in the
Messaging API reference. Checks never raise; they yield one ErrorDetail per problem with
LINE's property path (`messages[0].template.actions[1].label`).
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from app.kit.errors import ErrorDetail

Details = Iterator[ErrorDetail]

EMPTY = "May not be empty"
MUST_BE_SPECIFIED = "must be specified"
INVALID_URI = "invalid uri"
INVALID_URI_SCHEME = "invalid uri scheme"
INVALID_ACTION_TYPE = "Invalid action type"

HTTPS = frozenset({"https"})
LINK_SCHEMES = frozenset({"http", "https", "line", "tel"})

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?")
_RGB_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class Check(Protocol):
    def __call__(self, value: object, path: str) -> Details: ...


Rule = Callable[[dict[str, Any], str], Details]


def detail(path: str, message: str) -> ErrorDetail:
    return ErrorDetail(message=message, property=path)


def one_of(choices: Iterable[str]) -> str:
    return f"Must be one of the following values: [{', '.join(choices)}]"


def length_between(low: int, high: int) -> str:
    return f"Length must be between {low} and {high}"


def size_between(low: int, high: int) -> str:
    return f"size must be between {low} and {high}"


def utf16_len(text: str) -> int:
    """LINE counts most text in UTF-16 code units: an emoji such as 🍎 is two characters."""
    return len(text.encode("utf-16-le")) // 2


def _joins_previous(char: str, previous: str) -> bool:
    code = ord(char)
    return (
        previous == "\u200d"
        or char == "\u200d"
        or unicodedata.category(char) in {"Mn", "Me", "Mc"}
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or (previous == "\r" and char == "\n")
    )


def grapheme_len(text: str) -> int:
    """Action labels and template texts count user-perceived characters (grapheme clusters).

    Python has no grapheme segmentation, so this covers what bots send: combining marks,
    ZWJ sequences, variation selectors, skin tones, tag sequences and flag pairs.
    """
    count = 0
    previous = ""
    pending_flag = False
    for char in text:
        is_flag = 0x1F1E6 <= ord(char) <= 0x1F1FF
        if is_flag and pending_flag:
            pending_flag = False
        elif not (previous and _joins_previous(char, previous)):
            count += 1
            pending_flag = is_flag
        previous = char
    return count


@dataclass(frozen=True, slots=True)
class Str:
    """A JSON string, optionally bounded in length, restricted to choices or to a pattern."""

    max_len: int | None = None
    choices: tuple[str, ...] | None = None
    pattern: re.Pattern[str] | None = None
    pattern_message: str = "Invalid format"
    count: Callable[[str], int] = utf16_len

    def __call__(self, value: object, path: str) -> Details:
        if not isinstance(value, str):
            yield detail(path, "Must be a string")
        elif self.choices is not None and value not in self.choices:
            yield detail(path, one_of(self.choices))
        elif self.max_len is not None and self.count(value) > self.max_len:
            yield detail(path, length_between(0, self.max_len))
        elif self.pattern is not None and not self.pattern.fullmatch(value):
            yield detail(path, self.pattern_message)


def enum(*choices: str) -> Str:
    return Str(choices=choices)


HEX_COLOR = Str(
    pattern=_HEX_COLOR, pattern_message="Must be a hex color code (#RRGGBB or #RRGGBBAA)"
)
RGB_COLOR = Str(pattern=_RGB_COLOR, pattern_message="Must be a hex color code (#RRGGBB)")


def uri_problem(value: str, schemes: frozenset[str]) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return INVALID_URI
    scheme = parts.scheme.lower()
    if not scheme:
        return INVALID_URI
    if scheme not in schemes:
        return INVALID_URI_SCHEME
    if scheme in {"http", "https"} and not parts.hostname:
        return INVALID_URI
    if not (parts.netloc or parts.path):
        return INVALID_URI
    if any(char.isspace() for char in value):
        return INVALID_URI
    return None


@dataclass(frozen=True, slots=True)
class Url:
    max_len: int
    schemes: frozenset[str] = HTTPS

    def __call__(self, value: object, path: str) -> Details:
        if not isinstance(value, str):
            yield detail(path, "Must be a string")
        elif utf16_len(value) > self.max_len:
            yield detail(path, length_between(0, self.max_len))
        elif (problem := uri_problem(value, self.schemes)) is not None:
            yield detail(path, problem)


@dataclass(frozen=True, slots=True)
class Int:
    low: int | None = None
    high: int | None = None

    def __call__(self, value: object, path: str) -> Details:
        if isinstance(value, bool) or not isinstance(value, int):
            yield detail(path, "Must be an integer")
        else:
            yield from _bounded(value, self.low, self.high, path)


@dataclass(frozen=True, slots=True)
class Num:
    low: float | None = None
    high: float | None = None

    def __call__(self, value: object, path: str) -> Details:
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield detail(path, "Must be a number")
        else:
            yield from _bounded(value, self.low, self.high, path)


def _bounded(value: float, low: float | None, high: float | None, path: str) -> Details:
    if low is not None and low == high and value != low:
        yield detail(path, f"Must be {low}")
    elif low is not None and high is not None and not low <= value <= high:
        yield detail(path, f"Must be between {low} and {high}")
    elif low is not None and value < low:
        yield detail(path, f"Must be greater than or equal to {low}")
    elif high is not None and value > high:
        yield detail(path, f"Must be less than or equal to {high}")


def boolean(value: object, path: str) -> Details:
    if not isinstance(value, bool):
        yield detail(path, "Must be a boolean")


@dataclass(frozen=True, slots=True)
class Field:
    """One property of an object. A missing or null required property is `May not be empty`."""

    name: str
    check: Check
    required: bool = False


def is_blank(value: object) -> bool:
    return value is None or value == ""


@dataclass(frozen=True, slots=True)
class Shape:
    """A JSON object: its properties, then rules that relate several of them.

    Unknown properties are ignored, as LINE ignores them.
    """

    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()

    def __call__(self, value: object, path: str) -> Details:
        if not isinstance(value, dict):
            yield detail(path, "Must be an object")
            return
        for field in self.fields:
            prop = f"{path}.{field.name}"
            item = value.get(field.name)
            if is_blank(item):
                if field.required:
                    yield detail(prop, EMPTY)
                elif item is not None:
                    yield from field.check(item, prop)
            else:
                yield from field.check(item, prop)
        for rule in self.rules:
            yield from rule(value, path)

    def extend(self, *fields: Field, rules: tuple[Rule, ...] = ()) -> "Shape":
        return Shape(self.fields + fields, self.rules + rules)


def shape(*fields: Field, rules: tuple[Rule, ...] = ()) -> Shape:
    return Shape(fields, rules)


def required(name: str, check: Check) -> Field:
    return Field(name, check, required=True)


def optional(name: str, check: Check) -> Field:
    return Field(name, check)


@dataclass(frozen=True, slots=True)
class Arr:
    item: Check
    min_items: int = 0
    max_items: int | None = None

    def __call__(self, value: object, path: str) -> Details:
        if not isinstance(value, list):
            yield detail(path, "Must be an array")
            return
        if self.max_items is None and len(value) < self.min_items:
            yield detail(path, f"size must be greater than or equal to {self.min_items}")
        elif self.max_items is not None and not self.min_items <= len(value) <= self.max_items:
            yield detail(path, size_between(self.min_items, self.max_items))
        for index, item in enumerate(value):
            prop = f"{path}[{index}]"
            if item is None:
                yield detail(prop, EMPTY)
            else:
                yield from self.item(item, prop)


@dataclass(frozen=True, slots=True)
class Tagged:
    """An object whose `type` property picks its rules (LINE's discriminated unions)."""

    variants: Mapping[str, Check]
    unknown: str | None = None

    def __call__(self, value: object, path: str) -> Details:
        if not isinstance(value, dict):
            yield detail(path, "Must be an object")
            return
        tag = value.get("type")
        variant = self.variants.get(tag) if isinstance(tag, str) else None
        if is_blank(tag):
            yield detail(f"{path}.type", EMPTY)
        elif variant is None:
            yield detail(f"{path}.type", self.unknown or one_of(self.variants))
        else:
            yield from variant(value, path)


@dataclass(frozen=True, slots=True)
class Keyed:
    """A JSON object used as a map: every key must match a pattern, every value one check."""

    value: Check
    key_pattern: re.Pattern[str]
    key_message: str

    def __call__(self, value: object, path: str) -> Details:
        if not isinstance(value, dict):
            yield detail(path, "Must be an object")
            return
        for key, item in value.items():
            prop = f"{path}.{key}"
            if not self.key_pattern.fullmatch(key):
                yield detail(prop, self.key_message)
            elif item is None:
                yield detail(prop, EMPTY)
            else:
                yield from self.value(item, prop)


def text_of(obj: Mapping[str, Any], name: str) -> str | None:
    """A string property for a cross-property rule; any other value was reported already."""
    value = obj.get(name)
    return value if isinstance(value, str) else None
