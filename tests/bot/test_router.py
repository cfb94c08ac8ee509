"""Routers nest, try handlers in order, inject parameters and cover every webhook event type."""

import inspect
from typing import Any

import pytest
from linebot.v3 import webhooks

from app.bot import Bot, Context, Regex, Router, SkipHandler, SourceType, Text
from tests.bot import support as s

SUGAR = {
    "message": webhooks.MessageEvent,
    "message_edited": webhooks.MessageEditedEvent,
    "unsend": webhooks.UnsendEvent,
    "follow": webhooks.FollowEvent,
    "unfollow": webhooks.UnfollowEvent,
    "join": webhooks.JoinEvent,
    "leave": webhooks.LeaveEvent,
    "member_joined": webhooks.MemberJoinedEvent,
    "member_left": webhooks.MemberLeftEvent,
    "postback": webhooks.PostbackEvent,
    "video_play_complete": webhooks.VideoPlayCompleteEvent,
    "beacon": webhooks.BeaconEvent,
    "account_link": webhooks.AccountLinkEvent,
    "membership": webhooks.MembershipEvent,
    "module": webhooks.ModuleEvent,
    "activated": webhooks.ActivatedEvent,
    "deactivated": webhooks.DeactivatedEvent,
    "bot_suspended": webhooks.BotSuspendedEvent,
    "bot_resumed": webhooks.BotResumedEvent,
    "delivery": webhooks.PnpDeliveryCompletionEvent,
}


def new_bot() -> Bot:
    return Bot(s.SECRET, "token")


@pytest.mark.parametrize(("method", "event_class"), SUGAR.items())
def test_every_event_type_has_its_decorator(method: str, event_class: type) -> None:
    router = Router()
    getattr(router, method)()(lambda: None)
    assert router.handlers[-1].event_types == (event_class,)


def test_every_sdk_event_class_is_covered() -> None:
    event_classes = {
        cls
        for _, cls in inspect.getmembers(webhooks, inspect.isclass)
        if issubclass(cls, webhooks.Event) and cls is not webhooks.Event
    }
    assert event_classes <= set(SUGAR.values())


@pytest.mark.asyncio
async def test_nested_routers_parent_first_then_children_in_order_first_match_wins() -> None:
    bot, shop, admin, deep = new_bot(), Router("shop"), Router("admin"), Router("deep")
    bot.include_router(shop)
    bot.include_router(admin)
    shop.include_router(deep)
    seen: list[str] = []

    @bot.message(Text("root"))
    async def root() -> None:
        seen.append("root")

    @shop.message(Regex("^buy"))
    async def buy() -> None:
        seen.append("shop")

    @deep.message(Text("deep"))
    async def deep_one() -> None:
        seen.append("deep")

    @admin.message()
    async def anything() -> None:
        seen.append("admin")

    @deep.message()
    async def deep_any() -> None:
        seen.append("deep-any")

    for said in ("root", "buy it", "deep", "other"):
        assert await bot.process(s.parse(s.text(said))[0])
    # "other" reaches deep's catch-all first: the shop subtree comes before admin.
    assert seen == ["root", "shop", "deep", "deep-any"]


@pytest.mark.asyncio
async def test_router_filters_guard_the_whole_subtree() -> None:
    bot, groups, rest = new_bot(), Router("groups"), Router("rest")
    groups.filter(SourceType("group", "room"))
    bot.include_router(groups)
    bot.include_router(rest)
    groups.include_router(nested := Router("nested"))
    seen: list[str] = []

    @nested.message()
    async def in_group() -> None:
        seen.append("group")

    @rest.event(webhooks.Event)
    async def fallback(event: webhooks.Event) -> None:
        seen.append(f"fallback:{event.type}")

    await bot.process(s.parse(s.text("x", s.group()))[0])
    await bot.process(s.parse(s.text("x", s.user()))[0])
    await bot.process(s.parse(s.follow())[0])
    assert seen == ["group", "fallback:message", "fallback:follow"]


@pytest.mark.asyncio
async def test_an_event_no_handler_takes_is_unhandled() -> None:
    bot, groups = new_bot(), Router("groups")
    bot.include_router(groups)
    groups.filter(SourceType("group"))
    seen: list[str] = []

    @groups.message()
    async def in_group() -> None:
        seen.append("group")

    await bot.process(s.parse(s.text("x", s.group()))[0])
    assert not await bot.process(s.parse(s.text("x", s.user()))[0])
    assert seen == ["group"]


@pytest.mark.asyncio
async def test_skip_handler_passes_the_event_on() -> None:
    bot = new_bot()
    seen: list[str] = []

    @bot.message()
    async def picky(ctx: Context) -> None:
        seen.append("picky")
        raise SkipHandler

    @bot.message()
    async def next_one() -> None:
        seen.append("next")

    assert await bot.process(s.parse(s.text("x"))[0])
    assert seen == ["picky", "next"]


@pytest.mark.asyncio
async def test_handlers_receive_what_they_ask_for_by_name() -> None:
    bot = new_bot()
    got: dict[str, Any] = {}

    @bot.message(Regex(r"(\d+)"), lambda e: {"sender": e.source.user_id})
    async def everything(ctx, event, bot, match, sender, missing="default"):  # type: ignore[no-untyped-def]
        got.update(ctx=ctx, event=event, bot=bot, n=match.group(1), sender=sender, missing=missing)

    @bot.follow()
    def sync_handler(**kwargs: Any) -> None:  # sync handlers and **kwargs work too
        got["follow"] = kwargs

    await bot.process(s.parse(s.text("take 3"))[0])
    await bot.process(s.parse(s.follow())[0])
    assert got["n"] == "3" and got["sender"] == s.ALICE and got["missing"] == "default"
    assert got["bot"] is bot and got["ctx"].event is got["event"]
    assert got["follow"] == {}


@pytest.mark.asyncio
async def test_a_parameter_nobody_provides_is_an_error_naming_it() -> None:
    bot = new_bot()
    errors: list[Exception] = []

    @bot.message()
    async def wants(unknown: str) -> None:
        raise AssertionError("never called")

    @bot.error(TypeError)
    async def on_type_error(error: TypeError) -> None:
        errors.append(error)

    await bot.process(s.parse(s.text("x"))[0])
    assert len(errors) == 1 and "'unknown'" in str(errors[0])


def test_a_router_is_included_once_and_never_in_itself() -> None:
    bot, child, grandchild = new_bot(), Router(), Router()
    bot.include_router(child)
    child.include_router(grandchild)
    with pytest.raises(RuntimeError):
        Router().include_router(child)
    with pytest.raises(RuntimeError):
        grandchild.include_router(bot)
    with pytest.raises(TypeError):
        bot.event(str)
