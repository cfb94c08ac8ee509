"""Webhook events are handled once per `webhookEventId`; redeliveries are recognised."""

from typing import Any

import pytest

from app.bot import Bot, Context, DedupStore, MemoryDedupStore
from tests.bot import support as s


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_the_memory_store_claims_once_until_the_ttl_passes() -> None:
    clock = Clock()
    store = MemoryDedupStore(ttl=60, clock=clock)
    assert await store.claim("a") and not await store.claim("a")
    clock.now += 59
    assert not await store.claim("a")
    clock.now += 2
    assert await store.claim("a")
    assert isinstance(store, DedupStore)


@pytest.mark.asyncio
async def test_the_memory_store_forgets_the_oldest_beyond_its_size() -> None:
    store = MemoryDedupStore(max_entries=2, clock=Clock())
    for key in ("a", "b", "c"):
        assert await store.claim(key)
    assert len(store) == 2
    assert await store.claim("a")  # forgotten to make room
    assert not await store.claim("c")


def _recording_bot(**options: Any) -> tuple[Bot, list[tuple[str, bool]]]:
    bot = Bot(s.SECRET, "token", **options)
    seen: list[tuple[str, bool]] = []

    @bot.message()
    async def record(ctx: Context) -> None:
        seen.append((ctx.event.message.text, ctx.is_redelivery))

    return bot, seen


@pytest.mark.asyncio
async def test_a_redelivered_event_already_handled_is_skipped() -> None:
    bot, seen = _recording_bot()
    first = s.text("hi", webhook_event_id="01EVENT")
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    fresh_redelivery = s.text("lost before", redelivery=True)
    for raw in (first, again, fresh_redelivery):
        body = s.body(raw)
        bot.feed(body, s.sign(body))
    await bot.drain()
    assert seen == [("hi", False), ("lost before", True)]


@pytest.mark.asyncio
async def test_any_store_with_claim_plugs_in_and_a_broken_store_never_drops_events() -> None:
    class SetStore:
        def __init__(self) -> None:
            self.keys: set[str] = set()

        async def claim(self, event_id: str) -> bool:
            fresh = event_id not in self.keys
            self.keys.add(event_id)
            return fresh

    class BrokenStore:
        async def claim(self, event_id: str) -> bool:
            raise ConnectionError("store down")

    store = SetStore()
    bot, seen = _recording_bot(dedup=store)
    event = s.parse(s.text("once", webhook_event_id="01SAME"))[0]
    assert await bot.process(event) and not await bot.process(event)
    assert store.keys == {"01SAME"} and seen == [("once", False)]

    broken, seen_anyway = _recording_bot(dedup=BrokenStore())
    assert await broken.process(event) and await broken.process(event)
    assert len(seen_anyway) == 2

    off, seen_twice = _recording_bot(deduplicate=False)
    assert off.dedup is None
    assert await off.process(event) and await off.process(event)
    assert len(seen_twice) == 2
