"""Remembering which webhook events were handled, so a redelivered one is handled only once.

LINE redelivers an event (with `deliveryContext.isRedelivery`) when it could not confirm the
first delivery, which includes deliveries the bot did receive but answered late; the event keeps
its `webhookEventId`. Any store with an atomic "claim" works: the default lives in memory (one
process); with several processes use a shared one, e.g. Redis `SET key 1 NX EX ttl`.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, runtime_checkable

# Redeliveries of an event come within a day of it.
DEFAULT_TTL = 24 * 60 * 60.0


@runtime_checkable
class DedupStore(Protocol):
    async def claim(self, event_id: str) -> bool:
        """True when `event_id` was not claimed before (the caller handles the event); False for
        a duplicate. Must be atomic across everything sharing the store."""
        ...


class MemoryDedupStore:
    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        # Insertion order is expiry order (one TTL for all), so pruning pops from the front.
        self._expiry: OrderedDict[str, float] = OrderedDict()

    async def claim(self, event_id: str) -> bool:
        now = self.clock()
        while self._expiry and next(iter(self._expiry.values())) <= now:
            self._expiry.popitem(last=False)
        if event_id in self._expiry:
            return False
        while len(self._expiry) >= self.max_entries:
            self._expiry.popitem(last=False)
        self._expiry[event_id] = now + self.ttl
        return True

    def __len__(self) -> int:
        return len(self._expiry)
