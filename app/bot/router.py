"""Routers hold handlers, filters, middlewares and error hooks, and nest.

An event walks the tree depth first: a router's outer middlewares, its own filters, its handlers
in registration order, then its child routers in inclusion order. The first handler whose event
class and filters match takes the event (raise `SkipHandler` in it to pass the event on). Inner
middlewares apply from the root down to the handler's router, the root's outermost.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from linebot.v3.webhooks import (
    AccountLinkEvent,
    ActivatedEvent,
    BeaconEvent,
    BotResumedEvent,
    BotSuspendedEvent,
    DeactivatedEvent,
    Event,
    FollowEvent,
    JoinEvent,
    LeaveEvent,
    MemberJoinedEvent,
    MemberLeftEvent,
    MembershipEvent,
    MessageEditedEvent,
    MessageEvent,
    ModuleEvent,
    PnpDeliveryCompletionEvent,
    PostbackEvent,
    UnfollowEvent,
    UnsendEvent,
    VideoPlayCompleteEvent,
)

from app.bot.context import Context
from app.bot.filters import Data, Filter, Text, as_filter, passed
from app.bot.inject import Injectable
from app.bot.middleware import Middleware, chain

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=Middleware)


class _Unhandled:
    def __repr__(self) -> str:
        return "UNHANDLED"


UNHANDLED: Any = _Unhandled()


class SkipHandler(Exception):
    """Raised in a handler or inner middleware: the next matching handler gets the event."""


@dataclass(frozen=True)
class Handler:
    event_types: tuple[type, ...]
    filters: tuple[Filter, ...]
    callback: Injectable


@dataclass(frozen=True)
class ErrorHandler:
    types: tuple[type[BaseException], ...]
    callback: Injectable


async def _check(
    filters: Sequence[Filter], ctx: Context, data: Mapping[str, Any]
) -> dict[str, Any] | None:
    """All filters must pass; later filters see what earlier ones provided."""
    found: dict[str, Any] = {}
    for item in filters:
        extra = passed(await item.check(ctx, {**data, **found}))
        if extra is None:
            return None
        found.update(extra)
    return found


async def _run(handler: Handler, ctx: Context, inner: Sequence[Middleware]) -> Any:
    async def call() -> Any:
        return await handler.callback.call(ctx, ctx.data)

    return await chain(inner, ctx, call)()


def _sugar(filters: tuple[Any, ...], plain: Callable[[str], Filter]) -> tuple[Any, ...]:
    return tuple(plain(item) if isinstance(item, str) else item for item in filters)


class Router:
    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"router-{id(self):x}"
        self.parent: Router | None = None
        self.routers: list[Router] = []
        self.handlers: list[Handler] = []
        self.filters: list[Filter] = []
        self.outer_middlewares: list[Middleware] = []
        self.inner_middlewares: list[Middleware] = []
        self.error_handlers: list[ErrorHandler] = []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # --- building -------------------------------------------------------------------------

    def include_router(self, router: "Router") -> "Router":
        if router.parent is not None:
            raise RuntimeError(f"{router!r} is already included in {router.parent!r}")
        ancestor: Router | None = self
        while ancestor is not None:
            if ancestor is router:
                raise RuntimeError(f"including {router!r} in {self!r} would make a cycle")
            ancestor = ancestor.parent
        router.parent = self
        self.routers.append(router)
        return router

    def filter(self, *filters: Any) -> None:
        """Filters every handler of this router and its children must also pass."""
        self.filters.extend(as_filter(item) for item in filters)

    def outer_middleware(self, middleware: M) -> M:
        self.outer_middlewares.append(middleware)
        return middleware

    def middleware(self, middleware: M) -> M:
        """An inner middleware: around the chosen handler only."""
        self.inner_middlewares.append(middleware)
        return middleware

    def error(self, *types: type[BaseException]) -> Callable[[F], F]:
        """An error hook for failures in this router's handlers, middlewares and filters (and its
        children's, when theirs do not take them). It receives `error` among the usual
        parameters; returning handles the error, raising passes it to the parent router."""

        def register(func: F) -> F:
            self.error_handlers.append(ErrorHandler(types or (Exception,), Injectable.of(func)))
            return func

        return register

    def event(self, event_type: type | tuple[type, ...], *filters: Any) -> Callable[[F], F]:
        """Registers a handler for an SDK event class (or several; `Event` takes them all)."""
        types = event_type if isinstance(event_type, tuple) else (event_type,)
        for kind in types:
            if not (isinstance(kind, type) and issubclass(kind, Event)):
                raise TypeError(f"{kind!r} is not a linebot.v3.webhooks event class")
        checks = tuple(as_filter(item) for item in filters)

        def register(func: F) -> F:
            self.handlers.append(Handler(types, checks, Injectable.of(func)))
            return func

        return register

    def message(self, *filters: Any) -> Callable[[F], F]:
        """A plain string filter is exact text (`Text`)."""
        return self.event(MessageEvent, *_sugar(filters, Text))

    def postback(self, *filters: Any) -> Callable[[F], F]:
        """A plain string filter is exact postback data (`Data`)."""
        return self.event(PostbackEvent, *_sugar(filters, Data))

    def message_edited(self, *filters: Any) -> Callable[[F], F]:
        return self.event(MessageEditedEvent, *filters)

    def unsend(self, *filters: Any) -> Callable[[F], F]:
        return self.event(UnsendEvent, *filters)

    def follow(self, *filters: Any) -> Callable[[F], F]:
        return self.event(FollowEvent, *filters)

    def unfollow(self, *filters: Any) -> Callable[[F], F]:
        return self.event(UnfollowEvent, *filters)

    def join(self, *filters: Any) -> Callable[[F], F]:
        return self.event(JoinEvent, *filters)

    def leave(self, *filters: Any) -> Callable[[F], F]:
        return self.event(LeaveEvent, *filters)

    def member_joined(self, *filters: Any) -> Callable[[F], F]:
        return self.event(MemberJoinedEvent, *filters)

    def member_left(self, *filters: Any) -> Callable[[F], F]:
        return self.event(MemberLeftEvent, *filters)

    def video_play_complete(self, *filters: Any) -> Callable[[F], F]:
        return self.event(VideoPlayCompleteEvent, *filters)

    def beacon(self, *filters: Any) -> Callable[[F], F]:
        return self.event(BeaconEvent, *filters)

    def account_link(self, *filters: Any) -> Callable[[F], F]:
        return self.event(AccountLinkEvent, *filters)

    def membership(self, *filters: Any) -> Callable[[F], F]:
        return self.event(MembershipEvent, *filters)

    def module(self, *filters: Any) -> Callable[[F], F]:
        return self.event(ModuleEvent, *filters)

    def activated(self, *filters: Any) -> Callable[[F], F]:
        return self.event(ActivatedEvent, *filters)

    def deactivated(self, *filters: Any) -> Callable[[F], F]:
        return self.event(DeactivatedEvent, *filters)

    def bot_suspended(self, *filters: Any) -> Callable[[F], F]:
        return self.event(BotSuspendedEvent, *filters)

    def bot_resumed(self, *filters: Any) -> Callable[[F], F]:
        return self.event(BotResumedEvent, *filters)

    def delivery(self, *filters: Any) -> Callable[[F], F]:
        return self.event(PnpDeliveryCompletionEvent, *filters)

    # --- dispatching ----------------------------------------------------------------------

    async def propagate(self, ctx: Context, inner: Sequence[Middleware] = ()) -> Any:
        """Offers the event to this router's tree: the chosen handler's result, or UNHANDLED."""
        snapshot = dict(ctx.data)

        async def core() -> Any:
            extra = await _check(self.filters, ctx, ctx.data)
            if extra is None:
                return UNHANDLED
            ctx.data.update(extra)
            middlewares = (*inner, *self.inner_middlewares)
            for handler in self.handlers:
                if not isinstance(ctx.event, handler.event_types):
                    continue
                found = await _check(handler.filters, ctx, ctx.data)
                if found is None:
                    continue
                before = dict(ctx.data)
                ctx.data.update(found)
                try:
                    return await _run(handler, ctx, middlewares)
                except SkipHandler:
                    ctx.data = before
            for child in self.routers:
                result = await child.propagate(ctx, middlewares)
                if result is not UNHANDLED:
                    return result
            return UNHANDLED

        try:
            result = await chain(self.outer_middlewares, ctx, core)()
        except SkipHandler:
            result = UNHANDLED
        except Exception as exc:
            return await self._on_error(ctx, exc)
        if result is UNHANDLED:
            # What this branch's middlewares and filters added must not leak into siblings.
            ctx.data = snapshot
        return result

    async def _on_error(self, ctx: Context, error: Exception) -> Any:
        for hook in self.error_handlers:
            if isinstance(error, hook.types):
                return await hook.callback.call(ctx, {**ctx.data, "error": error})
        raise error
