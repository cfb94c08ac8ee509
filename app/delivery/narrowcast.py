"""Narrowcast targets: recipient objects and demographic filters, parsed and turned into SQL."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.audience.repository import AudienceRepository, audience_key
from app.delivery.repository import recipients_of_request
from app.kit.errors import BadRequest, ErrorDetail
from app.models import Audience, AudienceMember, AudienceStatus, Friendship, User

AGES = {f"age_{n}": n for n in range(15, 75, 5)}
PERIODS = {"day_7": 7, "day_30": 30, "day_90": 90, "day_180": 180, "day_365": 365}
GENDERS = ("male", "female")
APP_TYPES = ("ios", "android")
AREAS = (
    [f"jp_{n:02d}" for n in range(1, 48)]
    + [f"tw_{n:02d}" for n in range(1, 23)]
    + [f"th_{n:02d}" for n in range(1, 9)]
    + [f"id_{n:02d}" for n in range(1, 13)]
)
MAX_RECIPIENT_OBJECTS = 10
MAX_DEMOGRAPHIC_CONDITIONS = 10
SPLIT_MULTIPLIER = 2654435761  # Knuth's: consecutive keys land far apart
# A second odd multiplier under 2**31, so (32-bit value) * it stays inside a signed 64-bit integer.
SALT_MULTIPLIER = 1103515245


class TargetParser:
    """Checks a narrowcast body's recipient, filter and limit, collecting every problem."""

    def __init__(self) -> None:
        self.errors: list[ErrorDetail] = []
        self.leaf_recipients = 0
        self.leaf_demographics = 0
        self.audience_ids: list[tuple[str, int]] = []
        self.request_ids: list[tuple[str, str]] = []

    def error(self, prop: str, message: str) -> None:
        self.errors.append(ErrorDetail(message, prop))

    def recipient(self, value: Any, prop: str) -> None:
        if not isinstance(value, dict):
            self.error(prop, "Must be an object")
            return
        kind = value.get("type")
        if kind == "audience":
            self.leaf_recipients += 1
            group = value.get("audienceGroupId")
            if not isinstance(group, int) or isinstance(group, bool):
                self.error(f"{prop}.audienceGroupId", "Must be an integer")
            else:
                self.audience_ids.append((f"{prop}.audienceGroupId", group))
        elif kind == "redelivery":
            self.leaf_recipients += 1
            request_id = value.get("requestId")
            if not isinstance(request_id, str) or not request_id:
                self.error(f"{prop}.requestId", "May not be empty")
            else:
                self.request_ids.append((f"{prop}.requestId", request_id))
        elif kind == "operator":
            self._operator(value, prop, self.recipient)
        else:
            self.error(
                f"{prop}.type",
                "Must be one of the following values: [audience, redelivery, operator]",
            )

    def demographic(self, value: Any, prop: str) -> None:
        if not isinstance(value, dict):
            self.error(prop, "Must be an object")
            return
        kind = value.get("type")
        if kind == "operator":
            self._operator(value, prop, self.demographic)
            return
        self.leaf_demographics += 1
        if kind in ("gender", "appType", "area"):
            allowed = {"gender": GENDERS, "appType": APP_TYPES, "area": AREAS}[kind]
            one_of = value.get("oneOf")
            if not isinstance(one_of, list) or not one_of:
                self.error(f"{prop}.oneOf", "May not be empty")
                return
            for index, item in enumerate(one_of):
                if item not in allowed:
                    self.error(f"{prop}.oneOf[{index}]", f"Invalid {kind}: {item}")
        elif kind in ("age", "subscriptionPeriod"):
            scale = AGES if kind == "age" else PERIODS
            bounds = [value.get(edge) for edge in ("gte", "lt")]
            if bounds == [None, None]:
                self.error(prop, "gte or lt must be specified")
            for edge, bound in zip(("gte", "lt"), bounds, strict=True):
                if bound is not None and bound not in scale:
                    self.error(
                        f"{prop}.{edge}",
                        f"Must be one of the following values: [{', '.join(scale)}]",
                    )
            if all(b in scale for b in bounds) and scale[str(bounds[0])] >= scale[str(bounds[1])]:
                self.error(prop, "gte must be less than lt")
        else:
            self.error(
                f"{prop}.type",
                "Must be one of the following values: "
                "[gender, age, appType, area, subscriptionPeriod, operator]",
            )

    def _operator(self, value: dict[str, Any], prop: str, each: Any) -> None:
        given = [key for key in ("and", "or", "not") if key in value]
        if len(given) != 1:
            self.error(prop, "Exactly one of and, or, not must be specified")
            return
        key = given[0]
        if key == "not":
            each(value["not"], f"{prop}.not")
            return
        items = value[key]
        if not isinstance(items, list) or not items:
            self.error(f"{prop}.{key}", "May not be empty")
            return
        for index, item in enumerate(items):
            each(item, f"{prop}.{key}[{index}]")

    def limit(self, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.error("limit", "Must be an object")
            return
        maximum = value.get("max")
        if maximum is not None and (
            not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < 1
        ):
            self.error("limit.max", "Must be a positive integer")
        for flag in ("upToRemainingQuota", "forbidPartialDelivery"):
            if flag in value and not isinstance(value[flag], bool):
                self.error(f"limit.{flag}", "Must be a boolean")
        if value.get("forbidPartialDelivery") and not value.get("upToRemainingQuota"):
            self.error(
                "limit.forbidPartialDelivery",
                "Can be true only if upToRemainingQuota is true",
            )

    def parse(self, body: dict[str, Any]) -> None:
        if body.get("recipient") is not None:
            self.recipient(body["recipient"], "recipient")
        flt = body.get("filter")
        if flt is not None:
            if not isinstance(flt, dict) or "demographic" not in flt:
                self.error("filter.demographic", "May not be empty")
            else:
                self.demographic(flt["demographic"], "filter.demographic")
        self.limit(body.get("limit"))
        if self.leaf_recipients > MAX_RECIPIENT_OBJECTS:
            self.error(
                "recipient", f"At most {MAX_RECIPIENT_OBJECTS} audience or redelivery objects"
            )
        if self.leaf_demographics > MAX_DEMOGRAPHIC_CONDITIONS:
            self.error("filter.demographic", f"At most {MAX_DEMOGRAPHIC_CONDITIONS} conditions")


async def resolve_audiences(
    session: AsyncSession, channel_pk: int, audience_ids: list[tuple[str, int]], now: datetime
) -> tuple[dict[str, int], int | None]:
    """The keys of the READY audiences a narrowcast names (the channel's own or shared with
    it), and the size of the smallest; 400 for any other."""
    audiences = AudienceRepository(session)
    keys: dict[str, int] = {}
    smallest: int | None = None
    for prop, group_id in audience_ids:
        key = audience_key(group_id)
        audience = None
        if key is not None:
            await audiences.settle(now, Audience.id == key)
            audience = await audiences.visible(channel_pk, key)
        if audience is None or audience.status != AudienceStatus.READY:
            raise BadRequest(
                f"Invalid audience group id: {group_id}",
                [ErrorDetail("Invalid audience group id", prop)],
            )
        keys[str(group_id)] = audience.id
        count = audience.audience_count
        smallest = count if smallest is None else min(smallest, count)
    return keys, smallest


def target_condition(target: dict[str, Any]) -> ColumnElement[bool]:
    """The SQL condition on Friendship/User for a stored target (resolved ids, fixed time)."""
    as_of = datetime.fromisoformat(target["asOf"])
    parts: list[ColumnElement[bool]] = []
    if target.get("recipient") is not None:
        parts.append(
            _recipient_sql(
                target["recipient"], target.get("requestKeys", {}), target.get("audienceKeys", {})
            )
        )
    if target.get("filter") is not None:
        parts.append(_demographic_sql(target["filter"]["demographic"], as_of))
    if target.get("split") is not None:
        parts.append(split_condition(target["split"]))
    return and_(true(), *parts)


def split_condition(split: dict[str, int]) -> ColumnElement[bool]:
    """Friends whose bucket (0-99, from a multiplicative hash of their key and a salt) is in
    `from`..`to`-1: an A/B test's variants take disjoint ranges of the same target.

    The salt is mixed in before a second multiplication and the bucket read from the high bits,
    so each test draws its own groups (a salt added after the hash would only rotate the same
    100 groups, and the low bits repeat with the key)."""
    hashed = (Friendship.user_pk * SPLIT_MULTIPLIER) % 4294967296
    mixed = (((hashed + split["salt"]) % 4294967296) * SALT_MULTIPLIER) % 4294967296
    bucket = (mixed * 100) // 4294967296
    return and_(bucket >= split["from"], bucket < split["to"])


def _recipient_sql(
    value: dict[str, Any], request_keys: dict[str, int], audience_keys: dict[str, int]
) -> ColumnElement[bool]:
    kind = value["type"]
    if kind == "audience":
        # Members are ids as uploaded; only those naming a Kizuna user who follows match.
        members = select(AudienceMember.member_id).where(
            AudienceMember.audience_pk == audience_keys[str(value["audienceGroupId"])]
        )
        return User.user_id.in_(members)
    if kind == "redelivery":
        return Friendship.user_pk.in_(recipients_of_request(request_keys[value["requestId"]]))
    if kind == "operator":
        return _operator_sql(value, lambda item: _recipient_sql(item, request_keys, audience_keys))
    raise ValueError(f"unresolved recipient type {kind}")


def _demographic_sql(value: dict[str, Any], as_of: datetime) -> ColumnElement[bool]:
    kind = value["type"]
    if kind == "operator":
        return _operator_sql(value, lambda item: _demographic_sql(item, as_of))
    if kind == "gender":
        return User.gender.in_(value["oneOf"])
    if kind == "appType":
        return User.app_type.in_(value["oneOf"])
    if kind == "area":
        return User.area.in_(value["oneOf"])
    conditions: list[ColumnElement[bool]] = []
    if kind == "age":
        conditions.append(User.age.is_not(None))
        if value.get("gte"):
            conditions.append(User.age >= AGES[value["gte"]])
        if value.get("lt"):
            conditions.append(User.age < AGES[value["lt"]])
    else:  # subscriptionPeriod: how long the user has been a friend
        if value.get("gte"):
            conditions.append(Friendship.since <= as_of - timedelta(days=PERIODS[value["gte"]]))
        if value.get("lt"):
            conditions.append(Friendship.since > as_of - timedelta(days=PERIODS[value["lt"]]))
    return and_(*conditions)


def _operator_sql(
    value: dict[str, Any], each: Callable[[dict[str, Any]], ColumnElement[bool]]
) -> ColumnElement[bool]:
    if "not" in value:
        return not_(each(value["not"]))
    items = [each(item) for item in value.get("and", value.get("or", []))]
    return and_(*items) if "and" in value else or_(*items)
