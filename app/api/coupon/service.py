"""Coupons an account makes through the API, and the rule a coupon message must follow."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.coupon.repository import CouponRepository
from app.api.coupon.schemas import (
    STATUSES,
    CouponListItem,
    CouponResponse,
    check_create_body,
    reward_as_answered,
)
from app.api.profile.service import decode_cursor, encode_cursor
from app.kit.errors import BadRequest, ErrorDetail, Gone, NotFound, body_errors
from app.kit.uow import UnitOfWork
from app.models import AcquisitionType, Channel, Coupon, CouponStatus, CouponVisibility
from app.models.coupon import NO_LIMIT

ALREADY_CLOSED = "The coupon has already been closed"
NO_SUCH_COUPON = "No coupon of this channel has this ID"
# Each user holds at most one ticket of a coupon (the platform's detail answers 1 too).
MAX_TICKET_PER_USER = 1


def coupon_response(coupon: Coupon) -> CouponResponse:
    condition: dict[str, Any] = {"type": coupon.acquisition_type.value}
    if coupon.acquisition_type == AcquisitionType.LOTTERY:
        condition.update(
            lotteryProbability=coupon.lottery_probability,
            maxAcquireCount=coupon.max_acquire_count,
        )
    return CouponResponse(
        coupon_id=coupon.coupon_id,
        title=coupon.title,
        description=coupon.description,
        usage_condition=coupon.usage_condition,
        image_url=coupon.image_url,
        barcode_image_url=coupon.barcode_image_url,
        coupon_code=coupon.coupon_code,
        start_timestamp=coupon.start_timestamp,
        end_timestamp=coupon.end_timestamp,
        timezone=coupon.timezone,
        visibility=coupon.visibility.value,
        max_use_count_per_ticket=coupon.max_use_count_per_ticket,
        max_ticket_per_user=MAX_TICKET_PER_USER,
        max_acquire_count=coupon.max_acquire_count,
        acquisition_condition=condition,
        reward=coupon.reward,
        created_timestamp=int(coupon.created_at.timestamp()),
        status=coupon.status,
    )


class CouponService:
    def __init__(self, uow: UnitOfWork, channel: Channel) -> None:
        self.coupons = CouponRepository(uow.session)
        self.clock = uow.services.clock
        self.ids = uow.services.ids
        self.channel = channel

    async def create(self, body: dict[str, Any]) -> Coupon:
        now = self.clock.now()
        check_create_body(body, int(now.timestamp()))
        condition = body["acquisitionCondition"]
        lottery = condition["type"] == AcquisitionType.LOTTERY.value
        return await self.coupons.add(
            Coupon(
                # The platform's coupon ids are ULIDs (01JYNW8JMQVFBNWF1APF8Z3FS7 in its guide).
                coupon_id=self.ids.webhook_event_id(int(now.timestamp() * 1000)),
                channel_pk=self.channel.id,
                title=body["title"],
                description=body.get("description"),
                usage_condition=body.get("usageCondition"),
                image_url=body.get("imageUrl"),
                barcode_image_url=body.get("barcodeImageUrl"),
                coupon_code=body.get("couponCode"),
                start_timestamp=body["startTimestamp"],
                end_timestamp=body["endTimestamp"],
                timezone=body["timezone"],
                visibility=CouponVisibility(body["visibility"]),
                max_use_count_per_ticket=body["maxUseCountPerTicket"],
                acquisition_type=AcquisitionType(condition["type"]),
                lottery_probability=condition["lotteryProbability"] if lottery else None,
                max_acquire_count=condition["maxAcquireCount"] if lottery else NO_LIMIT,
                acquired_count=0,
                reward=reward_as_answered(body.get("reward")),
                status=CouponStatus.RUNNING,
                created_at=now,
            )
        )

    async def page(
        self, statuses: Sequence[str] | None, start: str | None, limit: int
    ) -> tuple[list[CouponListItem], str | None]:
        wanted = set(statuses or ())
        if not wanted <= set(STATUSES):
            raise BadRequest("The value for the 'status' parameter is invalid")
        before = decode_cursor(start) if start else None
        # One row past the page tells whether a `next` is due.
        rows = await self.coupons.page(
            self.channel.id, [CouponStatus(s) for s in wanted], before, limit + 1
        )
        page = rows[:limit]
        items = [CouponListItem(coupon_id=coupon_id, title=title) for _, coupon_id, title in page]
        return items, encode_cursor(page[-1][0]) if len(rows) > limit else None

    async def get(self, coupon_id: str) -> Coupon:
        coupon = await self.coupons.get(self.channel.id, coupon_id)
        if coupon is None:
            raise NotFound()
        return coupon

    async def close(self, coupon_id: str) -> Coupon:
        """Closing is final: users can no longer acquire or use it, nor can it be sent."""
        coupon = await self.get(coupon_id)
        if coupon.status == CouponStatus.CLOSED:
            raise Gone(ALREADY_CLOSED)
        coupon.status = CouponStatus.CLOSED
        coupon.closed_at = self.clock.now()
        return coupon


def coupon_ids_named(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        m["couponId"]
        for m in messages
        if m.get("type") == "coupon" and isinstance(m.get("couponId"), str)
    ]


def coupon_message_errors(
    messages: Sequence[Mapping[str, Any]],
    found: Mapping[str, tuple[CouponStatus, int]],
    now_s: int,
) -> list[ErrorDetail]:
    """Why each coupon message cannot be sent: its coupon must be the channel's own, running
    and not yet ended (`found`: status and end of the channel's coupons by id)."""
    errors = []
    for index, message in enumerate(messages):
        if message.get("type") != "coupon":
            continue
        prop = f"messages[{index}].couponId"
        state = found.get(str(message.get("couponId")))
        if state is None:
            errors.append(ErrorDetail(NO_SUCH_COUPON, prop))
        elif state[0] == CouponStatus.CLOSED:
            errors.append(ErrorDetail("The coupon has been closed", prop))
        elif state[0] != CouponStatus.RUNNING:
            errors.append(ErrorDetail("The coupon is not published", prop))
        elif state[1] <= now_s:
            errors.append(ErrorDetail("The coupon has ended", prop))
    return errors


async def check_coupon_messages(
    session: AsyncSession, channel_pk: int, messages: Sequence[Mapping[str, Any]], now_s: int
) -> None:
    """400 unless every coupon message of a send names a coupon that can be sent."""
    coupon_ids = coupon_ids_named(messages)
    if not coupon_ids:
        return
    found = await CouponRepository(session).sendable(channel_pk, coupon_ids)
    errors = coupon_message_errors(messages, found, now_s)
    if errors:
        raise body_errors(errors)
