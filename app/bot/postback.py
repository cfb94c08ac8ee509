"""Typed postback data: pydantic models packed into a postback action's `data` and parsed back.

    class Buy(PostbackData, prefix="buy"):
        item: int
        qty: int = 1

    Buy(item=7).pack() == "buy:7:1";  Buy.unpack("buy:7:1") == Buy(item=7)

`Buy.filter(item=7)` is a filter: it takes postbacks carrying a `Buy` (with those field values)
and hands the parsed model to the handler as `data` (or to any parameter annotated `Buy`).
"""

from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Self, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from app.bot.filters import Filter, FilterResult, _postback_data

if TYPE_CHECKING:
    from app.bot.context import Context


def _nullable(annotation: Any) -> bool:
    return annotation is None or type(None) in get_args(annotation)


# The platform refuses a postback action whose data is longer than this.
MAX_DATA_LENGTH = 300


class PostbackData(BaseModel):
    model_config = ConfigDict(frozen=True)

    __prefix__: ClassVar[str]
    __separator__: ClassVar[str]

    def __init_subclass__(cls, prefix: str | None = None, sep: str = ":", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix is None:
            if not hasattr(cls, "__prefix__"):
                raise TypeError(
                    f"{cls.__name__} needs a prefix: class {cls.__name__}(PostbackData, "
                    'prefix="...")'
                )
            return  # a subclass of a concrete PostbackData keeps its parent's prefix
        if not prefix or not sep:
            raise ValueError("the prefix and the separator must not be empty")
        if sep in prefix:
            raise ValueError(f"the prefix {prefix!r} contains the separator {sep!r}")
        cls.__prefix__ = prefix
        cls.__separator__ = sep

    def _encode(self, name: str, value: Any) -> str:
        if isinstance(value, Enum):
            value = value.value
        if value is None:
            text = ""
        elif isinstance(value, bool):  # before int: True is an int too
            text = "1" if value else "0"
        elif isinstance(value, str | int | float | Decimal | UUID):
            text = str(value)
        else:
            raise TypeError(f"{type(self).__name__}.{name}: cannot pack a {type(value).__name__}")
        if self.__separator__ in text:
            raise ValueError(
                f"{type(self).__name__}.{name}={text!r} contains the separator "
                f"{self.__separator__!r}"
            )
        return text

    def pack(self) -> str:
        parts = [self.__prefix__]
        parts += [self._encode(name, getattr(self, name)) for name in type(self).model_fields]
        packed = self.__separator__.join(parts)
        if len(packed) > MAX_DATA_LENGTH:
            raise ValueError(
                f"{type(self).__name__} packs to {len(packed)} characters; LINE's postback data "
                f"holds at most {MAX_DATA_LENGTH}"
            )
        return packed

    @classmethod
    def unpack(cls, data: str) -> Self:
        """Raises ValueError when `data` is not a packed `cls` (another prefix, the wrong number
        of parts, or values that do not validate)."""
        prefix, *values = data.split(cls.__separator__)
        if prefix != cls.__prefix__:
            raise ValueError(f"{data!r} does not start with the prefix {cls.__prefix__!r}")
        fields = cls.model_fields
        if len(values) != len(fields):
            raise ValueError(f"{data!r} has {len(values)} values; {cls.__name__} has {len(fields)}")
        raw: dict[str, Any] = {}
        for (name, field), value in zip(fields.items(), values, strict=True):
            # An empty part is a packed None when the field may be None (so there, "" and None
            # pack alike).
            raw[name] = None if value == "" and _nullable(field.annotation) else value
        return cls.model_validate(raw)

    @classmethod
    def filter(cls, **rules: Any) -> "PostbackDataFilter":
        unknown = set(rules) - set(cls.model_fields)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        return PostbackDataFilter(cls, rules)


class PostbackDataFilter(Filter):
    def __init__(self, model: type[PostbackData], rules: Mapping[str, Any]) -> None:
        self.model = model
        self.rules = dict(rules)

    async def check(self, ctx: "Context", data: Mapping[str, Any]) -> FilterResult:
        raw = _postback_data(ctx.event)
        if raw is None:
            return False
        try:
            parsed = self.model.unpack(raw)
        except ValueError:  # someone else's postback, or a stale layout
            return False
        if any(getattr(parsed, name) != value for name, value in self.rules.items()):
            return False
        return {"data": parsed}

    def __repr__(self) -> str:
        rules = ", ".join(f"{k}={v!r}" for k, v in self.rules.items())
        return f"{self.model.__name__}.filter({rules})"
