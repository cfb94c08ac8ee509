"""A failure stays with its event: error hooks take it, other events of the request still run,
and one user's events keep their order while other users' proceed."""

import asyncio
import logging
from typing import Any

import pytest

from app.bot import Bot, Context, Router, Text
from tests.bot import support as s


async def feed(bot: Bot, *events: dict[str, Any]) -> None:
    raw = s.body(*events)
    bot.feed(raw, s.sign(raw))


@pytest.mark.asyncio
async def test_error_hooks_bubble_from_the_handlers_router_up_to_the_bot() -> None:
    bot, shop = Bot(s.SECRET, "token"), Router("shop")
    bot.include_router(shop)
    caught: list[tuple[str, str, Any]] = []

    @shop.message(Text("key"))
    async def key_error() -> None:
        raise KeyError("k")

    @shop.message(Text("value"))
    async def value_error() -> None:
        raise ValueError("v")

    @shop.message(Text("rethrow"))
    async def runtime_error() -> None:
        raise RuntimeError("r")

    @shop.error(KeyError, RuntimeError)
    async def shop_hook(error: Exception, ctx: Context) -> None:
        caught.append(("shop", type(error).__name__, ctx.event.message.text))
        if isinstance(error, RuntimeError):
            raise LookupError("from the hook") from error

    @bot.on_error
    async def last_resort(error: Exception, event: Any) -> None:
        caught.append(("bot", type(error).__name__, event.message.text))

    for said in ("key", "value", "rethrow"):
        await bot.process(s.parse(s.text(said))[0])
    assert caught == [
        ("shop", "KeyError", "key"),
        ("bot", "ValueError", "value"),
        ("shop", "RuntimeError", "rethrow"),
        ("bot", "LookupError", "rethrow"),
    ]


@pytest.mark.asyncio
async def test_one_failing_handler_never_blocks_the_other_events_of_the_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = Bot(s.SECRET, "token")
    handled: list[str] = []

    @bot.message(Text("boom"))
    async def boom() -> None:
        raise ZeroDivisionError

    @bot.message()
    async def fine(ctx: Context) -> None:
        handled.append(f"{str(ctx.user_id)[:2]}:{ctx.event.message.text}")

    @bot.follow()
    async def followed(ctx: Context) -> None:
        handled.append(f"{str(ctx.user_id)[:2]}:follow")

    with caplog.at_level(logging.ERROR, logger="kizuna.bot"):
        await feed(
            bot,
            s.text("boom", s.user(s.ALICE)),
            s.text("after", s.user(s.ALICE)),
            s.follow(s.user(s.BOB)),
            s.text("hello", s.user(s.BOB)),
        )
        await bot.drain()
    assert sorted(handled) == ["Ua:after", "Ub:follow", "Ub:hello"]
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [ZeroDivisionError]


@pytest.mark.asyncio
async def test_a_users_events_keep_their_order_while_other_users_proceed() -> None:
    bot = Bot(s.SECRET, "token")
    log: list[str] = []
    bob_done = asyncio.Event()

    @bot.message()
    async def record(ctx: Context) -> None:
        said = ctx.event.message.text
        if said == "a1":
            await bob_done.wait()  # only Bob's event, queued after Alice's, can release it
        for _ in range(3):
            await asyncio.sleep(0)  # give later events every chance to overtake
        log.append(said)
        if said == "b1":
            bob_done.set()

    await feed(
        bot,
        s.text("a1", s.user(s.ALICE)),
        s.text("a2", s.user(s.ALICE)),
        s.text("a3", s.user(s.ALICE)),
        s.text("b1", s.user(s.BOB)),
    )
    await feed(bot, s.text("a4", s.user(s.ALICE)))  # a later request waits its turn too
    async with asyncio.timeout(60):  # a deadlock guard, not a measurement
        await bot.drain()
    assert log == ["b1", "a1", "a2", "a3", "a4"]
    assert bot.pending == 0
