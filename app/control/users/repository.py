from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import CursorResult

from app.control.users import population
from app.kit.repository import Repository
from app.models import (
    Friendship,
    FriendshipEvent,
    FriendshipEventKind,
    FriendshipStatus,
    User,
)


class UserRepository(Repository):
    async def get_by_user_id(self, user_id: str) -> User | None:
        return await self.session.scalar(select(User).where(User.user_id == user_id))

    async def by_phone_hash(self, digest: str) -> User | None:
        return await self.session.scalar(select(User).where(User.phone_hash == digest))

    async def friendship(self, channel_pk: int, user_pk: int) -> Friendship | None:
        return await self.session.scalar(
            select(Friendship).where(
                Friendship.channel_pk == channel_pk, Friendship.user_pk == user_pk
            )
        )

    async def add_friendship(self, channel_pk: int, user_pk: int, now: datetime) -> bool:
        """A first follow; False if the user had added the account already (perhaps a
        concurrent request just did)."""
        result = await self.session.execute(
            self.insert(Friendship)
            .values(
                channel_pk=channel_pk,
                user_pk=user_pk,
                status=FriendshipStatus.FOLLOWING,
                followed_at=now,
                since=now,
            )
            .on_conflict_do_nothing()
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def unblock(self, channel_pk: int, user_pk: int, now: datetime) -> bool:
        """Blocked to following; False if the user was not blocked (or a concurrent request
        unblocked first): of concurrent unblocks one changes it."""
        result = await self.session.execute(
            update(Friendship)
            .where(
                Friendship.channel_pk == channel_pk,
                Friendship.user_pk == user_pk,
                Friendship.status == FriendshipStatus.BLOCKED,
            )
            .values(status=FriendshipStatus.FOLLOWING, since=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def fresh_friendship(self, channel_pk: int, user_pk: int) -> Friendship:
        friendship = await self.session.scalar(
            select(Friendship)
            .where(Friendship.channel_pk == channel_pk, Friendship.user_pk == user_pk)
            .execution_options(populate_existing=True)
        )
        assert friendship is not None
        return friendship

    async def record_event(
        self, channel_pk: int, user_pk: int, kind: FriendshipEventKind, at: datetime
    ) -> None:
        self.session.add(
            FriendshipEvent(channel_pk=channel_pk, user_pk=user_pk, kind=kind, occurred_at=at)
        )
        await self.session.flush()

    async def friend(self, channel_pk: int, user_id: str) -> User | None:
        """The user, if they currently have the channel's account as a friend."""
        return await self.session.scalar(
            select(User)
            .join(Friendship, Friendship.user_pk == User.id)
            .where(
                User.user_id == user_id,
                Friendship.channel_pk == channel_pk,
                Friendship.status == FriendshipStatus.FOLLOWING,
            )
        )

    async def follower_page(
        self, channel_pk: int, after: int, limit: int
    ) -> Sequence[tuple[int, str]]:
        """(friendship key, user id) of followers after a key, in a stable order."""
        rows = await self.session.execute(
            select(Friendship.id, User.user_id)
            .join(User, User.id == Friendship.user_pk)
            .where(
                Friendship.channel_pk == channel_pk,
                Friendship.status == FriendshipStatus.FOLLOWING,
                Friendship.id > after,
            )
            .order_by(Friendship.id)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows]

    async def seed_friends(self, channel_pk: int, count: int, seed: int, now: datetime) -> int:
        """Create `count` users drawn from `seed` and make them friends of the channel, in SQL.

        Returns the key of the last user that existed before, so callers can find the batch.
        """
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            # New rows must be the only ones above the current maximum key until commit.
            await self.session.execute(text("LOCK TABLE users IN EXCLUSIVE MODE"))
            if await self.session.scalar(text(_MAY_SKIP_TRIGGERS)):
                # Every row written here references the channel (held below, as the foreign
                # key's own check would) or a user written just before: the per-row triggers
                # prove nothing and cost a third of the time. SET LOCAL: this transaction only.
                await self.session.execute(
                    text("SELECT 1 FROM channels WHERE id = :pk FOR KEY SHARE"), {"pk": channel_pk}
                )
                await self.session.execute(text("SET LOCAL session_replication_role = replica"))
        before = int(await self.session.scalar(select(func.coalesce(func.max(User.id), 0))) or 0)
        position = f"({before} + g)"
        if dialect == "postgresql":
            series, ctes = "generate_series(1, :count) AS s(g)", "WITH "
            followed_at = "CAST(:now AS timestamptz) - make_interval(secs => {age})"
        else:
            series = "s"
            ctes = (
                "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :count), "
            )
            followed_at = "datetime(:now, '-' || {age} || ' seconds')"
        drawn = population.PopulationSql("h", dialect)
        # MATERIALIZED: one md5 per row, however many expressions read its pieces.
        await self.session.execute(
            text(
                f"{ctes}drawn AS MATERIALIZED (SELECT {position} AS position, "
                f"md5(:salt || ':' || {position}) AS h FROM {series}) "
                "INSERT INTO users (user_id, display_name, gender, age, area, app_type, "
                "language, created_at) "
                f"SELECT 'U' || h, 'Friend ' || position, {drawn.gender()}, {drawn.age()}, "
                f"{drawn.area()}, {drawn.app_type()}, {drawn.language()}, :now FROM drawn"
            ),
            {"count": count, "salt": str(seed), "now": _sql_time(now, dialect)},
        )
        age = population.PopulationSql("substr(u.user_id, 2)", dialect).friend_age_seconds()
        friend_since = followed_at.format(age=age)
        await self.session.execute(
            text(
                "INSERT INTO friendships (channel_pk, user_pk, status, followed_at, since) "
                f"SELECT :channel_pk, u.id, 'following', {friend_since}, {friend_since} "
                "FROM users u WHERE u.id > :before"
            ),
            {"channel_pk": channel_pk, "before": before, "now": _sql_time(now, dialect)},
        )
        await self.session.execute(
            text(
                "INSERT INTO friendship_events (channel_pk, user_pk, kind, occurred_at) "
                "SELECT channel_pk, user_pk, 'follow', followed_at FROM friendships "
                "WHERE channel_pk = :channel_pk AND user_pk > :before"
            ),
            {"channel_pk": channel_pk, "before": before},
        )
        return before


_MAY_SKIP_TRIGGERS = (
    "SELECT rolsuper OR has_parameter_privilege('session_replication_role', 'SET') "
    "FROM pg_roles WHERE rolname = current_user"
)


def _sql_time(at: datetime, dialect: str) -> datetime | str:
    # SQLite keeps naive UTC text, the same form UTCDateTime writes.
    return at.replace(tzinfo=None).isoformat(sep=" ") if dialect == "sqlite" else at
