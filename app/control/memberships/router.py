"""Membership plans of an account, and users joining, leaving and renewing them."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field, StringConstraints

from app.api.membership.schemas import MembershipModel, Subscription
from app.api.membership.service import subscription_view
from app.control.deps import ChannelServiceDep
from app.control.memberships.service import Act, MembershipService, NewPlan
from app.control.webhook.router import ActingDep
from app.deps import ClockDep, SessionDep
from app.models import MembershipCurrency
from app.schemas.base import RowKey, WireModel

router = APIRouter(tags=["control: memberships"])
PLANS = "/channels/{channelId}/memberships"
MEMBERSHIP = "/channels/{channelId}/users/{userId}/memberships/{membershipId}"

Benefit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CreatePlanRequest(WireModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    description: Annotated[str, StringConstraints(max_length=1000)] = ""
    benefits: Annotated[list[Benefit], Field(min_length=1, max_length=20)]
    price: Annotated[float, Field(gt=0, lt=10**10)]
    currency: MembershipCurrency
    member_limit: Annotated[int, Field(ge=1)] | None = None
    is_in_app_purchase: bool = False
    is_published: bool = True


class MembershipActView(WireModel):
    user_id: str
    active: bool = Field(description="False once the user has left.")
    subscription: Subscription
    event: dict[str, Any] = Field(description="The membership event the bot will receive.")


async def get_membership_service(session: SessionDep, clock: ClockDep) -> MembershipService:
    return MembershipService(session, clock)


MembershipsDep = Annotated[MembershipService, Depends(get_membership_service)]


def _act_view(act: Act, user_id: str) -> MembershipActView:
    return MembershipActView(
        user_id=user_id,
        active=act.subscription.left_at is None,
        subscription=subscription_view(act.subscription, act.plan),
        event=act.event,
    )


@router.post(PLANS, status_code=201, response_model=MembershipModel)
async def create_plan(
    channelId: str,
    body: CreatePlanRequest,
    channels: ChannelServiceDep,
    memberships: MembershipsDep,
) -> MembershipModel:
    """A membership plan of the account; its `membershipId` is what the bot's API names."""
    channel = await channels.get(channelId)
    plan = await memberships.create_plan(
        channel,
        NewPlan(
            title=body.title,
            description=body.description,
            benefits=body.benefits,
            price=body.price,
            currency=body.currency,
            member_limit=body.member_limit,
            is_in_app_purchase=body.is_in_app_purchase,
            is_published=body.is_published,
        ),
    )
    return MembershipModel.with_count(plan, 0)


@router.get(PLANS, response_model=list[MembershipModel])
async def list_plans(
    channelId: str, channels: ChannelServiceDep, memberships: MembershipsDep
) -> list[MembershipModel]:
    channel = await channels.get(channelId)
    return [
        MembershipModel.with_count(plan, count) for plan, count in await memberships.plans(channel)
    ]


@router.post(f"{MEMBERSHIP}/join", status_code=201, response_model=MembershipActView)
async def join(
    membershipId: RowKey, acting: ActingDep, memberships: MembershipsDep
) -> MembershipActView:
    """The user subscribes (the first month is paid now); the bot receives a `joined` event.
    409 when the user already belongs to a plan of the account, or the plan is unpublished or
    full."""
    act = await memberships.join(acting.channel, acting.user, membershipId, acting.events)
    return _act_view(act, acting.user.user_id)


@router.post(f"{MEMBERSHIP}/leave", response_model=MembershipActView)
async def leave(
    membershipId: RowKey, acting: ActingDep, memberships: MembershipsDep
) -> MembershipActView:
    """The user cancels; the bot receives a `left` event. 409 unless the user is a member."""
    act = await memberships.leave(acting.channel, acting.user, membershipId, acting.events)
    return _act_view(act, acting.user.user_id)


@router.post(f"{MEMBERSHIP}/renew", response_model=MembershipActView)
async def renew(
    membershipId: RowKey, acting: ActingDep, memberships: MembershipsDep
) -> MembershipActView:
    """The next month is billed: totalSubscriptionMonths grows by one and nextBillingDate moves
    a month on; the bot receives a `renewed` event. Kizuna does not bill by itself: a test
    advances the clock to the billing date and renews. 409 unless the user is a member."""
    act = await memberships.renew(acting.channel, acting.user, membershipId, acting.events)
    return _act_view(act, acting.user.user_id)
