"""Outer middlewares see every event before filtering; inner ones wrap the chosen handler."""

import re
from typing import Any

import pytest

from app.bot import Bot, CallNext, Context, Router, Text
from tests.bot import support as s


def recorder(log: list[str], name: str) -> Any:
    async def middleware(ctx: Context, call_next: CallNext) -> Any:
        log.append(f"{name}>")
        try:
            return await call_next()
        finally:
            log.append(f"<{name}")

    return middleware


@pytest.mark.asyncio
async def test_outer_runs_for_every_event_inner_only_around_a_chosen_handler() -> None:
    bot, child = Bot(s.SECRET, "token"), Router("child")
    bot.include_router(child)
    log: list[str] = []
    bot.outer_middleware(recorder(log, "bot-outer"))
    bot.middleware(recorder(log, "bot-inner"))
    child.outer_middleware(recorder(log, "child-outer"))
    child.middleware(recorder(log, "child-inner"))

    @child.message(Text("hi"))
    async def hi() -> None:
        log.append("handler")

    await bot.process(s.parse(s.text("hi"))[0])
    assert log == [
        "bot-outer>",
        "child-outer>",
        "bot-inner>",
        "child-inner>",
        "handler",
        "<child-inner",
        "<bot-inner",
        "<child-outer",
        "<bot-outer",
    ]
    log.clear()
    assert not await bot.process(s.parse(s.text("no match"))[0])
    assert log == ["bot-outer>", "child-outer>", "<child-outer", "<bot-outer"]


@pytest.mark.asyncio
async def test_middlewares_provide_values_filters_and_handlers_ask_for() -> None:
    bot = Bot(s.SECRET, "token")
    got: list[Any] = []

    @bot.outer_middleware
    async def load_user(ctx: Context, call_next: CallNext) -> Any:
        ctx.data["account"] = {"id": ctx.user_id, "admin": ctx.user_id == s.ALICE}
        return await call_next()

    @bot.middleware
    async def shouting(ctx: Context, call_next: CallNext) -> Any:
        # Inner middlewares already see what the filters found.
        ctx.data["shout"] = ctx.data["match"].group(0).upper()
        return await call_next()

    @bot.message(lambda account: account["admin"], re.compile("ban"))
    async def ban(account: dict[str, Any], shout: str) -> None:
        got.append((account["id"], shout))

    await bot.process(s.parse(s.text("ban him", s.user(s.ALICE)))[0])
    await bot.process(s.parse(s.text("ban him", s.user(s.BOB)))[0])
    assert got == [(s.ALICE, "BAN")]


@pytest.mark.asyncio
async def test_an_outer_middleware_may_drop_an_event() -> None:
    bot = Bot(s.SECRET, "token")
    handled: list[str] = []

    @bot.outer_middleware
    async def only_alice(ctx: Context, call_next: CallNext) -> Any:
        if ctx.user_id != s.ALICE:
            return None  # dropped: no handler runs
        return await call_next()

    @bot.message()
    async def any_message(ctx: Context) -> None:
        handled.append(str(ctx.user_id))

    await bot.process(s.parse(s.text("x", s.user(s.BOB)))[0])
    await bot.process(s.parse(s.text("x", s.user(s.ALICE)))[0])
    assert handled == [s.ALICE]


@pytest.mark.asyncio
async def test_what_an_unmatched_branch_added_does_not_leak_into_the_next() -> None:
    bot, first, second = Bot(s.SECRET, "token"), Router(), Router()
    bot.include_router(first)
    bot.include_router(second)
    seen: list[Any] = []

    @first.outer_middleware
    async def tag(ctx: Context, call_next: CallNext) -> Any:
        ctx.data["tag"] = "first"
        return await call_next()

    @first.message(Text("never"))
    async def never() -> None:
        raise AssertionError

    @second.message()
    async def check(ctx: Context, tag: str = "none") -> None:
        seen.append(tag)

    await bot.process(s.parse(s.text("x"))[0])
    assert seen == ["none"]
