"""Shop cards: an account's point card. The store grants points per visit or purchase (through
the control plane, as scanning the card's code does); reaching a reward's threshold earns it
(a coupon reward hands the user a ticket of the coupon); reaching the goal completes the card
and a new one starts with the points left over. Points expire `validityDays` after the last
grant, on Kizuna's clock.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.api.coupon.repository import CouponRepository
from app.control.shopcards.repository import ShopCardRepository
from app.control.users.repository import UserRepository
from app.kit.errors import BadRequest, Conflict, ErrorDetail, NotFound
from app.kit.uow import UnitOfWork
from app.models import (
    Channel,
    Coupon,
    CouponStatus,
    CouponTicket,
    FriendshipStatus,
    PointReason,
    ShopCard,
    ShopCardEarned,
    ShopCardGrant,
    ShopCardHolder,
    ShopCardReward,
    User,
)


@dataclass(frozen=True)
class CardSettings:
    name: str
    goal_points: int
    points_per_visit: int
    points_per_purchase: int
    validity_days: int
    rewards: list[tuple[int, str, str | None]]  # threshold, description, coupon id


@dataclass(frozen=True)
class Earned:
    reward: ShopCardReward
    card_number: int
    earned_at: datetime
    coupon_id: str | None
    coupon_ticket: bool  # the user holds a ticket of the reward's coupon


@dataclass(frozen=True)
class HolderState:
    holder: ShopCardHolder
    points: int  # on the current card, after expiry
    expired_points: int
    expires_at: datetime | None
    earned: list[Earned]


def expires_at(card: ShopCard, holder: ShopCardHolder) -> datetime | None:
    if holder.last_granted_at is None or holder.points == 0:
        return None
    return holder.last_granted_at + timedelta(days=card.validity_days)


class ShopCardService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session
        self.clock = uow.services.clock
        self.ids = uow.services.ids
        self.cards = ShopCardRepository(uow.session)
        self.coupons = CouponRepository(uow.session)
        self.users = UserRepository(uow.session)

    async def card(self, channel: Channel) -> ShopCard:
        card = await self.cards.card(channel.id)
        if card is None:
            raise NotFound(f"Channel {channel.channel_id} has no shop card")
        return card

    async def save(self, channel: Channel, settings: CardSettings) -> tuple[ShopCard, bool]:
        """Creates the card or changes it (True when created). Rewards are matched by threshold:
        a threshold dropped takes its earned history with it."""
        errors = []
        coupons: list[Coupon | None] = []
        for index, (threshold, _, coupon_id) in enumerate(settings.rewards):
            if threshold > settings.goal_points:
                errors.append(
                    ErrorDetail("Must not exceed goalPoints", f"rewards[{index}].threshold")
                )
            coupon = await self.coupons.get(channel.id, coupon_id) if coupon_id else None
            if coupon_id and coupon is None:
                errors.append(ErrorDetail("No such coupon", f"rewards[{index}].couponId"))
            coupons.append(coupon)
        thresholds = [threshold for threshold, _, _ in settings.rewards]
        if len(set(thresholds)) != len(thresholds):
            errors.append(ErrorDetail("Thresholds must differ", "rewards"))
        if errors:
            raise BadRequest("The shop card is invalid", errors)
        now = self.clock.now()
        card = await self.cards.card(channel.id)
        created = card is None
        if card is None:
            card = await self.cards.add(
                ShopCard(
                    channel_pk=channel.id,
                    card_id=self.ids.webhook_event_id(int(now.timestamp() * 1000)),
                    name=settings.name,
                    goal_points=settings.goal_points,
                    points_per_visit=settings.points_per_visit,
                    points_per_purchase=settings.points_per_purchase,
                    validity_days=settings.validity_days,
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            card.name, card.goal_points = settings.name, settings.goal_points
            card.points_per_visit = settings.points_per_visit
            card.points_per_purchase = settings.points_per_purchase
            card.validity_days, card.updated_at = settings.validity_days, now
        await self.cards.drop_rewards(card.id, thresholds)
        existing = {reward.threshold: reward for reward, _ in await self.cards.rewards(card.id)}
        for (threshold, description, _), coupon in zip(settings.rewards, coupons, strict=True):
            reward = existing.get(threshold)
            if reward is None:
                await self.cards.add(
                    ShopCardReward(
                        card_pk=card.id,
                        threshold=threshold,
                        description=description,
                        coupon_pk=coupon.id if coupon else None,
                    )
                )
            else:
                reward.description = description
                reward.coupon_pk = coupon.id if coupon else None
        await self.session.flush()
        return card, created

    async def rewards(self, card: ShopCard) -> list[tuple[ShopCardReward, Coupon | None]]:
        return list(await self.cards.rewards(card.id))

    async def stats(self, card: ShopCard) -> tuple[int, int, int, int]:
        return await self.cards.stats(card.id)

    def _expire(self, card: ShopCard, holder: ShopCardHolder, now: datetime) -> None:
        ends = expires_at(card, holder)
        if ends is not None and now >= ends:
            holder.expired_points += holder.points
            holder.points = 0

    async def grant(
        self, channel: Channel, user: User, reason: PointReason, count: int, points: int | None
    ) -> tuple[HolderState, list[Earned]]:
        """Points for `count` visits or purchases (or exactly `points`); answers the card and
        the rewards this grant earned."""
        card = await self.card(channel)
        friendship = await self.users.friendship(channel.id, user.id)
        if friendship is None or friendship.status != FriendshipStatus.FOLLOWING:
            # Only friends can hold the account's card.
            raise Conflict(f"User {user.user_id} is not a friend of channel {channel.channel_id}")
        if points is None:
            per = card.points_per_visit if reason == PointReason.VISIT else card.points_per_purchase
            if per == 0:
                raise BadRequest(
                    f"The shop card grants no points per {reason.value}",
                    [ErrorDetail("No points for this reason", "reason")],
                )
            points = per * count
        now = self.clock.now()
        holder = await self.cards.holder_for_update(card.id, user.id, now)
        self._expire(card, holder, now)
        await self.cards.add(
            ShopCardGrant(holder_pk=holder.id, reason=reason, points=points, granted_at=now)
        )
        rewards = await self.cards.rewards(card.id)
        earned: list[Earned] = []
        left = points
        while left > 0:
            before = holder.points
            step = min(left, card.goal_points - before)
            holder.points, left = before + step, left - step
            for reward, coupon in rewards:
                if before < reward.threshold <= holder.points:
                    earned.append(await self._earn(holder, reward, coupon, user, now))
            if holder.points >= card.goal_points:
                holder.completed_cards += 1
                holder.points = 0
        holder.last_granted_at = now
        return await self.state(card, holder), earned

    async def _earn(
        self,
        holder: ShopCardHolder,
        reward: ShopCardReward,
        coupon: Coupon | None,
        user: User,
        now: datetime,
    ) -> Earned:
        card_number = holder.completed_cards + 1
        await self.cards.add(
            ShopCardEarned(
                holder_pk=holder.id, reward_pk=reward.id, card_number=card_number, earned_at=now
            )
        )
        ticket = coupon is not None and await self._hand_coupon(coupon, user, now)
        return Earned(reward, card_number, now, coupon.coupon_id if coupon else None, ticket)

    async def _hand_coupon(self, coupon: Coupon, user: User, now: datetime) -> bool:
        """Hands the user a ticket of the coupon, as acquiring it would, unless the coupon is
        not running or its tickets are all out; True when the user holds one now."""
        held = await self.coupons.ticket(coupon.id, user.id)
        if held is not None:
            return held.won
        if coupon.status != CouponStatus.RUNNING or now.timestamp() >= coupon.end_timestamp:
            return False
        if not await self.coupons.take_one(coupon):
            return False
        await self.coupons.add(
            CouponTicket(coupon_pk=coupon.id, user_pk=user.id, won=True, drawn_at=now, use_count=0)
        )
        return True

    async def holder_state(self, channel: Channel, user: User) -> HolderState:
        card = await self.card(channel)
        holder = await self.cards.holder(card.id, user.id)
        if holder is None:
            raise NotFound(
                f"User {user.user_id} holds no shop card of channel {channel.channel_id}"
            )
        return await self.state(card, holder)

    async def state(self, card: ShopCard, holder: ShopCardHolder) -> HolderState:
        """The card as the user sees it now: points past their validity show as expired (the
        next grant records it)."""
        points, expired = holder.points, holder.expired_points
        ends = expires_at(card, holder)
        if ends is not None and self.clock.now() >= ends:
            points, expired, ends = 0, expired + points, None
        earned = []
        for row, reward in await self.cards.earned(holder.id):
            coupon = await self.session.get(Coupon, reward.coupon_pk) if reward.coupon_pk else None
            ticket = await self.coupons.ticket(coupon.id, holder.user_pk) if coupon else None
            earned.append(
                Earned(
                    reward,
                    row.card_number,
                    row.earned_at,
                    coupon.coupon_id if coupon else None,
                    ticket is not None and ticket.won,
                )
            )
        return HolderState(holder, points, expired, ends, earned)
