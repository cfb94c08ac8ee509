"""The insight figures, counted in SQL from what Kizuna recorded: friendship history, sends,
message engagement and rich menu engagement. Nothing here loads a population into Python;
every query answers a handful of grouped rows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    distinct,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import (
    Engagement,
    EngagementKind,
    Friendship,
    FriendshipEvent,
    FriendshipEventKind,
    FriendshipStatus,
    MessageRequest,
    RichMenu,
    RichMenuEngagement,
    RichMenuEngagementKind,
    SendKind,
    User,
)

# Narrowcast's age filters start at 15 and step by 5; insight's last band is 70 and over.
AGE_BANDS = tuple((f"from{lo}to{lo + 4}", lo, lo + 5) for lo in range(15, 70, 5))
# (name, lower bound in days) of friendship duration, longest first.
PERIOD_BANDS = (
    ("over365days", 365),
    ("within365days", 180),
    ("within180days", 90),
    ("within90days", 30),
    ("within30days", 7),
    ("within7days", 0),
)


@dataclass(frozen=True)
class Tally:
    """A count of events and of the distinct users behind them."""

    count: int
    users: int


@dataclass(frozen=True)
class FollowerFigures:
    followers: int
    targeted_reaches: int
    blocks: int


def jst_day(column: Any, dialect: str) -> ColumnElement[str]:
    """yyyyMMdd of an instant on the platform's calendar (Japan keeps no summer time)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Tokyo", column), "YYYYMMDD")
    # SQLite holds UTC as text: shift it by Japan's fixed offset.
    return func.strftime("%Y%m%d", column, "+9 hours")


