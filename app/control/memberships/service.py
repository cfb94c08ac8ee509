"""Membership plans an account offers, and users joining, leaving and renewing them; each act
reaches the bot as a membership event."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.membership.repository import MembershipRepository
from app.kit.clock import Clock
from app.kit.errors import Conflict, NotFound
from app.models import Channel, MembershipCurrency, MembershipPlan, MembershipSubscription, User
from app.webhook.events import Chat, EventService


@dataclass(frozen=True)
class NewPlan:
    title: str
    description: str
    benefits: list[str]
    price: float
    currency: MembershipCurrency
    member_limit: int | None
    is_in_app_purchase: bool
    is_published: bool


@dataclass(frozen=True)
class Act:
    subscription: MembershipSubscription
    plan: MembershipPlan
    event: dict[str, Any]


class MembershipService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.memberships = MembershipRepository(session)

    async def create_plan(self, channel: Channel, plan: NewPlan) -> MembershipPlan:
        return await self.memberships.add(
            MembershipPlan(
                channel_pk=channel.id,
                title=plan.title,
                description=plan.description,
                benefits=plan.benefits,
                price=plan.price,
                currency=plan.currency,
                member_limit=plan.member_limit,
                is_in_app_purchase=plan.is_in_app_purchase,
                is_published=plan.is_published,
                last_member_no=0,
                created_at=self.clock.now(),
            )
        )

    async def plans(self, channel: Channel) -> list[tuple[MembershipPlan, int]]:
        plans = await self.memberships.plans(channel.id)
        counts = await self.memberships.member_counts([plan.id for plan in plans])
        return [(plan, counts.get(plan.id, 0)) for plan in plans]

    async def _plan(self, channel: Channel, membership_id: int) -> MembershipPlan:
        plan = await self.memberships.plan(channel.id, membership_id)
        if plan is None:
            raise NotFound(f"Channel {channel.channel_id} has no membership {membership_id}")
        return plan

    async def _current(
        self, channel: Channel, user: User, membership_id: int
    ) -> tuple[MembershipSubscription, MembershipPlan]:
        plan = await self._plan(channel, membership_id)
        for sub, subscribed in await self.memberships.subscriptions_of(channel.id, user.id):
            if subscribed.id == plan.id:
                return sub, plan
        raise Conflict(f"User {user.user_id} is not a member of membership {membership_id}")

    async def join(
        self, channel: Channel, user: User, membership_id: int, events: EventService
    ) -> Act:
        plan = await self._plan(channel, membership_id)
        current = await self.memberships.subscriptions_of(channel.id, user.id)
        if current:
            # A user belongs to at most one plan of an account (switching is leave, then join).
            raise Conflict(
                f"User {user.user_id} is already a member of membership {current[0][1].id}"
            )
        if not plan.is_published:
            raise Conflict(f"Membership {plan.id} is not published")
        if plan.member_limit is not None:
            members = (await self.memberships.member_counts([plan.id])).get(plan.id, 0)
            if members >= plan.member_limit:
                raise Conflict(f"Membership {plan.id} is full ({plan.member_limit} members)")
        # One statement, so concurrent joins never share a member number.
        plan.last_member_no = MembershipPlan.last_member_no + 1
        await self.session.flush()
        await self.session.refresh(plan, ["last_member_no"])
        sub = await self.memberships.add(
            MembershipSubscription(
                plan_pk=plan.id,
                user_pk=user.id,
                membership_no=plan.last_member_no,
                joined_at=self.clock.now(),
                total_months=1,
            )
        )
        return Act(sub, plan, await self._event(channel, user, "joined", plan, events))

    async def leave(
        self, channel: Channel, user: User, membership_id: int, events: EventService
    ) -> Act:
        sub, plan = await self._current(channel, user, membership_id)
        sub.left_at = self.clock.now()
        return Act(sub, plan, await self._event(channel, user, "left", plan, events))

    async def renew(
        self, channel: Channel, user: User, membership_id: int, events: EventService
    ) -> Act:
        """The next month is paid: the subscription counts one more month and the billing
        date moves a month on."""
        sub, plan = await self._current(channel, user, membership_id)
        sub.total_months += 1
        return Act(sub, plan, await self._event(channel, user, "renewed", plan, events))

    async def _event(
        self, channel: Channel, user: User, kind: str, plan: MembershipPlan, events: EventService
    ) -> dict[str, Any]:
        body = {"membership": {"type": kind, "membershipId": plan.id}}
        # The spec requires a reply token on membership events.
        return await events.emit(channel, Chat(user), "membership", body, reply=True)
