"""Billing plans: which plan a channel is on, the quota it sets, changes and statements.

An upgrade applies at once (the month is billed on the new plan, with all its free messages); a
downgrade applies from the next month (Japan time, the platform's billing clock). The plan sets
the channel's quota, so the LINE quota endpoints and every send agree with it: plans without
additional messages are limited to their free messages, the others are unlimited and bill
the overage. Plans rank by monthly fee, then free messages. Besides the built-in Taiwan set,
plans can be defined through the control plane.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app.control.plans.catalog import PLANS, Plan, TierCharge, overage, tiers_after
from app.control.plans.repository import PlanRepository
from app.delivery.service import PLATFORM_TZ, month_start
from app.kit.clock import Clock
from app.kit.errors import BadRequest, Conflict, ErrorDetail, NotFound
from app.kit.uow import UnitOfWork
from app.models import BillingPlan, Channel, PlanChange, QuotaType

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ON_A_PLAN = "The channel's quota follows its billing plan; change the plan instead"


def next_month_start(now: datetime) -> datetime:
    start = month_start(now)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def parse_month(value: str) -> datetime:
    match = MONTH.match(value)
    # Year 0 does not exist, and the month after 9999-12 cannot be represented.
    if match is None or not 1 <= int(match[1]) <= 9998:
        raise BadRequest(
            "Invalid month", [ErrorDetail("Must be a month as YYYY-MM, years 0001-9998", "month")]
        )
    return datetime(int(match[1]), int(match[2]), 1, tzinfo=PLATFORM_TZ)


def check_tiers(free_messages: int, lasts: list[int | None]) -> list[ErrorDetail]:
    """Tiers follow the free messages in order, and the last has no end: a plan that stopped
    at a tier's `last` would have nothing to price the messages after it."""
    floor = free_messages
    for index, last in enumerate(lasts):
        prop = f"tiers[{index}].last"
        if last is None:
            if index != len(lasts) - 1:
                return [ErrorDetail("Only the last tier may be open-ended", prop)]
        elif index == len(lasts) - 1:
            return [ErrorDetail("The last tier must be open-ended (null)", prop)]
        elif last <= floor:
            return [ErrorDetail("Must end after the free messages and the tier before", prop)]
        else:
            floor = last
    return []


def plan_quota(plan: Plan) -> tuple[QuotaType, int | None]:
    if plan.additional_messages:
        return QuotaType.NONE, None
    return QuotaType.LIMITED, plan.free_messages


def plan_of_row(row: BillingPlan) -> Plan:
    return Plan(
        row.code,
        row.name,
        row.currency,
        Decimal(row.monthly_fee),
        row.free_messages,
        tiers_after(row.free_messages + 1, [(last, price) for last, price in row.tiers]),
        built_in=False,
    )


@dataclass(frozen=True)
class NewPlan:
    code: str
    name: str
    currency: str
    monthly_fee: Decimal
    free_messages: int
    tiers: list[tuple[int | None, Decimal]]


@dataclass(frozen=True)
class PlanState:
    plan: Plan | None
    since: datetime | None
    next_plan: Plan | None
    next_from: datetime | None
    quota: tuple[QuotaType, int | None]
    messages_this_month: int


