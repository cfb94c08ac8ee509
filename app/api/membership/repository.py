from collections.abc import Sequence

from sqlalchemy import func, select

from app.kit.repository import Repository
from app.models import (
    Friendship,
    FriendshipStatus,
    MembershipPlan,
    MembershipSubscription,
    User,
)


class MembershipRepository(Repository):
    async def plans(self, channel_pk: int) -> Sequence[MembershipPlan]:
        rows = await self.session.scalars(
            select(MembershipPlan)
            .where(MembershipPlan.channel_pk == channel_pk)
            .order_by(MembershipPlan.id)
        )
        return rows.all()

    async def plan(self, channel_pk: int, plan_pk: int) -> MembershipPlan | None:
        plan = await self.session.get(MembershipPlan, plan_pk)
        return plan if plan is not None and plan.channel_pk == channel_pk else None

    async def member_counts(self, plan_pks: Sequence[int]) -> dict[int, int]:
        rows = await self.session.execute(
            select(MembershipSubscription.plan_pk, func.count())
            .where(
                MembershipSubscription.plan_pk.in_(plan_pks),
                MembershipSubscription.left_at.is_(None),
            )
            .group_by(MembershipSubscription.plan_pk)
        )
        return {int(plan_pk): int(count) for plan_pk, count in rows}

    async def subscriptions_of(
        self, channel_pk: int, user_pk: int
    ) -> Sequence[tuple[MembershipSubscription, MembershipPlan]]:
        """The user's current subscriptions to the channel's plans."""
        rows = await self.session.execute(
            select(MembershipSubscription, MembershipPlan)
            .join(MembershipPlan, MembershipPlan.id == MembershipSubscription.plan_pk)
            .where(
                MembershipPlan.channel_pk == channel_pk,
                MembershipSubscription.user_pk == user_pk,
                MembershipSubscription.left_at.is_(None),
            )
            .order_by(MembershipSubscription.id)
        )
        return [(first, second) for first, second in rows]

    async def member_page(
        self, plan: MembershipPlan, after: int, limit: int
    ) -> Sequence[tuple[int, str]]:
        """(key, userId) of the plan's current members who follow the account, in joining
        order after `after`: the platform leaves out users who are not friends."""
        rows = await self.session.execute(
            select(MembershipSubscription.id, User.user_id)
            .join(User, User.id == MembershipSubscription.user_pk)
            .join(
                Friendship,
                (Friendship.user_pk == MembershipSubscription.user_pk)
                & (Friendship.channel_pk == plan.channel_pk),
            )
            .where(
                MembershipSubscription.plan_pk == plan.id,
                MembershipSubscription.left_at.is_(None),
                MembershipSubscription.id > after,
                Friendship.status == FriendshipStatus.FOLLOWING,
            )
            .order_by(MembershipSubscription.id)
            .limit(limit)
        )
        return [(int(key), user_id) for key, user_id in rows]
