"""Shop cards: the account's point card, points granted per visit or purchase, rewards."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.shopcards.schemas import (
    EarnedView,
    GrantRequest,
    GrantView,
    HolderView,
    RewardView,
    ShopCardRequest,
    ShopCardView,
)
from app.control.shopcards.service import CardSettings, Earned, HolderState, ShopCardService
from app.deps import UowDep
from app.models import ShopCard, User

router = APIRouter(tags=["control: shop cards"])
CARD = "/channels/{channelId}/shop-card"
HOLDER = "/channels/{channelId}/users/{userId}/shop-card"


async def get_shop_cards(uow: UowDep) -> ShopCardService:
    return ShopCardService(uow)


ShopCardsDep = Annotated[ShopCardService, Depends(get_shop_cards)]


async def _card_view(cards: ShopCardService, card: ShopCard) -> ShopCardView:
    issued, granted, expired, earned = await cards.stats(card)
    return ShopCardView(
        card_id=card.card_id,
        name=card.name,
        goal_points=card.goal_points,
        points_per_visit=card.points_per_visit,
        points_per_purchase=card.points_per_purchase,
        validity_days=card.validity_days,
        rewards=[
            RewardView(
                threshold=reward.threshold,
                description=reward.description,
                coupon_id=coupon.coupon_id if coupon else None,
            )
            for reward, coupon in await cards.rewards(card)
        ],
        created_at=card.created_at,
        updated_at=card.updated_at,
        issued_cards=issued,
        granted_points=granted,
        expired_points=expired,
        earned_rewards=earned,
    )


def _earned(earned: Earned) -> EarnedView:
    return EarnedView(
        threshold=earned.reward.threshold,
        description=earned.reward.description,
        card_number=earned.card_number,
        earned_at=earned.earned_at,
        coupon_id=earned.coupon_id,
        coupon_ticket=earned.coupon_ticket,
    )


async def _holder_view(
    cards: ShopCardService, card: ShopCard, user: User, state: HolderState
) -> HolderView:
    upcoming = [
        RewardView(
            threshold=reward.threshold,
            description=reward.description,
            coupon_id=coupon.coupon_id if coupon else None,
        )
        for reward, coupon in await cards.rewards(card)
        if reward.threshold > state.points
    ]
    return HolderView(
        user_id=user.user_id,
        card_id=card.card_id,
        points=state.points,
        goal_points=card.goal_points,
        completed_cards=state.holder.completed_cards,
        expired_points=state.expired_points,
        expires_at=state.expires_at,
        next_reward=upcoming[0] if upcoming else None,
        earned=[_earned(e) for e in state.earned],
        issued_at=state.holder.issued_at,
        last_granted_at=state.holder.last_granted_at,
    )


@router.put(
    CARD,
    response_model=ShopCardView,
    response_model_exclude_none=True,
    summary="Create or change the shop card",
    responses={201: {"model": ShopCardView}},
)
async def put_shop_card(
    channelId: str,
    body: ShopCardRequest,
    response: Response,
    channels: ChannelServiceDep,
    cards: ShopCardsDep,
) -> ShopCardView:
    """One card per account (201 when created). Rewards are matched by threshold; a reward may
    name a coupon of the account, handed to the user on reaching it."""
    settings = CardSettings(
        name=body.name,
        goal_points=body.goal_points,
        points_per_visit=body.points_per_visit,
        points_per_purchase=body.points_per_purchase,
        validity_days=body.validity_days,
        rewards=[(r.threshold, r.description, r.coupon_id) for r in body.rewards],
    )
    card, created = await cards.save(await channels.get(channelId), settings)
    if created:
        response.status_code = 201
    return await _card_view(cards, card)


@router.get(
    CARD,
    response_model=ShopCardView,
    response_model_exclude_none=True,
    summary="The shop card and its figures",
)
async def get_shop_card(
    channelId: str, channels: ChannelServiceDep, cards: ShopCardsDep
) -> ShopCardView:
    """With the figures the manager's statistics show: cards issued, points granted and
    expired, rewards earned."""
    return await _card_view(cards, await cards.card(await channels.get(channelId)))


@router.post(
    HOLDER + "/points",
    response_model=GrantView,
    response_model_exclude_none=True,
    summary="Grant points",
)
async def grant_points(
    channelId: str,
    userId: str,
    body: GrantRequest,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    cards: ShopCardsDep,
) -> GrantView:
    """The store grants points for visits or purchases (the user's first grant issues their
    card); answers the card and the rewards earned now. 409 unless the user is a friend."""
    channel, user = await channels.get(channelId), await users.get(userId)
    state, earned = await cards.grant(channel, user, body.reason, body.count or 1, body.points)
    card = await cards.card(channel)
    return GrantView(
        card=await _holder_view(cards, card, user, state),
        earned_now=[_earned(e) for e in earned],
    )


@router.get(
    HOLDER,
    response_model=HolderView,
    response_model_exclude_none=True,
    summary="A user's shop card",
)
async def get_holder(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    cards: ShopCardsDep,
) -> HolderView:
    """Points on the current card (expired ones show as expired), completed cards, when the
    points expire, the next reward and the rewards earned."""
    channel, user = await channels.get(channelId), await users.get(userId)
    state = await cards.holder_state(channel, user)
    return await _holder_view(cards, await cards.card(channel), user, state)
