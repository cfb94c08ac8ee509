"""Memberships: the account's plans, a user's subscription, the members of a plan."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import ChannelDep
from app.api.membership.schemas import (
    GetJoinedMembershipUsersResponse,
    GetMembershipSubscriptionResponse,
    MembershipListResponse,
)
from app.api.membership.service import MembershipQueries
from app.deps import SessionDep
from app.schemas.base import RowKey

router = APIRouter(tags=["messaging-api"])


async def get_membership_queries(session: SessionDep, channel: ChannelDep) -> MembershipQueries:
    return MembershipQueries(session, channel)


MembershipsDep = Annotated[MembershipQueries, Depends(get_membership_queries)]


@router.get("/v2/bot/membership/list", response_model=MembershipListResponse)
async def get_membership_list(memberships: MembershipsDep) -> MembershipListResponse:
    """Every plan of the account, published or not, with its current member count."""
    return MembershipListResponse(memberships=await memberships.plans())


@router.get(
    "/v2/bot/membership/subscription/{userId}", response_model=GetMembershipSubscriptionResponse
)
async def get_membership_subscription(
    userId: str, memberships: MembershipsDep
) -> GetMembershipSubscriptionResponse:
    return GetMembershipSubscriptionResponse(subscriptions=await memberships.subscriptions(userId))


@router.get(
    "/v2/bot/membership/{membershipId}/users/ids",
    response_model=GetJoinedMembershipUsersResponse,
    response_model_exclude_none=True,
)
async def get_joined_membership_users(
    membershipId: RowKey,
    memberships: MembershipsDep,
    start: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 300,
) -> GetJoinedMembershipUsersResponse:
    """Current members who follow the account, in joining order; `next` continues."""
    user_ids, next_token = await memberships.member_ids(membershipId, start, limit)
    return GetJoinedMembershipUsersResponse(user_ids=user_ids, next=next_token)