class InsightRepository:
    def __init__(self, session: AsyncSession, channel_pk: int) -> None:
        self.session = session
        self.channel_pk = channel_pk

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # Followers

    async def followers_at(self, end: datetime) -> FollowerFigures:
        """Figures as of the instant `end`, replayed from the follow/block history."""
        events = FriendshipEvent
        upto = and_(events.channel_pk == self.channel_pk, events.occurred_at < end)
        # Each user's last change of relation before `end` says whether they follow or block.
        ranked = (
            select(
                events.user_pk,
                events.kind,
                func.row_number()
                .over(
                    partition_by=events.user_pk,
                    order_by=(events.occurred_at.desc(), events.id.desc()),
                )
                .label("rank"),
            )
            .where(upto)
            .subquery()
        )
        blocked = ranked.c.kind == FriendshipEventKind.BLOCK.value
        known = and_(User.gender.is_not(None), User.age.is_not(None), User.area.is_not(None))
        row = (
            await self.session.execute(
                select(
                    func.count(case((blocked, 1))),
                    func.count(case((and_(~blocked, known), 1))),
                )
                .select_from(ranked)
                .join(User, User.id == ranked.c.user_pk)
                .where(ranked.c.rank == 1)
            )
        ).one()
        # `followers` counts first adds only: an unblock is recorded as its own kind.
        added = await self.session.scalar(
            select(func.count())
            .select_from(events)
            .where(upto, events.kind == FriendshipEventKind.FOLLOW)
        )
        return FollowerFigures(int(added or 0), int(row[1]), int(row[0]))

    # Demographics

    def _friends(self) -> Select[Any]:
        return select(Friendship.user_pk).where(
            Friendship.channel_pk == self.channel_pk,
            Friendship.status == FriendshipStatus.FOLLOWING,
        )

    async def _grouped(self, label: Any) -> dict[str | None, int]:
        rows = await self.session.execute(
            select(label.label("tile"), func.count())
            .select_from(Friendship)
            .join(User, User.id == Friendship.user_pk)
            .where(
                Friendship.channel_pk == self.channel_pk,
                Friendship.status == FriendshipStatus.FOLLOWING,
            )
            .group_by(label)
        )
        return {tile: int(n) for tile, n in rows}

    async def friends(self) -> int:
        query = select(func.count()).select_from(self._friends().subquery())
        return int(await self.session.scalar(query) or 0)

    async def genders(self) -> dict[str | None, int]:
        return await self._grouped(
            func.coalesce(type_coerce(User.gender, String), literal("unknown"))
        )

    async def app_types(self) -> dict[str | None, int]:
        return await self._grouped(
            func.coalesce(type_coerce(User.app_type, String), literal("others"))
        )

    async def areas(self) -> dict[str | None, int]:
        return await self._grouped(User.area)

    async def ages(self) -> dict[str | None, int]:
        bands = [(User.age < 15, literal("from0to14"))]
        bands += [
            (and_(User.age >= lo, User.age < hi), literal(name)) for name, lo, hi in AGE_BANDS
        ]
        label = case((User.age.is_(None), literal("unknown")), *bands, else_=literal("from70"))
        return await self._grouped(label)

    async def subscription_periods(self, now: datetime) -> dict[str | None, int]:
        label = case(
            *[
                (Friendship.since <= now - timedelta(days=days), literal(name))
                for name, days in PERIOD_BANDS[:-1]
            ],
            else_=literal(PERIOD_BANDS[-1][0]),
        )
        return await self._grouped(label)

    # Sends and their engagement

    async def request(self, request_id: str, kinds: Sequence[SendKind]) -> MessageRequest | None:
        return await self.session.scalar(
            select(MessageRequest).where(
                MessageRequest.channel_pk == self.channel_pk,
                MessageRequest.request_id == request_id,
                MessageRequest.kind.in_(kinds),
            )
        )

    def request_scope(self, request_pk: int) -> ColumnElement[bool]:
        return Engagement.request_pk == request_pk

    def unit_scope(self, unit: str, start: datetime, end: datetime) -> ColumnElement[bool]:
        """Engagement under the unit with the push and multicast requests sent in the period."""
        sent = select(MessageRequest.id).where(
            MessageRequest.channel_pk == self.channel_pk,
            MessageRequest.kind.in_((SendKind.PUSH, SendKind.MULTICAST)),
            MessageRequest.accepted_at >= start,
            MessageRequest.accepted_at < end,
        )
        return and_(
            Engagement.channel_pk == self.channel_pk,
            Engagement.aggregation_unit == unit,
            Engagement.request_pk.in_(sent),
        )

    async def most_messages(self, scope: ColumnElement[bool]) -> int:
        """The number of bubbles of the longest request with engagement in the scope."""
        engaged = select(Engagement.request_pk).where(scope)
        query = select(func.max(func.json_array_length(MessageRequest.messages))).where(
            MessageRequest.id.in_(engaged)
        )
        return int(await self.session.scalar(query) or 0)

    async def engaged_users(self, scope: ColumnElement[bool], kind: EngagementKind) -> int:
        query = select(func.count(distinct(Engagement.user_pk))).where(
            scope, Engagement.kind == kind
        )
        return int(await self.session.scalar(query) or 0)

    async def impressions(self, scope: ColumnElement[bool]) -> dict[int, Tally]:
        rows = await self.session.execute(
            select(
                Engagement.message_index,
                func.count(),
                func.count(distinct(Engagement.user_pk)),
            )
            .where(scope, Engagement.kind == EngagementKind.OPEN)
            .group_by(Engagement.message_index)
        )
        return {index: Tally(int(n), int(users)) for index, n, users in rows}

    async def clicks(self, scope: ColumnElement[bool]) -> dict[tuple[int, str], Tally]:
        rows = await self.session.execute(
            select(
                Engagement.message_index,
                Engagement.url,
                func.count(),
                func.count(distinct(Engagement.user_pk)),
            )
            .where(scope, Engagement.kind == EngagementKind.CLICK, Engagement.url.is_not(None))
            .group_by(Engagement.message_index, Engagement.url)
        )
        return {(index, url or ""): Tally(int(n), int(users)) for index, url, n, users in rows}

    async def url_users(self, scope: ColumnElement[bool]) -> dict[str, int]:
        """Users who opened each URL through any link of the message (or of the unit)."""
        rows = await self.session.execute(
            select(Engagement.url, func.count(distinct(Engagement.user_pk)))
            .where(scope, Engagement.kind == EngagementKind.CLICK, Engagement.url.is_not(None))
            .group_by(Engagement.url)
        )
        return {url or "": int(users) for url, users in rows}

    # Rich menus

    async def rich_menu(self, rich_menu_id: str) -> RichMenu | None:
        return await self.session.scalar(
            select(RichMenu).where(
                RichMenu.channel_pk == self.channel_pk, RichMenu.rich_menu_id == rich_menu_id
            )
        )

    def _menu_scope(self, menu_pk: int, start: datetime, end: datetime) -> ColumnElement[bool]:
        return and_(
            RichMenuEngagement.rich_menu_pk == menu_pk,
            RichMenuEngagement.occurred_at >= start,
            RichMenuEngagement.occurred_at < end,
        )

    async def menu_clickers(self, menu_pk: int, start: datetime, end: datetime) -> int:
        query = select(func.count(distinct(RichMenuEngagement.user_pk))).where(
            self._menu_scope(menu_pk, start, end),
            RichMenuEngagement.kind == RichMenuEngagementKind.CLICK,
        )
        return int(await self.session.scalar(query) or 0)

    async def menu_tallies(
        self, menu_pk: int, start: datetime, end: datetime, *, daily: bool
    ) -> dict[tuple[str, int | None, str], Tally]:
        """(kind, area, day) -> tally; the day is "" when not broken down by day."""
        day = jst_day(RichMenuEngagement.occurred_at, self.dialect) if daily else literal("")
        rows = await self.session.execute(
            select(
                RichMenuEngagement.kind,
                RichMenuEngagement.area_index,
                day.label("day"),
                func.count(),
                func.count(distinct(RichMenuEngagement.user_pk)),
            )
            .where(self._menu_scope(menu_pk, start, end))
            .group_by(RichMenuEngagement.kind, RichMenuEngagement.area_index, day)
        )
        return {
            (str(kind), area, str(on)): Tally(int(n), int(users))
            for kind, area, on, n, users in rows
        }
