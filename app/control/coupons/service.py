"""What a user does with an account's coupons: acquire one (or draw a lottery), use it."""

from dataclasses import dataclass
from datetime import datetime

from app.api.coupon.repository import CouponRepository
from app.control.messages.service import InboxService
from app.kit.errors import Conflict, NotFound
from app.kit.ids import IdFactory
from app.kit.uow import UnitOfWork
from app.models import (
    AcquisitionType,
    Channel,
    Coupon,
    CouponStatus,
    CouponTicket,
    CouponVisibility,
    User,
)
from app.models.coupon import NO_LIMIT


def lottery_roll(ids: IdFactory) -> int:
    """0 to 99, uniformly, from the id factory: a seeded server draws the same sequence of
    winners run after run. The last two digits of a message id are uniform over 00-99."""
    return int(ids.message_id()[-2:])


@dataclass(frozen=True)
class Held:
    """A user's ticket of a coupon, and whether it can be used now."""

    ticket: CouponTicket
    coupon: Coupon
    usable: bool


def _usable(coupon: Coupon, ticket: CouponTicket, now: datetime) -> bool:
    return (
        ticket.won
        and coupon.status == CouponStatus.RUNNING
        and coupon.start_timestamp <= now.timestamp() < coupon.end_timestamp
        and (
            coupon.max_use_count_per_ticket == NO_LIMIT
            or ticket.use_count < coupon.max_use_count_per_ticket
        )
    )


@dataclass(frozen=True)
class LotteryFigures:
    """A lottery as the Official Account Manager shows it: its odds, the most winners and the
    winners so far."""

    coupon: Coupon
    winners: int
    losers: int


class TicketService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session
        self.clock = uow.services.clock
        self.ids = uow.services.ids
        self.coupons = CouponRepository(uow.session)

    def held(self, ticket: CouponTicket, coupon: Coupon) -> Held:
        return Held(ticket, coupon, _usable(coupon, ticket, self.clock.now()))

    async def _coupon(self, channel: Channel, coupon_id: str) -> Coupon:
        coupon = await self.coupons.get(channel.id, coupon_id)
        if coupon is None:
            raise NotFound(f"Channel {channel.channel_id} has no coupon {coupon_id}")
        return coupon

    async def acquire(self, channel: Channel, user: User, coupon_id: str) -> tuple[Held, bool]:
        """The user's ticket (and True when this call drew it). A user draws once: a second
        call answers the first draw, a lost lottery included."""
        coupon = await self._coupon(channel, coupon_id)
        earlier = await self.coupons.ticket(coupon.id, user.id)
        if earlier is not None:
            return self.held(earlier, coupon), False
        now = self.clock.now()
        if coupon.status != CouponStatus.RUNNING:
            raise Conflict(f"Coupon {coupon_id} is {coupon.status.value.lower()}")
        if now.timestamp() >= coupon.end_timestamp:
            raise Conflict(f"Coupon {coupon_id} has ended")
        if coupon.visibility == CouponVisibility.UNLISTED and not await self._received(
            channel, user, coupon_id
        ):
            # An unlisted coupon is reached only from a coupon message (or a link in one).
            raise Conflict(
                f"Coupon {coupon_id} is UNLISTED and user {user.user_id} has not received it"
            )
        won = True
        if coupon.acquisition_type == AcquisitionType.LOTTERY:
            won = lottery_roll(self.ids) < (coupon.lottery_probability or 0)
        # Once maxAcquireCount tickets are out every draw loses, however lucky.
        won = won and await self.coupons.take_one(coupon)
        ticket = await self.coupons.add(
            CouponTicket(coupon_pk=coupon.id, user_pk=user.id, won=won, drawn_at=now, use_count=0)
        )
        return self.held(ticket, coupon), True

    async def _received(self, channel: Channel, user: User, coupon_id: str) -> bool:
        inbox = await InboxService(self.session, self.clock).inbox(channel, user)
        return any(
            item["message"].get("type") == "coupon" and item["message"].get("couponId") == coupon_id
            for item in inbox
        )

    async def use(self, channel: Channel, user: User, coupon_id: str) -> Held:
        """The user shows the ticket in store: one use, within the coupon's period and its
        maxUseCountPerTicket."""
        coupon = await self._coupon(channel, coupon_id)
        ticket = await self.coupons.ticket(coupon.id, user.id)
        if ticket is None or not ticket.won:
            raise Conflict(f"User {user.user_id} holds no ticket of coupon {coupon_id}")
        now = self.clock.now()
        if coupon.status != CouponStatus.RUNNING:
            raise Conflict(f"Coupon {coupon_id} is {coupon.status.value.lower()}")
        if now.timestamp() < coupon.start_timestamp:
            raise Conflict(f"Coupon {coupon_id} cannot be used before its start")
        if now.timestamp() >= coupon.end_timestamp:
            raise Conflict(f"Coupon {coupon_id} has ended")
        limit = coupon.max_use_count_per_ticket
        if limit != NO_LIMIT and ticket.use_count >= limit:
            raise Conflict(f"User {user.user_id} has used up their ticket of coupon {coupon_id}")
        ticket.use_count += 1
        ticket.last_used_at = now
        return self.held(ticket, coupon)

    async def tickets(self, channel: Channel, user: User) -> list[Held]:
        rows = await self.coupons.tickets_of(channel.id, user.id)
        return [self.held(ticket, coupon) for ticket, coupon in rows]

    async def lottery(self, channel: Channel, coupon_id: str) -> LotteryFigures:
        coupon = await self._coupon(channel, coupon_id)
        if coupon.acquisition_type != AcquisitionType.LOTTERY:
            raise Conflict(f"Coupon {coupon_id} is not a lottery")
        won, lost = await self.coupons.draw_counts(coupon.id)
        return LotteryFigures(coupon, won, lost)
