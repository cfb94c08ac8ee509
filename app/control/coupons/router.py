"""A user's side of coupons: acquiring (a lottery draw for lottery coupons) and using them."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import Field

from app.control.coupons.service import Held, TicketService
from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.webhook.router import ActingDep
from app.deps import UowDep
from app.models.coupon import NO_LIMIT
from app.schemas.base import WireModel

router = APIRouter(tags=["control: coupons"])
COUPON = "/channels/{channelId}/users/{userId}/coupons/{couponId}"


class TicketView(WireModel):
    coupon_id: str
    title: str
    user_id: str
    outcome: Literal["acquired", "lost"]
    drawn_at: datetime
    use_count: int
    max_use_count: int
    usable: bool


class LotteryView(WireModel):
    coupon_id: str
    lottery_probability: int = Field(description="The chance of a draw winning, in percent.")
    max_winners: int = Field(description="maxAcquireCount: the most users who can win (-1: any).")
    winners: int
    losers: int
    draws: int
    remaining_winners: int | None = Field(
        default=None, description="Wins still possible; absent without a maximum."
    )


async def get_ticket_service(uow: UowDep) -> TicketService:
    return TicketService(uow)


TicketsDep = Annotated[TicketService, Depends(get_ticket_service)]


def _view(held: Held, user_id: str) -> TicketView:
    return TicketView(
        coupon_id=held.coupon.coupon_id,
        title=held.coupon.title,
        user_id=user_id,
        outcome="acquired" if held.ticket.won else "lost",
        drawn_at=held.ticket.drawn_at,
        use_count=held.ticket.use_count,
        max_use_count=held.coupon.max_use_count_per_ticket,
        usable=held.usable,
    )


@router.post(f"{COUPON}/acquire", status_code=201, response_model=TicketView)
async def acquire_coupon(
    couponId: str, acting: ActingDep, tickets: TicketsDep, response: Response
) -> TicketView:
    """The user acquires the coupon: 201 with the ticket (`outcome` "acquired", or "lost" when a
    lottery draw loses), 200 with the same answer on a second call (a user draws once). 409 for
    a closed or ended coupon, or an UNLISTED one the user was never sent."""
    held, drawn = await tickets.acquire(acting.channel, acting.user, couponId)
    if not drawn:
        response.status_code = 200
    return _view(held, acting.user.user_id)


@router.post(f"{COUPON}/use", response_model=TicketView)
async def use_coupon(couponId: str, acting: ActingDep, tickets: TicketsDep) -> TicketView:
    """The user uses their ticket once; 409 before startTimestamp, from endTimestamp on, after
    closing, or past maxUseCountPerTicket (-1: no limit)."""
    held = await tickets.use(acting.channel, acting.user, couponId)
    return _view(held, acting.user.user_id)


@router.get("/channels/{channelId}/users/{userId}/coupons", response_model=list[TicketView])
async def list_user_coupons(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    tickets: TicketsDep,
) -> list[TicketView]:
    """Every coupon of the channel the user drew, in drawing order, lost lotteries included."""
    channel, user = await channels.get(channelId), await users.get(userId)
    return [_view(held, user.user_id) for held in await tickets.tickets(channel, user)]


@router.get(
    "/channels/{channelId}/coupons/{couponId}/lottery",
    response_model=LotteryView,
    response_model_exclude_none=True,
    summary="A lottery's figures",
)
async def lottery_figures(
    channelId: str, couponId: str, channels: ChannelServiceDep, tickets: TicketsDep
) -> LotteryView:
    """The win probability, the most winners (`maxAcquireCount`), the winners and losers so
    far; 409 for a coupon that is not a lottery."""
    figures = await tickets.lottery(await channels.get(channelId), couponId)
    coupon = figures.coupon
    unlimited = coupon.max_acquire_count == NO_LIMIT
    return LotteryView(
        coupon_id=coupon.coupon_id,
        lottery_probability=coupon.lottery_probability or 0,
        max_winners=coupon.max_acquire_count,
        winners=figures.winners,
        losers=figures.losers,
        draws=figures.winners + figures.losers,
        remaining_winners=None if unlimited else max(coupon.max_acquire_count - figures.winners, 0),
    )
