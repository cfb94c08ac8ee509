"""Every query of audiences, their upload jobs, members and shares."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)

from app.kit.repository import Repository
from app.models import (
    Audience,
    AudienceJob,
    AudienceJobStatus,
    AudienceMember,
    AudienceShare,
    AudienceStatus,
    AudienceType,
    Channel,
    ChatTagging,
    Engagement,
    EngagementKind,
    Friendship,
    FriendshipStatus,
    User,
)

# audienceGroupId and audienceGroupJobId are the keys moved into the platform's ranges
# (13 and 8 digits), so no second id has to be stored or looked up.
GROUP_BASE = 1_000_000_000_000
JOB_BASE = 10_000_000
LIFETIME = timedelta(days=180)
STAGING = "audience_upload"


def audience_group_id(audience_pk: int) -> int:
    return GROUP_BASE + audience_pk


def audience_key(group_id: int) -> int | None:
    key = group_id - GROUP_BASE
    return key if 0 < key < 2**62 else None


def job_id(job_pk: int) -> int:
    return JOB_BASE + job_pk


@dataclass(frozen=True)
class AudienceFilter:
    description: str | None = None
    status: AudienceStatus | None = None


class AudienceRepository(Repository):
    async def settle(self, now: datetime, *conditions: ColumnElement[bool]) -> None:
        """Move statuses along Kizuna's clock: IN_PROGRESS → READY, then EXPIRED; WORKING jobs
        → FINISHED. Done when they are read rather than by timers, so advancing the clock
        through the control plane is all it takes."""
        await self.session.execute(
            update(Audience)
            .where(
                Audience.status == AudienceStatus.IN_PROGRESS,
                Audience.ready_at <= now,
                *conditions,
            )
            .values(status=AudienceStatus.READY)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(Audience)
            .where(
                Audience.status.in_((AudienceStatus.READY, AudienceStatus.IN_PROGRESS)),
                Audience.created_at <= now - LIFETIME,
                *conditions,
            )
            .values(status=AudienceStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(AudienceJob)
            .where(
                AudienceJob.status.in_((AudienceJobStatus.QUEUED, AudienceJobStatus.WORKING)),
                AudienceJob.finishes_at <= now,
                AudienceJob.audience_pk.in_(select(Audience.id).where(*conditions)),
            )
            .values(status=AudienceJobStatus.FINISHED)
            .execution_options(synchronize_session=False)
        )

    async def owned(
        self, channel_pk: int, audience_pk: int, *, lock: bool = False
    ) -> Audience | None:
        """The channel's audience; `lock` holds its row until commit, so uploads to one
        audience take turns (members have no unique index to catch a race)."""
        query = (
            select(Audience)
            .where(Audience.id == audience_pk, Audience.channel_pk == channel_pk)
            .execution_options(populate_existing=True)
        )
        return await self.session.scalar(query.with_for_update() if lock else query)

    async def visible(self, channel_pk: int, audience_pk: int) -> Audience | None:
        """The channel's own audience, or one shared with it."""
        return await self.session.scalar(
            select(Audience)
            .where(Audience.id == audience_pk, visible_to(channel_pk))
            .execution_options(populate_existing=True)
        )

    async def count_owned(self, channel_pk: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(Audience).where(Audience.channel_pk == channel_pk)
            )
            or 0
        )

    async def by_request(
        self, channel_pk: int, kind: AudienceType, request_id: str, click_url: str | None
    ) -> bool:
        """Whether an audience of this type was already built from this request (and URL)."""
        query = select(Audience.id).where(
            Audience.channel_pk == channel_pk,
            Audience.type == kind,
            Audience.request_id == request_id,
        )
        query = query.where(
            Audience.click_url.is_(None) if click_url is None else Audience.click_url == click_url
        )
        return await self.session.scalar(query.limit(1)) is not None

    async def page(
        self,
        channel_pk: int,
        found: AudienceFilter,
        *,
        owned: bool,
        shared: bool,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Audience], int, int]:
        """One page (newest first), the total matching, and how many of those are owned."""
        scopes: list[ColumnElement[bool]] = []
        if owned:
            scopes.append(Audience.channel_pk == channel_pk)
        if shared:
            scopes.append(Audience.id.in_(_shared_with(channel_pk)))
        if not scopes:
            return [], 0, 0
        conditions: list[ColumnElement[bool]] = [or_(*scopes)]
        if found.description:
            conditions.append(
                func.lower(Audience.description).contains(
                    found.description.lower(), autoescape=True
                )
            )
        if found.status is not None:
            conditions.append(Audience.status == found.status)
        total, own = (
            await self.session.execute(
                select(
                    func.count(),
                    func.coalesce(
                        func.sum(case((Audience.channel_pk == channel_pk, 1), else_=0)), 0
                    ),
                ).where(*conditions)
            )
        ).one()
        rows = await self.session.scalars(
            select(Audience)
            .where(*conditions)
            .order_by(Audience.created_at.desc(), Audience.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return rows.all(), int(total), int(own)

    async def jobs(self, audience_pk: int, limit: int) -> Sequence[AudienceJob]:
        rows = await self.session.scalars(
            select(AudienceJob)
            .where(AudienceJob.audience_pk == audience_pk)
            .order_by(AudienceJob.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def unfinished_jobs(self, audience_pk: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(AudienceJob)
                .where(
                    AudienceJob.audience_pk == audience_pk,
                    AudienceJob.status.in_((AudienceJobStatus.QUEUED, AudienceJobStatus.WORKING)),
                )
            )
            or 0
        )

    async def count_members(self, audience_pk: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(AudienceMember)
                .where(AudienceMember.audience_pk == audience_pk)
            )
            or 0
        )

    async def add_members(self, audience_pk: int, batches: AsyncIterator[list[str]]) -> None:
        """Add ids batch by batch into a temporary table on the session's own connection (same
        transaction), then move the ones new to the audience over with one INSERT..SELECT.

        On Postgres the batches are COPYed; elsewhere each is one multi-row INSERT.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            await self._copy_members(audience_pk, batches)
            return
        await self.session.execute(
            text(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (member_id TEXT)")
        )
        staged = text(f"INSERT INTO {STAGING} (member_id) VALUES (:member_id)")
        async for batch in batches:
            if batch:
                await self.session.execute(staged, [{"member_id": i} for i in batch])
        # SQLite plans NOT IN over a subquery with an automatic index: n log n.
        await self.session.execute(
            text(
                f"INSERT INTO audience_members (audience_pk, member_id) "
                f"SELECT DISTINCT :audience, member_id FROM {STAGING} WHERE member_id NOT IN "
                f"(SELECT member_id FROM audience_members WHERE audience_pk = :audience)"
            ),
            {"audience": audience_pk},
        )
        await self.session.execute(text(f"DROP TABLE {STAGING}"))

    async def _copy_members(self, audience_pk: int, batches: AsyncIterator[list[str]]) -> None:
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None

        async def records() -> AsyncIterator[tuple[str]]:
            async for batch in batches:
                for member_id in batch:
                    yield (member_id,)

        # A hash of 1.5 million ids fits in this; the default 4 MB would sort on disk.
        await driver.execute("SET LOCAL work_mem = '256MB'")
        await driver.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (member_id text) ON COMMIT DROP"
        )
        await driver.copy_records_to_table(STAGING, records=records(), columns=["member_id"])
        await driver.execute(
            f"INSERT INTO audience_members (audience_pk, member_id) "
            f"SELECT DISTINCT $1::bigint, member_id FROM {STAGING} s WHERE NOT EXISTS "
            f"(SELECT FROM audience_members m WHERE m.audience_pk = $1 "
            f"AND m.member_id = s.member_id)",
            audience_pk,
        )
        await driver.execute(f"TRUNCATE {STAGING}")

    async def members_from_engagement(
        self, audience_pk: int, request_pk: int, kind: EngagementKind, url: str | None
    ) -> None:
        """Everyone who opened (or clicked the URL, or any URL, in) the request's messages."""
        chosen = (
            select(literal(audience_pk), User.user_id)
            .join(Engagement, Engagement.user_pk == User.id)
            .where(Engagement.request_pk == request_pk, Engagement.kind == kind)
            .distinct()
        )
        if url is not None:
            chosen = chosen.where(Engagement.url == url)
        await self.session.execute(
            insert(AudienceMember).from_select(["audience_pk", "member_id"], chosen)
        )

    async def members_from_chat_tag(self, audience_pk: int, channel_pk: int, tag_pk: int) -> None:
        """The friends (not those who blocked the account) whose chat carries the tag."""
        chosen = (
            select(literal(audience_pk), User.user_id)
            .join(ChatTagging, ChatTagging.user_pk == User.id)
            .join(Friendship, Friendship.user_pk == User.id)
            .where(
                ChatTagging.tag_pk == tag_pk,
                Friendship.channel_pk == channel_pk,
                Friendship.status == FriendshipStatus.FOLLOWING,
            )
        )
        await self.session.execute(
            insert(AudienceMember).from_select(["audience_pk", "member_id"], chosen)
        )

    async def delete(self, audience: Audience) -> None:
        await self.session.execute(
            delete(AudienceMember).where(AudienceMember.audience_pk == audience.id)
        )
        await self.session.delete(audience)
        await self.session.flush()

    async def share(self, audience_pk: int, channel_pk: int, now: datetime) -> None:
        await self.session.execute(
            self.insert(AudienceShare)
            .values(audience_pk=audience_pk, channel_pk=channel_pk, shared_at=now)
            .on_conflict_do_nothing()
        )

    async def owners(self, channel_pks: set[int]) -> dict[int, Channel]:
        rows = await self.session.scalars(select(Channel).where(Channel.id.in_(channel_pks)))
        return {channel.id: channel for channel in rows}


def _shared_with(channel_pk: int) -> Select[Any]:
    return select(AudienceShare.audience_pk).where(AudienceShare.channel_pk == channel_pk)


def visible_to(channel_pk: int) -> ColumnElement[bool]:
    return or_(Audience.channel_pk == channel_pk, Audience.id.in_(_shared_with(channel_pk)))
