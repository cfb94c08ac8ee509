"""Membership plans and subscriptions as the bot reads them."""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.membership.repository import MembershipRepository
from app.api.membership.schemas import (
    MembershipModel,
    SubscribedMembershipPlan,
    SubscribedMembershipUser,
    Subscription,
)
from app.api.message.schemas import USER_ID
from app.api.profile.service import decode_cursor, encode_cursor
from app.kit.errors import BadRequest, NotFound
from app.models import Channel, MembershipPlan, MembershipSubscription, User

# nextBillingDate is a date in UTC+9, per the spec.
BILLING_TZ = ZoneInfo("Asia/Tokyo")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def next_billing_date(joined_at: datetime, months_paid: int) -> date:
    """Billing repeats monthly on the day (Japan time) the user joined; counting from that day
    each time keeps a 31st from drifting to the 28th after February."""
    return add_months(joined_at.astimezone(BILLING_TZ).date(), months_paid)


def subscription_view(sub: MembershipSubscription, plan: MembershipPlan) -> Subscription:
    return Subscription(
        membership=SubscribedMembershipPlan.of(plan),
        user=SubscribedMembershipUser(
            membership_no=sub.membership_no,
            joined_time=int(sub.joined_at.timestamp()),
            next_billing_date=next_billing_date(sub.joined_at, sub.total_months).isoformat(),
            total_subscription_months=sub.total_months,
        ),
    )


class MembershipQueries:
    def __init__(self, session: AsyncSession, channel: Channel) -> None:
        self.session = session
        self.memberships = MembershipRepository(session)
        self.channel = channel

    async def plans(self) -> list[MembershipModel]:
        plans = await self.memberships.plans(self.channel.id)
        if not plans:
            # An account without memberships has nothing to describe: the spec's 404.
            raise NotFound()
        counts = await self.memberships.member_counts([plan.id for plan in plans])
        return [MembershipModel.with_count(plan, counts.get(plan.id, 0)) for plan in plans]

    async def subscriptions(self, user_id: str) -> list[Subscription]:
        if not USER_ID.match(user_id):
            raise BadRequest("The value for the 'userId' parameter is invalid")
        user_pk = await self.session.scalar(select(User.id).where(User.user_id == user_id))
        rows = await self.memberships.subscriptions_of(self.channel.id, user_pk or 0)
        if not rows:
            # The spec: 404 when there is no membership the user subscribes to.
            raise NotFound()
        return [subscription_view(sub, plan) for sub, plan in rows]

    async def member_ids(
        self, membership_id: int, start: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        plan = await self.memberships.plan(self.channel.id, membership_id)
        if plan is None:
            raise NotFound()
        after = decode_cursor(start) if start else 0
        # One row past the page tells whether a `next` is due.
        rows = await self.memberships.member_page(plan, after, limit + 1)
        page = rows[:limit]
        next_token = encode_cursor(page[-1][0]) if len(rows) > limit else None
        return [user_id for _, user_id in page], next_token
