"""Filters decide whether a handler takes an event; they compose with `&`, `|` and `~`.

A filter answers True/False, or a dict: the event passes and the dict's entries become keyword
arguments of the handler (by name), the way `Regex` hands over `match`. Any callable (sync or
async) works as a filter too; it receives what it asks for by parameter name, and a first
parameter nothing else provides receives the event (`lambda e: ...`).
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from linebot.v3.webhooks import (
    GroupSource,
    MessageContent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
    UserSource,
)

from app.bot.inject import Injectable

if TYPE_CHECKING:
    from app.bot.context import Context

FilterResult: TypeAlias = bool | dict[str, Any]
FilterLike: TypeAlias = "Filter | Callable[..., Any]"
SourceKind = Literal["user", "group", "room"]


def passed(result: Any) -> dict[str, Any] | None:
    """A dict (even empty) or True passes; anything else (False, None, 0) fails."""
    if isinstance(result, dict):
        return result
    return {} if result is True else None


class Filter(ABC):
    @abstractmethod
    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        """`data` is what middlewares and earlier filters provided so far."""

    def __and__(self, other: FilterLike) -> "Filter":
        return And(self, as_filter(other))

    def __rand__(self, other: FilterLike) -> "Filter":
        return And(as_filter(other), self)

    def __or__(self, other: FilterLike) -> "Filter":
        return Or(self, as_filter(other))

    def __ror__(self, other: FilterLike) -> "Filter":
        return Or(as_filter(other), self)

    def __invert__(self) -> "Filter":
        return Not(self)


class And(Filter):
    def __init__(self, *filters: Filter) -> None:
        self.filters = filters

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        found: dict[str, Any] = {}
        for item in self.filters:
            extra = passed(await item.check(ctx, {**data, **found}))
            if extra is None:
                return False
            found.update(extra)
        return found

    def __repr__(self) -> str:
        return " & ".join(map(repr, self.filters))


class Or(Filter):
    def __init__(self, *filters: Filter) -> None:
        self.filters = filters

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        for item in self.filters:
            extra = passed(await item.check(ctx, data))
            if extra is not None:
                return extra
        return False

    def __repr__(self) -> str:
        return "(" + " | ".join(map(repr, self.filters)) + ")"


class Not(Filter):
    def __init__(self, inner: Filter) -> None:
        self.inner = inner

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        return passed(await self.inner.check(ctx, data)) is None

    def __repr__(self) -> str:
        return f"~{self.inner!r}"


class CallableFilter(Filter):
    def __init__(self, func: Callable[..., Any]) -> None:
        self.target = Injectable.of(func)

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        result = await self.target.call(ctx, data, event_first=True)
        return result if isinstance(result, dict) else bool(result)

    def __repr__(self) -> str:
        return self.target.name


def _text(event: Any) -> str | None:
    if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        return str(event.message.text)
    return None


def _postback_data(event: Any) -> str | None:
    if isinstance(event, PostbackEvent):
        return str(event.postback.data)
    return None


class Text(Filter):
    """A text message that is exactly one of `values`."""

    def __init__(self, *values: str, ignore_case: bool = False) -> None:
        if not values:
            raise ValueError("Text() needs at least one value")
        self.ignore_case = ignore_case
        self.values = {v.casefold() for v in values} if ignore_case else set(values)

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        text = _text(ctx.event)
        if text is None:
            return False
        return (text.casefold() if self.ignore_case else text) in self.values

    def __repr__(self) -> str:
        return f"Text({', '.join(map(repr, sorted(self.values)))})"


class Regex(Filter):
    """Searches a text message's text, or a postback's data; the handler may take `match`."""

    def __init__(self, pattern: str | re.Pattern[str], flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags) if isinstance(pattern, str) else pattern

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        subject = _text(ctx.event)
        if subject is None:
            subject = _postback_data(ctx.event)
        if subject is None:
            return False
        match = self.pattern.search(subject)
        return {"match": match} if match else False

    def __repr__(self) -> str:
        return f"Regex({self.pattern.pattern!r})"


class Data(Filter):
    """A postback whose data is exactly one of `values`, or starts with `prefix`."""

    def __init__(self, *values: str, prefix: str | None = None) -> None:
        if not values and prefix is None:
            raise ValueError("Data() needs values or a prefix")
        self.values = set(values)
        self.prefix = prefix

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        value = _postback_data(ctx.event)
        if value is None:
            return False
        return value in self.values or (self.prefix is not None and value.startswith(self.prefix))

    def __repr__(self) -> str:
        return f"Data({', '.join(map(repr, sorted(self.values)))}, prefix={self.prefix!r})"


class MessageType(Filter):
    """A message event whose content is one of the SDK's classes (`TextMessageContent`, ...)."""

    def __init__(self, *kinds: type[MessageContent]) -> None:
        if not kinds:
            raise ValueError("MessageType() needs at least one content class")
        self.kinds = kinds

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        event = ctx.event
        return isinstance(event, MessageEvent) and isinstance(event.message, self.kinds)

    def __repr__(self) -> str:
        return f"MessageType({', '.join(k.__name__ for k in self.kinds)})"


_SOURCES: dict[str, type] = {"user": UserSource, "group": GroupSource, "room": RoomSource}


class SourceType(Filter):
    """Where the event happened: a one-to-one chat ("user"), a "group" or a "room"."""

    def __init__(self, *kinds: SourceKind) -> None:
        unknown = set(kinds) - set(_SOURCES)
        if not kinds or unknown:
            raise ValueError(
                f"SourceType() takes 'user', 'group' or 'room', not {unknown or kinds}"
            )
        self.kinds = kinds
        self.classes = tuple(_SOURCES[kind] for kind in kinds)

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        return isinstance(ctx.source, self.classes)

    def __repr__(self) -> str:
        return f"SourceType({', '.join(map(repr, self.kinds))})"


class Mentioned(Filter):
    """A text message that mentions the bot (in a group or room, the usual way to address it)."""

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        event = ctx.event
        if not (isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent)):
            return False
        mention = event.message.mention
        mentionees = getattr(mention, "mentionees", None) or []
        return any(getattr(m, "is_self", False) for m in mentionees)

    def __repr__(self) -> str:
        return "Mentioned()"


def as_filter(item: Any) -> Filter:
    """A filter, a message content class (→ MessageType), a compiled pattern (→ Regex), a
    `PostbackData` class (→ its `filter()`), or any callable."""
    from app.bot.postback import PostbackData

    if isinstance(item, Filter):
        return item
    if isinstance(item, type) and issubclass(item, MessageContent):
        return MessageType(item)
    if isinstance(item, type) and issubclass(item, PostbackData):
        return item.filter()
    if isinstance(item, re.Pattern):
        return Regex(item)
    if callable(item) and not isinstance(item, type):
        return CallableFilter(item)
    raise TypeError(f"not a filter: {item!r}")
