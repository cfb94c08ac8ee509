"""Billing plans (the Official Account Manager's plan page) and monthly statements."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.control.deps import ChannelServiceDep
from app.control.plans.catalog import PLAN_SET, Plan, money
from app.control.plans.schemas import (
    ChangePlanRequest,
    ChannelPlanView,
    ChargeView,
    CreatePlanRequest,
    PlanChangeView,
    PlanSetView,
    PlanView,
    QuotaView,
    StatementView,
    TierView,
)
from app.control.plans.service import NewPlan, PlanService, PlanState
from app.deps import UowDep

router = APIRouter(tags=["control: plans"])
PLAN = "/channels/{channelId}/plan"


async def get_plan_service(uow: UowDep) -> PlanService:
    return PlanService(uow)


PlanServiceDep = Annotated[PlanService, Depends(get_plan_service)]


def plan_view(plan: Plan) -> PlanView:
    return PlanView(
        code=plan.code,
        name=plan.name,
        currency=plan.currency,
        monthly_fee=money(plan.monthly_fee),
        free_messages=plan.free_messages,
        additional_messages=plan.additional_messages,
        tiers=[
            TierView(first=tier.first, last=tier.last, unit_price=money(tier.unit_price))
            for tier in plan.tiers
        ],
        built_in=plan.built_in,
    )


def _state_view(state: PlanState) -> ChannelPlanView:
    return ChannelPlanView(
        plan=plan_view(state.plan) if state.plan else None,
        since=state.since,
        next_plan=plan_view(state.next_plan) if state.next_plan else None,
        next_from=state.next_from,
        quota=QuotaView(type=state.quota[0], value=state.quota[1]),
        messages_this_month=state.messages_this_month,
    )


@router.get("/plans", response_model=PlanSetView, summary="The billing plans")
async def list_plans(plans: PlanServiceDep) -> PlanSetView:
    """LINE Official Account's Taiwan price table (fee, free messages and, on the high plan,
    additional messages priced in graduated tiers), then the plans defined here."""
    return PlanSetView(
        plan_set=PLAN_SET, plans=[plan_view(plan) for plan in await plans.all_plans()]
    )


@router.post("/plans", status_code=201, response_model=PlanView, summary="Define a plan")
async def define_plan(body: CreatePlanRequest, plans: PlanServiceDep) -> PlanView:
    """A plan beside the built-in ones, for every channel: a monthly fee, free messages and
    additional messages priced in graduated tiers (none: sending stops at the free messages).
    Plans rank by fee, then free messages: a higher one is an upgrade. 409 for a known code."""
    plan = await plans.define(
        NewPlan(
            code=body.code,
            name=body.name,
            currency=body.currency,
            monthly_fee=body.monthly_fee,
            free_messages=body.free_messages,
            tiers=[(tier.last, tier.unit_price) for tier in body.tiers],
        )
    )
    return plan_view(plan)


@router.get(
    PLAN,
    response_model=ChannelPlanView,
    response_model_exclude_none=True,
    summary="A channel's billing plan",
)
async def get_channel_plan(
    channelId: str, channels: ChannelServiceDep, plans: PlanServiceDep
) -> ChannelPlanView:
    return _state_view(await plans.state(await channels.get(channelId)))


@router.put(
    PLAN,
    response_model=ChannelPlanView,
    response_model_exclude_none=True,
    summary="Change a channel's billing plan",
)
async def change_channel_plan(
    channelId: str, body: ChangePlanRequest, channels: ChannelServiceDep, plans: PlanServiceDep
) -> ChannelPlanView:
    """An upgrade (or the first plan) applies now, a downgrade from the next month (Japan
    time): the answer shows it as `nextPlan`. The plan sets the channel's monthly quota."""
    return _state_view(await plans.change(await channels.get(channelId), body.plan))


@router.get(
    "/channels/{channelId}/statement",
    response_model=StatementView,
    response_model_exclude_none=True,
    summary="A month's statement",
)
async def get_statement(
    channelId: str,
    channels: ChannelServiceDep,
    plans: PlanServiceDep,
    month: Annotated[str | None, Query(description="YYYY-MM; the current month if absent")] = None,
) -> StatementView:
    """The monthly fee of the plan the month ends on (an upgrade bills the new plan's full
    fee), the messages counted (one per recipient, as the quota counts) and the additional
    messages beyond the free ones, priced tier by tier."""
    statement = await plans.statement(await channels.get(channelId), month)
    plan = statement.plan
    return StatementView(
        month=statement.month.strftime("%Y-%m"),
        final=statement.final,
        plan=plan_view(plan),
        changes=[
            PlanChangeView(plan=changed.code, effective_from=at)
            for changed, at in statement.changes
        ],
        currency=plan.currency,
        monthly_fee=money(plan.monthly_fee),
        messages=statement.messages,
        free_messages=plan.free_messages,
        free_messages_used=statement.free_messages_used,
        additional_messages=sum(charge.messages for charge in statement.charges),
        additional=[
            ChargeView(
                first=charge.tier.first,
                last=charge.tier.last,
                unit_price=money(charge.tier.unit_price),
                messages=charge.messages,
                amount=money(charge.amount),
            )
            for charge in statement.charges
        ],
        additional_total=money(statement.overage_total),
        total=money(statement.total),
    )
