"""Typed postback data packs into `data`, parses back, and filters postbacks by its fields."""

from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest

from app.bot import MAX_DATA_LENGTH, Bot, Context, PostbackData
from tests.bot import support as s


class Size(StrEnum):
    S = "s"
    M = "m"


class Buy(PostbackData, prefix="buy"):
    item: int
    qty: int = 1


class Order(PostbackData, prefix="order", sep="|"):
    id: UUID
    size: Size
    gift: bool = False
    note: str | None = None
    price: Decimal = Decimal("0")


class Page(PostbackData, prefix="page"):
    n: int


class Note(PostbackData, prefix="note"):
    text: str


def test_pack_and_unpack_round_trip() -> None:
    assert Buy(item=7).pack() == "buy:7:1"
    assert Buy.unpack("buy:7:1") == Buy(item=7)
    assert Buy.unpack("buy:7:3").qty == 3
    order = Order(id=UUID(int=5), size=Size.M, gift=True, price=Decimal("9.50"))
    packed = order.pack()
    assert packed == f"order|{UUID(int=5)}|m|1||9.50"
    assert Order.unpack(packed) == order
    assert Order.unpack(packed).note is None


@pytest.mark.parametrize(
    "data",
    ["page:1", "buy:x:1", "buy:7", "buy:7:1:2", "buy", "", "BUY:7:1"],
)
def test_unpack_refuses_what_is_not_its_model(data: str) -> None:
    with pytest.raises(ValueError):
        Buy.unpack(data)


def test_lengths_and_separators_are_checked_when_packing() -> None:
    Note(text="x" * (MAX_DATA_LENGTH - len("note:"))).pack()
    with pytest.raises(ValueError, match="300"):
        Note(text="x" * (MAX_DATA_LENGTH - len("note:") + 1)).pack()
    with pytest.raises(ValueError, match="separator"):
        Note(text="a:b").pack()


def test_a_model_needs_a_prefix_without_the_separator() -> None:
    with pytest.raises(TypeError, match="prefix"):

        class Nameless(PostbackData):
            x: int

    with pytest.raises(ValueError, match="separator"):

        class Bad(PostbackData, prefix="a:b"):
            x: int


def test_models_are_immutable_values() -> None:
    buy = Buy(item=1)
    with pytest.raises(ValueError):
        buy.item = 2  # type: ignore[misc]
    assert hash(buy) == hash(Buy(item=1))


async def _check(raw: dict[str, Any], item: Any) -> Any:
    ctx = Context(event=s.parse(raw)[0], bot=Bot(s.SECRET, "token"))
    return await item.check(ctx, {})


@pytest.mark.asyncio
async def test_the_filter_parses_matches_fields_and_hands_over_the_model() -> None:
    assert await _check(s.postback("buy:7:2"), Buy.filter()) == {"data": Buy(item=7, qty=2)}
    assert await _check(s.postback("buy:7:2"), Buy.filter(item=7)) == {"data": Buy(item=7, qty=2)}
    assert await _check(s.postback("buy:8:2"), Buy.filter(item=7)) is False
    assert await _check(s.postback("page:1"), Buy.filter()) is False
    assert await _check(s.postback("buy:nope:1"), Buy.filter()) is False
    assert await _check(s.text("buy:7:1"), Buy.filter()) is False
    with pytest.raises(TypeError, match="colour"):
        Buy.filter(colour="red")


@pytest.mark.asyncio
async def test_handlers_get_the_model_by_name_or_by_annotation() -> None:
    bot = Bot(s.SECRET, "token")
    got: list[Any] = []

    @bot.postback(Buy.filter(item=7))
    async def by_name(data: Buy) -> None:
        got.append(("name", data))

    @bot.postback(Page)  # the class itself works as its filter
    async def by_type(ctx: Context, page: Page) -> None:
        got.append(("type", page))

    @bot.postback("plain")
    async def plain_data() -> None:
        got.append(("plain", None))

    for raw in (s.postback("buy:7:1"), s.postback("page:4"), s.postback("plain")):
        assert await bot.process(s.parse(raw)[0])
    assert got == [("name", Buy(item=7)), ("type", Page(n=4)), ("plain", None)]
