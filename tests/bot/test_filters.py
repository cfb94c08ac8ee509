"""Filters pick events, compose with & | ~, and hand their findings to handlers."""

import re
from typing import Any

import pytest
from linebot.v3.webhooks import ImageMessageContent, MessageEvent, TextMessageContent

from app.bot import (
    Bot,
    Context,
    Data,
    Filter,
    Mentioned,
    MessageType,
    Regex,
    SourceType,
    Text,
    as_filter,
)
from app.bot.filters import passed
from tests.bot import support as s


def ctx_for(raw: dict[str, Any]) -> Context:
    return Context(event=s.parse(raw)[0], bot=Bot(s.SECRET, "token"))


async def check(item: Any, raw: dict[str, Any], data: dict[str, Any] | None = None) -> Any:
    return passed(await as_filter(item).check(ctx_for(raw), data or {}))


@pytest.mark.asyncio
async def test_text_is_exact_and_only_matches_text_messages() -> None:
    assert await check(Text("hi", "hello"), s.text("hello")) == {}
    assert await check(Text("hi"), s.text("hi there")) is None
    assert await check(Text("hi"), s.text("HI")) is None
    assert await check(Text("hi", ignore_case=True), s.text("HI")) == {}
    assert await check(Text("hi"), s.postback("hi")) is None
    assert await check(Text("hi"), s.image()) is None


@pytest.mark.asyncio
async def test_regex_hands_over_the_match_for_text_and_postback_data() -> None:
    found = await check(Regex(r"order (\d+)"), s.text("my order 42 please"))
    assert found is not None and found["match"].group(1) == "42"
    found = await check(re.compile(r"^page=(\d+)$"), s.postback("page=3"))
    assert found is not None and found["match"].group(1) == "3"
    assert await check(Regex("x"), s.follow()) is None
    assert await check(Regex("^a$"), s.text("b")) is None


@pytest.mark.asyncio
async def test_message_type_uses_the_sdk_content_classes() -> None:
    assert await check(MessageType(ImageMessageContent), s.image()) == {}
    assert await check(ImageMessageContent, s.image()) == {}
    assert await check(MessageType(ImageMessageContent), s.text("x")) is None
    assert await check(MessageType(TextMessageContent, ImageMessageContent), s.text("x")) == {}
    assert await check(TextMessageContent, s.follow()) is None


@pytest.mark.asyncio
async def test_postback_data_is_exact_or_by_prefix() -> None:
    assert await check(Data("menu"), s.postback("menu")) == {}
    assert await check(Data("menu"), s.postback("menu2")) is None
    assert await check(Data(prefix="shop:"), s.postback("shop:7")) == {}
    assert await check(Data("menu"), s.text("menu")) is None


@pytest.mark.asyncio
async def test_source_type_tells_user_group_and_room_apart() -> None:
    assert await check(SourceType("user"), s.text("x", s.user())) == {}
    assert await check(SourceType("user"), s.text("x", s.group())) is None
    assert await check(SourceType("group", "room"), s.text("x", s.room())) == {}
    assert await check(SourceType("group"), s.text("x", s.group())) == {}
    with pytest.raises(ValueError):
        SourceType("channel")  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_mentioned_means_the_bot_itself_was_mentioned() -> None:
    me = {"mentionees": [{"type": "user", "index": 0, "length": 4, "isSelf": True}]}
    other = {"mentionees": [{"type": "user", "index": 0, "length": 4, "isSelf": False}]}
    assert await check(Mentioned(), s.text("@bot hi", s.group(), mention=me)) == {}
    assert await check(Mentioned(), s.text("@bob hi", s.group(), mention=other)) is None
    assert await check(Mentioned(), s.text("hi", s.group())) is None


@pytest.mark.asyncio
async def test_filters_compose_with_and_or_not() -> None:
    hi = Text("hi")
    in_group = SourceType("group")
    assert await check(hi & in_group, s.text("hi", s.group())) == {}
    assert await check(hi & in_group, s.text("hi")) is None
    assert await check(hi | in_group, s.text("nope", s.group())) == {}
    assert await check(hi | in_group, s.text("nope")) is None
    assert await check(~hi, s.text("nope")) == {}
    assert await check(~hi, s.text("hi")) is None
    assert await check(~(hi | Text("hello")) & SourceType("user"), s.text("yo")) == {}
    # And merges what each part found; Or hands over what the passing part found.
    both = await check(Regex("(?P<a>a)") & Regex("b+"), s.text("abb"))
    assert both is not None and both["match"].group(0) == "bb"
    either = await check(Text("zzz") | Regex("b+"), s.text("abb"))
    assert either is not None and either["match"].group(0) == "bb"


@pytest.mark.asyncio
async def test_callables_are_filters_sync_or_async_bool_or_dict() -> None:
    async def is_alice(event: MessageEvent) -> bool:
        return bool(event.source.user_id == s.ALICE)

    def shouting(ctx: Context) -> dict[str, Any] | bool:
        message = ctx.event.message
        return {"volume": len(message.text)} if message.text.isupper() else False

    assert await check(is_alice, s.text("x", s.user(s.ALICE))) == {}
    assert await check(is_alice, s.text("x", s.user(s.BOB))) is None
    assert await check(shouting, s.text("HEY")) == {"volume": 3}
    assert await check(shouting, s.text("hey")) is None
    assert await check(lambda e: e.type == "follow", s.follow()) == {}
    # A callable composes with filters on either side of the operator.
    combined: Filter = (lambda e: True) & Text("hi")
    assert await check(combined, s.text("hi")) == {}
    assert await check(Text("hi") | (lambda e: False), s.text("no")) is None
    # A callable sees what middlewares and earlier filters provided, by name.
    assert await check(lambda e, role: role == "admin", s.text("x"), {"role": "admin"}) == {}


def test_what_is_not_a_filter_is_refused_early() -> None:
    with pytest.raises(TypeError):
        as_filter(42)
    with pytest.raises(ValueError):
        Text()
    with pytest.raises(ValueError):
        Data()
