"""Middlewares wrap event handling: `async def mw(ctx, call_next)`.

Outer middlewares run for every event that reaches their router, before any filter; inner
middlewares run only once a handler has been chosen, around it (with the filters' results
already in `ctx.data`). A middleware may add to `ctx.data` (handlers receive its entries by
parameter name), skip `call_next()` to drop the event, or catch what the handler raised.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from app.bot.context import Context

CallNext = Callable[[], Awaitable[Any]]


class Middleware(Protocol):
    def __call__(self, ctx: "Context", call_next: CallNext, /) -> Awaitable[Any]: ...


def chain(middlewares: Sequence[Middleware], ctx: "Context", core: CallNext) -> CallNext:
    """The first middleware is the outermost."""
    call = core
    for middleware in reversed(middlewares):
        call = _bind(middleware, ctx, call)
    return call


def _bind(middleware: Middleware, ctx: "Context", call_next: CallNext) -> CallNext:
    async def step() -> Any:
        return await middleware(ctx, call_next)

    return step
