from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select

from app.delivery.repository import DeliveryRepository
from app.kit.repository import Repository
from app.models import BillingPlan, PlanChange


class PlanRepository(Repository):
    async def billing_plan(self, code: str) -> BillingPlan | None:
        return await self.session.scalar(select(BillingPlan).where(BillingPlan.code == code))

    async def billing_plans(self) -> Sequence[BillingPlan]:
        return (await self.session.scalars(select(BillingPlan).order_by(BillingPlan.id))).all()

    async def in_force(self, channel_pk: int, at: datetime) -> PlanChange | None:
        """The plan change in force at `at` (the latest that started by then)."""
        return await self.session.scalar(
            select(PlanChange)
            .where(PlanChange.channel_pk == channel_pk, PlanChange.effective_from <= at)
            .order_by(PlanChange.effective_from.desc(), PlanChange.id.desc())
            .limit(1)
        )

    async def before(self, channel_pk: int, end: datetime) -> PlanChange | None:
        """The last plan change that started before `end` (the plan a month ends on)."""
        return await self.session.scalar(
            select(PlanChange)
            .where(PlanChange.channel_pk == channel_pk, PlanChange.effective_from < end)
            .order_by(PlanChange.effective_from.desc(), PlanChange.id.desc())
            .limit(1)
        )

    async def pending(self, channel_pk: int, now: datetime) -> PlanChange | None:
        return await self.session.scalar(
            select(PlanChange)
            .where(PlanChange.channel_pk == channel_pk, PlanChange.effective_from > now)
            .order_by(PlanChange.effective_from.desc(), PlanChange.id.desc())
            .limit(1)
        )

    async def changes_between(
        self, channel_pk: int, start: datetime, end: datetime
    ) -> Sequence[PlanChange]:
        return (
            await self.session.scalars(
                select(PlanChange)
                .where(
                    PlanChange.channel_pk == channel_pk,
                    PlanChange.effective_from >= start,
                    PlanChange.effective_from < end,
                )
                .order_by(PlanChange.effective_from, PlanChange.id)
            )
        ).all()

    async def forget_pending(self, channel_pk: int, now: datetime) -> None:
        await self.session.execute(
            delete(PlanChange).where(
                PlanChange.channel_pk == channel_pk, PlanChange.effective_from > now
            )
        )

    async def messages_between(self, channel_pk: int, start: datetime, end: datetime) -> int:
        """Messages counted toward the quota in [start, end): the quota's own count (from a
        time on) at start, less at end, so the two never disagree on what counts."""
        usage = DeliveryRepository(self.session).usage
        return await usage(channel_pk, start) - await usage(channel_pk, end)

    async def has_plan(self, channel_pk: int) -> bool:
        found = await self.session.scalar(
            select(PlanChange.id).where(PlanChange.channel_pk == channel_pk).limit(1)
        )
        return found is not None
