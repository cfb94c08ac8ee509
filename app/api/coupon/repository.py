from collections.abc import Collection, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult

from app.kit.repository import Repository
from app.models import Coupon, CouponStatus, CouponTicket
from app.models.coupon import NO_LIMIT


class CouponRepository(Repository):
    async def get(self, channel_pk: int, coupon_id: str) -> Coupon | None:
        coupon: Coupon | None = await self.session.scalar(
            select(Coupon).where(Coupon.channel_pk == channel_pk, Coupon.coupon_id == coupon_id)
        )
        return coupon

    async def page(
        self,
        channel_pk: int,
        statuses: Collection[CouponStatus],
        before: int | None,
        limit: int,
    ) -> Sequence[tuple[int, str, str]]:
        """(key, couponId, title) of the channel's coupons, newest first, below `before`."""
        query = select(Coupon.id, Coupon.coupon_id, Coupon.title).where(
            Coupon.channel_pk == channel_pk
        )
        if statuses:
            query = query.where(Coupon.status.in_(statuses))
        if before is not None:
            query = query.where(Coupon.id < before)
        rows = await self.session.execute(query.order_by(Coupon.id.desc()).limit(limit))
        return [(int(key), coupon_id, title) for key, coupon_id, title in rows]

    async def sendable(
        self, channel_pk: int, coupon_ids: Collection[str]
    ) -> dict[str, tuple[CouponStatus, int]]:
        """Status and end of each named coupon the channel owns (the others are absent)."""
        rows = await self.session.execute(
            select(Coupon.coupon_id, Coupon.status, Coupon.end_timestamp).where(
                Coupon.channel_pk == channel_pk, Coupon.coupon_id.in_(coupon_ids)
            )
        )
        return {coupon_id: (status, int(end)) for coupon_id, status, end in rows}

    async def take_one(self, coupon: Coupon) -> bool:
        """Count one more ticket issued, unless the coupon has given out all it may."""
        query = update(Coupon).where(Coupon.id == coupon.id)
        if coupon.max_acquire_count != NO_LIMIT:
            query = query.where(Coupon.acquired_count < Coupon.max_acquire_count)
        result = await self.session.execute(
            query.values(acquired_count=Coupon.acquired_count + 1).execution_options(
                synchronize_session=False
            )
        )
        return isinstance(result, CursorResult) and result.rowcount == 1

    async def ticket(self, coupon_pk: int, user_pk: int) -> CouponTicket | None:
        ticket: CouponTicket | None = await self.session.scalar(
            select(CouponTicket).where(
                CouponTicket.coupon_pk == coupon_pk, CouponTicket.user_pk == user_pk
            )
        )
        return ticket

    async def tickets_of(
        self, channel_pk: int, user_pk: int
    ) -> Sequence[tuple[CouponTicket, Coupon]]:
        rows = await self.session.execute(
            select(CouponTicket, Coupon)
            .join(Coupon, Coupon.id == CouponTicket.coupon_pk)
            .where(Coupon.channel_pk == channel_pk, CouponTicket.user_pk == user_pk)
            .order_by(CouponTicket.id)
        )
        return [(first, second) for first, second in rows]

    async def draw_counts(self, coupon_pk: int) -> tuple[int, int]:
        """Tickets drawn: (won, lost)."""
        rows = await self.session.execute(
            select(CouponTicket.won, func.count())
            .where(CouponTicket.coupon_pk == coupon_pk)
            .group_by(CouponTicket.won)
        )
        counts = {bool(won): int(count) for won, count in rows}
        return counts.get(True, 0), counts.get(False, 0)
