"""The coupon endpoints' bodies: the create request checked with LINE's property paths, and
the answers in the spec's shapes."""

from typing import Any

from app.kit.errors import ErrorDetail, body_errors
from app.models import CouponStatus
from app.schemas.base import WireModel
from app.schemas.message.checks import (
    Check,
    Details,
    Int,
    Shape,
    Str,
    Tagged,
    Url,
    detail,
    enum,
    optional,
    required,
    shape,
)

TIMEZONES = (
    "ETC_GMT_MINUS_12",
    "ETC_GMT_MINUS_11",
    "PACIFIC_HONOLULU",
    "AMERICA_ANCHORAGE",
    "AMERICA_LOS_ANGELES",
    "AMERICA_PHOENIX",
    "AMERICA_CHICAGO",
    "AMERICA_NEW_YORK",
    "AMERICA_CARACAS",
    "AMERICA_SANTIAGO",
    "AMERICA_ST_JOHNS",
    "AMERICA_SAO_PAULO",
    "ETC_GMT_MINUS_2",
    "ATLANTIC_CAPE_VERDE",
    "EUROPE_LONDON",
    "EUROPE_PARIS",
    "EUROPE_ISTANBUL",
    "EUROPE_MOSCOW",
    "ASIA_TEHRAN",
    "ASIA_TBILISI",
    "ASIA_KABUL",
    "ASIA_TASHKENT",
    "ASIA_COLOMBO",
    "ASIA_KATHMANDU",
    "ASIA_ALMATY",
    "ASIA_RANGOON",
    "ASIA_BANGKOK",
    "ASIA_TAIPEI",
    "ASIA_TOKYO",
    "AUSTRALIA_DARWIN",
    "AUSTRALIA_SYDNEY",
    "ASIA_VLADIVOSTOK",
    "ETC_GMT_PLUS_12",
    "PACIFIC_TONGATAPU",
)
# The request carries no currency: the platform answers in the account's, which for every
# Kizuna account is yen.
REWARD_CURRENCY = "JPY"
STATUSES = tuple(status.value for status in CouponStatus)


def _limit_or_unlimited(low: int, high: int) -> Check:
    """-1 means no limit; anything else must lie within [low, high]."""

    def check(value: object, path: str) -> Details:
        if isinstance(value, bool) or not isinstance(value, int):
            yield detail(path, "Must be an integer")
        elif value != -1 and not low <= value <= high:
            yield detail(path, f"Must be -1 (no limit) or between {low} and {high}")

    return check


def _discount_below_original(price: dict[str, Any], path: str) -> Details:
    after, original = price.get("priceAfterDiscount"), price.get("originalPrice")
    if isinstance(after, int) and isinstance(original, int) and after >= original:
        yield detail(f"{path}.priceAfterDiscount", "Must be less than originalPrice")


def _ends_after_start(body: dict[str, Any], path: str) -> Details:
    start, end = body.get("startTimestamp"), body.get("endTimestamp")
    if isinstance(start, int) and isinstance(end, int) and end <= start:
        yield detail(f"{path}.endTimestamp", "Must be later than startTimestamp")


AMOUNT = Int(low=1, high=2**53)
PERCENTAGE = Int(low=1, high=99)
FIXED = shape(required("fixedAmount", AMOUNT))
PERCENT = shape(required("percentage", PERCENTAGE))
EXPLICIT = shape(
    required("priceAfterDiscount", Int(low=0, high=2**53)),
    required("originalPrice", AMOUNT),
    rules=(_discount_below_original,),
)

REWARD = Tagged(
    {
        # The spec leaves priceInfo optional, but a cash back or discount of no amount cannot
        # be shown to a user; Kizuna asks for it.
        "cashBack": shape(required("priceInfo", Tagged({"fixed": FIXED, "percentage": PERCENT}))),
        "discount": shape(
            required(
                "priceInfo",
                Tagged({"fixed": FIXED, "percentage": PERCENT, "explicit": EXPLICIT}),
            )
        ),
        "free": shape(),
        "gift": shape(),
        "others": shape(),
    }
)

ACQUISITION = Tagged(
    {
        "normal": shape(),
        "lottery": shape(
            required("lotteryProbability", PERCENTAGE),
            required("maxAcquireCount", _limit_or_unlimited(1, 999_999)),
        ),
    }
)

COUPON_CREATE: Shape = shape(
    required("title", Str(max_len=60)),
    optional("description", Str(max_len=1000)),
    optional("usageCondition", Str(max_len=100)),
    optional("imageUrl", Url(max_len=2000)),
    optional("barcodeImageUrl", Url(max_len=2000)),
    optional("couponCode", Str(max_len=100)),
    required("startTimestamp", Int(low=0, high=2**53)),
    required("endTimestamp", Int(low=0, high=2**53)),
    required("maxUseCountPerTicket", _limit_or_unlimited(1, 1)),
    required("visibility", enum("UNLISTED", "PUBLIC")),
    required("timezone", enum(*TIMEZONES)),
    required("acquisitionCondition", ACQUISITION),
    optional("reward", REWARD),
    rules=(_ends_after_start,),
)


def check_create_body(body: dict[str, Any], now_s: int) -> None:
    """Refuse a create request the way LINE refuses a body: every problem, each by property."""
    errors = [
        # The table names nested properties from a root; the body itself is that root here.
        ErrorDetail(problem.message, (problem.property or "").removeprefix("."))
        for problem in COUPON_CREATE(body, "")
    ]
    end = body.get("endTimestamp")
    if not errors and isinstance(end, int) and end <= now_s:
        errors.append(ErrorDetail("Must be later than the current time", "endTimestamp"))
    if errors:
        raise body_errors(errors)


def reward_as_answered(reward: dict[str, Any] | None) -> dict[str, Any] | None:
    """The reward the detail endpoint answers: as sent, the known properties only, with the
    currency on amounts (fixed and explicit prices)."""
    if reward is None:
        return None
    answered: dict[str, Any] = {"type": reward["type"]}
    price = reward.get("priceInfo")
    if isinstance(price, dict) and reward["type"] in {"cashBack", "discount"}:
        kind = price["type"]
        info: dict[str, Any] = {"type": kind}
        if kind == "fixed":
            info.update(currency=REWARD_CURRENCY, fixedAmount=price["fixedAmount"])
        elif kind == "percentage":
            info["percentage"] = price["percentage"]
        else:
            info.update(
                currency=REWARD_CURRENCY,
                priceAfterDiscount=price["priceAfterDiscount"],
                originalPrice=price["originalPrice"],
            )
        answered["priceInfo"] = info
    return answered


class CouponCreateResponse(WireModel):
    coupon_id: str


class CouponListItem(WireModel):
    coupon_id: str
    title: str


class CouponListResponse(WireModel):
    items: list[CouponListItem]
    next: str | None = None


class CouponResponse(WireModel):
    coupon_id: str
    title: str
    description: str | None = None
    usage_condition: str | None = None
    image_url: str | None = None
    barcode_image_url: str | None = None
    coupon_code: str | None = None
    start_timestamp: int
    end_timestamp: int
    timezone: str
    visibility: str
    max_use_count_per_ticket: int
    max_ticket_per_user: int
    max_acquire_count: int
    acquisition_condition: dict[str, Any]
    reward: dict[str, Any] | None = None
    created_timestamp: int
    status: CouponStatus
