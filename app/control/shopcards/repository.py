from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select

from app.kit.repository import Repository
from app.models import (
    Coupon,
    ShopCard,
    ShopCardEarned,
    ShopCardGrant,
    ShopCardHolder,
    ShopCardReward,
)


class ShopCardRepository(Repository):
    async def card(self, channel_pk: int) -> ShopCard | None:
        return await self.session.scalar(select(ShopCard).where(ShopCard.channel_pk == channel_pk))

    async def rewards(self, card_pk: int) -> Sequence[tuple[ShopCardReward, Coupon | None]]:
        rows = await self.session.execute(
            select(ShopCardReward, Coupon)
            .outerjoin(Coupon, Coupon.id == ShopCardReward.coupon_pk)
            .where(ShopCardReward.card_pk == card_pk)
            .order_by(ShopCardReward.threshold)
        )
        return [(reward, coupon) for reward, coupon in rows]

    async def drop_rewards(self, card_pk: int, keep: list[int]) -> None:
        await self.session.execute(
            delete(ShopCardReward).where(
                ShopCardReward.card_pk == card_pk, ShopCardReward.threshold.not_in(keep)
            )
        )

    async def holder(
        self, card_pk: int, user_pk: int, *, lock: bool = False
    ) -> ShopCardHolder | None:
        query = select(ShopCardHolder).where(
            ShopCardHolder.card_pk == card_pk, ShopCardHolder.user_pk == user_pk
        )
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def holder_for_update(self, card_pk: int, user_pk: int, now: datetime) -> ShopCardHolder:
        """The user's card, issued now if they had none, held until commit: concurrent first
        grants issue one card and take turns on it."""
        await self.session.execute(
            self.insert(ShopCardHolder)
            .values(
                card_pk=card_pk,
                user_pk=user_pk,
                points=0,
                completed_cards=0,
                expired_points=0,
                issued_at=now,
            )
            .on_conflict_do_nothing()
        )
        holder = await self.session.scalar(
            select(ShopCardHolder)
            .where(ShopCardHolder.card_pk == card_pk, ShopCardHolder.user_pk == user_pk)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert holder is not None
        return holder

    async def earned(self, holder_pk: int) -> Sequence[tuple[ShopCardEarned, ShopCardReward]]:
        rows = await self.session.execute(
            select(ShopCardEarned, ShopCardReward)
            .join(ShopCardReward, ShopCardReward.id == ShopCardEarned.reward_pk)
            .where(ShopCardEarned.holder_pk == holder_pk)
            .order_by(ShopCardEarned.id)
        )
        return [(earned, reward) for earned, reward in rows]

    async def stats(self, card_pk: int) -> tuple[int, int, int, int]:
        """Cards issued, points granted, points expired, rewards earned."""
        holders = await self.session.execute(
            select(
                func.count(ShopCardHolder.id),
                func.coalesce(func.sum(ShopCardHolder.expired_points), 0),
            ).where(ShopCardHolder.card_pk == card_pk)
        )
        issued, expired = holders.one()
        granted = await self.session.scalar(
            select(func.coalesce(func.sum(ShopCardGrant.points), 0))
            .join(ShopCardHolder, ShopCardHolder.id == ShopCardGrant.holder_pk)
            .where(ShopCardHolder.card_pk == card_pk)
        )
        earned = await self.session.scalar(
            select(func.count(ShopCardEarned.id))
            .join(ShopCardHolder, ShopCardHolder.id == ShopCardEarned.holder_pk)
            .where(ShopCardHolder.card_pk == card_pk)
        )
        return int(issued), int(granted or 0), int(expired), int(earned or 0)
