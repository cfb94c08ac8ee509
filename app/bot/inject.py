"""Calling handlers, filters and error hooks with what they ask for, by parameter name.

aiogram-style injection: a callback declares `ctx`, `event`, `match`, `data`, ... and receives
exactly those, so adding a filter or middleware that provides a value never breaks handlers that
do not want it.
"""

import builtins
import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.bot.context import Context

MISSING: Any = object()


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    target = func if inspect.isfunction(func) or inspect.ismethod(func) else type(func).__call__
    try:
        return typing.get_type_hints(target)
    except Exception:  # an unresolvable forward reference only costs matching by type
        return {}


def _matchable(hint: Any) -> type | None:
    """Only the user's own classes match by type: a `str` or `int` parameter must be asked for by
    name, or any stray string in the pool would be handed to it."""
    if isinstance(hint, type) and hint.__module__ != builtins.__name__:
        return hint
    return None


@dataclass(frozen=True)
class Injectable:
    func: Callable[..., Any]
    params: tuple[inspect.Parameter, ...]
    hints: Mapping[str, Any]
    takes_kwargs: bool

    @classmethod
    def of(cls, func: Callable[..., Any]) -> "Injectable":
        if not callable(func):
            raise TypeError(f"{func!r} is not callable")
        params = tuple(inspect.signature(func).parameters.values())
        named = tuple(p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        return cls(
            func=func,
            params=named,
            hints=_hints(func),
            takes_kwargs=any(p.kind is p.VAR_KEYWORD for p in params),
        )

    @property
    def name(self) -> str:
        return getattr(self.func, "__qualname__", repr(self.func))

    def _resolve(self, param: inspect.Parameter, ctx: "Context", data: Mapping[str, Any]) -> Any:
        if param.name in data:
            return data[param.name]
        value = ctx.builtin(param.name)
        if value is not MISSING:
            return value
        wanted = _matchable(self.hints.get(param.name))
        if wanted is not None:
            for candidate in (*data.values(), ctx.event, ctx, ctx.bot):
                if isinstance(candidate, wanted):
                    return candidate
        return MISSING

    async def call(
        self, ctx: "Context", data: Mapping[str, Any], *, event_first: bool = False
    ) -> Any:
        """Calls the function (awaiting it when it is async). With `event_first`, a first
        parameter nothing else provides receives the event, so `lambda e: ...` works as a
        filter."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for index, param in enumerate(self.params):
            value = self._resolve(param, ctx, data)
            if value is MISSING and event_first and index == 0:
                value = ctx.event
            if value is MISSING:
                if param.default is not param.empty:
                    continue
                raise TypeError(
                    f"{self.name}() asks for {param.name!r}, which neither the context nor a "
                    f"filter or middleware provides (available: {sorted({*data, *ctx.BUILTINS})})"
                )
            if param.kind is param.POSITIONAL_ONLY:
                args.append(value)
            else:
                kwargs[param.name] = value
        if self.takes_kwargs:
            for key, value in data.items():
                kwargs.setdefault(key, value)
        result = self.func(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result