@dataclass(frozen=True)
class Statement:
    month: datetime
    plan: Plan
    changes: list[tuple[Plan, datetime]]
    messages: int
    free_messages_used: int
    charges: list[TierCharge]
    final: bool  # the month is over: nothing more will be counted

    @property
    def overage_total(self) -> Decimal:
        return sum((charge.amount for charge in self.charges), start=Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.plan.monthly_fee + self.overage_total


class PlanService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.plans = PlanRepository(uow.session)
        self.clock: Clock = uow.services.clock

    async def all_plans(self) -> list[Plan]:
        return [*PLANS.values(), *map(plan_of_row, await self.plans.billing_plans())]

    async def plan(self, code: str) -> Plan:
        """A plan by code, built in or defined (a stored change always names one)."""
        found = await self.find(code)
        if found is None:
            raise NotFound(f"No billing plan {code}")
        return found

    async def find(self, code: str) -> Plan | None:
        if code in PLANS:
            return PLANS[code]
        row = await self.plans.billing_plan(code)
        return plan_of_row(row) if row else None

    async def define(self, new: NewPlan) -> Plan:
        """A plan beside the built-in ones; codes are unique (409)."""
        errors = check_tiers(new.free_messages, [last for last, _ in new.tiers])
        if errors:
            raise BadRequest("The tiers are invalid", errors)
        if await self.find(new.code) is not None:
            raise Conflict(
                f"There is already a billing plan {new.code}", [ErrorDetail("Exists", "code")]
            )
        row = await self.plans.add(
            BillingPlan(
                code=new.code,
                name=new.name,
                currency=new.currency,
                monthly_fee=new.monthly_fee,
                free_messages=new.free_messages,
                tiers=[[last, str(price)] for last, price in new.tiers],
                created_at=self.clock.now(),
            )
        )
        return plan_of_row(row)

    @staticmethod
    def settle(channel: Channel, now: datetime) -> None:
        """A next month's quota that has come makes the channel's quota (so sends that read it
        take the fast path again)."""
        if channel.quota_next_at is not None and now >= channel.quota_next_at:
            channel.quota_type, channel.quota_limit = channel.quota_at(now)
            channel.quota_next_type = channel.quota_next_limit = channel.quota_next_at = None

    async def state(self, channel: Channel) -> PlanState:
        now = self.clock.now()
        self.settle(channel, now)
        current = await self.plans.in_force(channel.id, now)
        pending = await self.plans.pending(channel.id, now)
        return PlanState(
            plan=await self.plan(current.plan_code) if current else None,
            since=current.effective_from if current else None,
            next_plan=await self.plan(pending.plan_code) if pending else None,
            next_from=pending.effective_from if pending else None,
            quota=channel.quota_at(now),
            messages_this_month=await self.plans.messages_between(
                channel.id, month_start(now), next_month_start(now)
            ),
        )

    async def change(self, channel: Channel, code: str) -> PlanState:
        plan = await self.find(code)
        if plan is None:
            codes = [known.code for known in await self.all_plans()]
            raise BadRequest(
                "Invalid plan",
                [ErrorDetail(f"Must be one of the following values: {codes}", "plan")],
            )
        now = self.clock.now()
        self.settle(channel, now)
        current = await self.plans.in_force(channel.id, now)
        await self.plans.forget_pending(channel.id, now)
        channel.quota_next_type = channel.quota_next_limit = channel.quota_next_at = None
        rank = (await self.plan(current.plan_code)).rank if current else None
        if rank is None or plan.rank > rank:
            await self._add(channel, plan, now, now)
            channel.quota_type, channel.quota_limit = plan_quota(plan)
        elif plan.rank < rank:
            starts = next_month_start(now)
            await self._add(channel, plan, starts, now)
            channel.quota_next_type, channel.quota_next_limit = plan_quota(plan)
            channel.quota_next_at = starts
        # The same plan again keeps it and cancels a downgrade asked for earlier.
        return await self.state(channel)

    async def _add(self, channel: Channel, plan: Plan, starts: datetime, now: datetime) -> None:
        await self.plans.add(
            PlanChange(
                channel_pk=channel.id, plan_code=plan.code, effective_from=starts, requested_at=now
            )
        )

    async def refuse_manual_quota(self, channel: Channel) -> None:
        if await self.plans.has_plan(channel.id):
            raise Conflict(ON_A_PLAN)

    async def statement(self, channel: Channel, month: str | None) -> Statement:
        now = self.clock.now()
        start = month_start(now) if month is None else parse_month(month)
        end = next_month_start(start)
        last = await self.plans.before(channel.id, min(end, _just_after(now)))
        if last is None or start > now:
            raise NotFound(f"Channel {channel.channel_id} had no billing plan in that month")
        plan = await self.plan(last.plan_code)
        messages = await self.plans.messages_between(channel.id, start, end)
        changes = await self.plans.changes_between(channel.id, start, min(end, _just_after(now)))
        return Statement(
            month=start,
            plan=plan,
            changes=[
                (await self.plan(change.plan_code), change.effective_from) for change in changes
            ],
            messages=messages,
            free_messages_used=min(messages, plan.free_messages),
            charges=overage(plan, messages),
            final=end <= now,
        )


def _just_after(now: datetime) -> datetime:
    # A change that starts exactly now is in force now.
    return now + timedelta(microseconds=1)
