"""The bot: the root router, plus webhook parsing, scheduling and the Messaging API client."""

import asyncio
import logging
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import Event

from app.bot.context import Context
from app.bot.dedup import DedupStore, MemoryDedupStore
from app.bot.router import UNHANDLED, Router

if TYPE_CHECKING:
    from fastapi import APIRouter

    from app.bot.asgi import WebhookApp

log = logging.getLogger("kizuna.bot")

REAL_PLATFORM = "https://api.line.me"
F = TypeVar("F", bound=Callable[..., Any])


def source_key(event: Event) -> Hashable | None:
    """Events of one user are handled one after another, in order; other events run
    concurrently. Events that name no user are ordered per group or room."""
    source = getattr(event, "source", None)
    user = getattr(source, "user_id", None)
    if user:
        return ("user", user)
    chat = getattr(source, "group_id", None) or getattr(source, "room_id", None)
    return ("chat", chat) if chat else None


class Bot(Router):
    def __init__(
        self,
        channel_secret: str,
        access_token: str,
        *,
        api_base: str = REAL_PLATFORM,
        dedup: DedupStore | None = None,
        deduplicate: bool = True,
        order_key: Callable[[Event], Hashable | None] = source_key,
        name: str = "bot",
    ) -> None:
        """`api_base` is where the Messaging API lives: the real platform by default, or a
        Kizuna server (`http://127.0.0.1:8080`). `dedup` remembers handled webhook event ids
        (in memory by default; `deduplicate=False` turns that off)."""
        super().__init__(name)
        self.parser = WebhookParser(channel_secret)
        self.configuration = Configuration(host=api_base.rstrip("/"), access_token=access_token)
        self.dedup: DedupStore | None = (dedup or MemoryDedupStore()) if deduplicate else None
        self.order_key = order_key
        self._client: AsyncApiClient | None = None
        self._api: AsyncMessagingApi | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[bool]] = set()
        self._tails: dict[Hashable, asyncio.Task[bool]] = {}

    @property
    def api(self) -> AsyncMessagingApi:
        """The SDK's async Messaging API client, opened on first use (its HTTP session belongs
        to the running event loop)."""
        loop = asyncio.get_running_loop()
        if self._api is None:
            self._client = AsyncApiClient(self.configuration)
            self._api = AsyncMessagingApi(self._client)
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("this Bot's API client belongs to another event loop")
        return self._api

    def on_error(self, func: F) -> F:
        """The last-resort error hook, for failures no router's hook took (`@bot.error()`)."""
        return self.error()(func)

    # --- receiving ------------------------------------------------------------------------

    def parse(self, body: bytes, signature: str) -> list[Event]:
        """Verifies `X-Line-Signature` over the raw body and parses it with the SDK. Raises
        `InvalidSignatureError`, or `ValueError` for a body that is not a webhook."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError("the webhook body is not UTF-8") from exc
        try:
            return list(self.parser.parse(text, signature))
        except InvalidSignatureError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"malformed webhook body: {exc}") from exc

    def feed(self, body: bytes, signature: str) -> list["asyncio.Task[bool]"]:
        """Verifies and parses a webhook request and schedules its events; returns at once."""
        return self.dispatch(self.parse(body, signature))

    def dispatch(self, events: Iterable[Event]) -> list["asyncio.Task[bool]"]:
        """Schedules each event as a task. Events run concurrently except those sharing an
        `order_key`, which run in arrival order (across requests too)."""
        tasks = []
        for event in events:
            key = self.order_key(event)
            previous = self._tails.get(key) if key is not None else None
            task = asyncio.create_task(self._after(previous, event), name=f"kizuna-bot:{key}")
            self._tasks.add(task)
            task.add_done_callback(self._forget(key))
            if key is not None:
                self._tails[key] = task
            tasks.append(task)
        return tasks

    def _forget(self, key: Hashable | None) -> Callable[["asyncio.Task[bool]"], None]:
        def done(task: "asyncio.Task[bool]") -> None:
            self._tasks.discard(task)
            if key is not None and self._tails.get(key) is task:
                del self._tails[key]

        return done

    async def _after(self, previous: "asyncio.Task[bool] | None", event: Event) -> bool:
        if previous is not None:
            await asyncio.wait([previous])  # how it ended is its own business
        return await self.process(event)

    async def process(self, event: Event) -> bool:
        """Handles one event now (deduplication, routers, error hooks); True when a handler
        took it. Failures are logged, never raised."""
        ctx = Context(event=event, bot=self)
        event_id = ctx.webhook_event_id
        if self.dedup is not None and event_id:
            try:
                fresh = await self.dedup.claim(event_id)
            except Exception:
                log.exception("the dedup store failed on %s; handling the event anyway", event_id)
                fresh = True  # handling twice beats dropping
            if not fresh:
                log.info("skipping %s (redelivery=%s): handled before", event_id, ctx.is_redelivery)
                return False
        try:
            result = await self.propagate(ctx)
        except Exception:
            log.exception("%s %s failed and no error hook took it", type(event).__name__, event_id)
            return False
        if result is UNHANDLED:
            log.debug("no handler took %s %s", type(event).__name__, event_id)
            return False
        return True

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Waits until every scheduled event has been handled (including ones scheduled
        meanwhile)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def close(self, grace: float | None = None) -> None:
        """Waits for pending handlers (cancelling them after `grace` seconds), then closes the
        API client."""
        try:
            await asyncio.wait_for(self.drain(), grace)
        except TimeoutError:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
        self._client = self._api = self._loop = None

    # --- serving --------------------------------------------------------------------------

    def asgi_app(self, path: str = "/callback") -> "WebhookApp":
        from app.bot.asgi import WebhookApp

        return WebhookApp(self, path)

    def fastapi_router(self, path: str = "/callback") -> "APIRouter":
        from app.bot.asgi import fastapi_router

        return fastapi_router(self, path)
