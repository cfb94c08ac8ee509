"""The rules of audiences: who may upload what, when an audience is READY, what is shown."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from app.api.audience.repository import (
    LIFETIME,
    AudienceFilter,
    AudienceRepository,
    audience_group_id,
    audience_key,
    job_id,
    visible_to,
)
from app.api.audience.schemas import (
    AudienceDataResponse,
    AudienceGroupsResponse,
    AudienceGroupView,
    AudienceJobView,
    CreatedAudienceResponse,
    OwnerView,
    SharedAudienceDataResponse,
)
from app.delivery.repository import DeliveryRepository
from app.kit.errors import BadRequest, ErrorDetail, TooManyRequests
from app.kit.uow import UnitOfWork
from app.models import (
    Audience,
    AudienceFailedType,
    AudienceJob,
    AudienceJobStatus,
    AudienceStatus,
    AudienceType,
    Channel,
    EngagementKind,
    SendKind,
)

MAX_AUDIENCES = 1_000
MAX_UNFINISHED_JOBS = 10
MAX_JOBS_SHOWN = 50
ENGAGEMENT_WINDOW = timedelta(days=60)
GROUP_ID = "audienceGroupId"
# Shared audiences come from another Kizuna channel; the platform names the owning service.
OWNER_SERVICE = "messaging_api"


def not_found(prop: str = GROUP_ID) -> BadRequest:
    return BadRequest("audience group not found", [ErrorDetail("AUDIENCE_GROUP_NOT_FOUND", prop)])


def check_description(description: str, prop: str = "description") -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in description):
        raise BadRequest(
            "The audience's name contains an invalid character",
            [ErrorDetail("AUDIENCE_GROUP_NAME_WRONG", prop)],
        )
    return description


def unix(at: datetime) -> int:
    return int(at.timestamp())


class AudienceService:
    def __init__(self, uow: UnitOfWork, channel: Channel) -> None:
        self.uow = uow
        self.channel = channel
        self.clock = uow.services.clock
        self.ready_after = timedelta(seconds=uow.services.settings.audience_ready_seconds)
        self.audiences = AudienceRepository(uow.session)

    # --- creating -----------------------------------------------------------------------------

    async def _new(
        self,
        kind: AudienceType,
        description: str,
        *,
        is_ifa: bool = False,
        request_id: str | None = None,
        click_url: str | None = None,
    ) -> Audience:
        check_description(description)
        if await self.audiences.count_owned(self.channel.id) >= MAX_AUDIENCES:
            raise BadRequest(
                f"You have already created the maximum number of audiences ({MAX_AUDIENCES:,})",
                [ErrorDetail("AUDIENCE_GROUP_COUNT_MAX_OVER", "description")],
            )
        now = self.clock.now()
        ready = not self.ready_after
        return await self.audiences.add(
            Audience(
                channel_pk=self.channel.id,
                type=kind,
                description=description,
                status=AudienceStatus.READY if ready else AudienceStatus.IN_PROGRESS,
                is_ifa=is_ifa,
                request_id=request_id,
                click_url=click_url,
                audience_count=0,
                created_at=now,
                ready_at=now + self.ready_after,
            )
        )

    async def create_upload(
        self,
        description: str,
        *,
        is_ifa: bool,
        upload_description: str | None,
        batches: AsyncIterator[list[str]] | None,
    ) -> Audience:
        """An audience for uploading ids; with ids, its first upload job."""
        audience = await self._new(AudienceType.UPLOAD, description, is_ifa=is_ifa)
        if batches is not None:
            await self._upload(audience, upload_description, batches)
        return audience

    async def uploadable(self, group_id: int, prop: str = GROUP_ID) -> Audience:
        """An audience of this channel that takes more ids now (or the platform's 4xx)."""
        audience = await self._owned(group_id, prop, lock=True)
        if audience.type != AudienceType.UPLOAD:
            raise BadRequest(
                "Only an audience for uploading user IDs takes more IDs",
                [ErrorDetail("AUDIENCE_GROUP_CAN_NOT_UPLOAD", prop)],
            )
        if audience.status in (AudienceStatus.EXPIRED, AudienceStatus.FAILED):
            raise BadRequest(
                f"An audience whose status is {audience.status.value} takes no more IDs",
                [
                    ErrorDetail(
                        f"AUDIENCE_GROUP_CAN_NOT_UPLOAD_STATUS_{audience.status.value}", prop
                    )
                ],
            )
        if await self.audiences.unfinished_jobs(audience.id) >= MAX_UNFINISHED_JOBS:
            raise TooManyRequests(
                f"At most {MAX_UNFINISHED_JOBS} upload jobs can run at once for an audience",
                [ErrorDetail("AUDIENCE_GROUP_UPLOAD_JOB_LIMIT", prop)],
            )
        return audience

    async def add(
        self,
        audience: Audience,
        upload_description: str | None,
        batches: AsyncIterator[list[str]],
    ) -> AudienceJob:
        return await self._upload(audience, upload_description, batches)

    async def _upload(
        self,
        audience: Audience,
        upload_description: str | None,
        batches: AsyncIterator[list[str]],
    ) -> AudienceJob:
        """One upload job. The ids reach the database before the 202, so a job needs no worker
        (and no shared disk): it is WORKING until Kizuna's clock passes its end."""
        now = self.clock.now()
        job = await self.audiences.add(
            AudienceJob(
                audience_pk=audience.id,
                description=upload_description,
                status=(
                    AudienceJobStatus.WORKING if self.ready_after else AudienceJobStatus.FINISHED
                ),
                audience_count=0,
                created_at=now,
                finishes_at=now + self.ready_after,
            )
        )
        await self.audiences.add_members(audience.id, batches)
        total = await self.audiences.count_members(audience.id)
        job.audience_count = total - audience.audience_count
        if job.audience_count == 0:
            job.failed_type = AudienceFailedType.AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT
        audience.audience_count = total
        return job

    async def create_from_engagement(
        self, kind: AudienceType, description: str, request_id: str, click_url: str | None
    ) -> Audience:
        """A click- or impression-based audience: who clicked (that URL, or any) or opened the
        messages of a broadcast or narrowcast of the last 60 days, as recorded so far."""
        check_description(description)
        now = self.clock.now()
        sent = await DeliveryRepository(self.uow.session).request_by_id(self.channel.id, request_id)
        if (
            sent is None
            or sent.kind not in (SendKind.BROADCAST, SendKind.NARROWCAST)
            or sent.accepted_at < now - ENGAGEMENT_WINDOW
        ):
            raise BadRequest(
                "The request ID is not a broadcast or narrowcast of the last 60 days",
                [ErrorDetail("AUDIENCE_GROUP_REQUESTID_INVALID", "requestId")],
            )
        if await self.audiences.by_request(self.channel.id, kind, request_id, click_url):
            raise BadRequest(
                "There is already an audience with the specified request ID",
                [ErrorDetail("AUDIENCE_GROUP_REQUESTID_DUPLICATE", "requestId")],
            )
        audience = await self._new(kind, description, request_id=request_id, click_url=click_url)
        engagement = EngagementKind.CLICK if kind == AudienceType.CLICK else EngagementKind.OPEN
        await self.audiences.members_from_engagement(audience.id, sent.id, engagement, click_url)
        audience.audience_count = await self.audiences.count_members(audience.id)
        if audience.audience_count == 0:
            audience.status = AudienceStatus.FAILED
            audience.failed_type = AudienceFailedType.AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT
            audience.ready_at = None
        return audience

    async def create_from_chat_tag(self, description: str, tag_pk: int) -> Audience:
        """A chat tag audience: the friends whose one-to-one chat carries the tag now (the
        Official Account Manager makes these; the API lists and narrowcasts to them)."""
        audience = await self._new(AudienceType.CHAT_TAG, description)
        await self.audiences.members_from_chat_tag(audience.id, self.channel.id, tag_pk)
        audience.audience_count = await self.audiences.count_members(audience.id)
        if audience.audience_count == 0:
            audience.status = AudienceStatus.FAILED
            audience.failed_type = AudienceFailedType.AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT
            audience.ready_at = None
        return audience

    # --- changing -----------------------------------------------------------------------------

    async def _owned(self, group_id: int, prop: str = GROUP_ID, *, lock: bool = False) -> Audience:
        key = audience_key(group_id)
        if key is None:
            raise not_found(prop)
        await self.audiences.settle(self.clock.now(), Audience.id == key)
        audience = await self.audiences.owned(self.channel.id, key, lock=lock)
        if audience is None:
            raise not_found(prop)
        return audience

    async def rename(self, group_id: int, description: str) -> None:
        (await self._owned(group_id)).description = check_description(description)

    async def delete(self, group_id: int) -> None:
        await self.audiences.delete(await self._owned(group_id))

    # --- reading ------------------------------------------------------------------------------

    def created(self, audience: Audience) -> CreatedAudienceResponse:
        return CreatedAudienceResponse(
            audience_group_id=audience_group_id(audience.id),
            type=audience.type,
            description=audience.description,
            created=unix(audience.created_at),
            expire_timestamp=unix(audience.created_at + LIFETIME),
            is_ifa_audience=audience.is_ifa,
            request_id=audience.request_id,
            click_url=audience.click_url,
        )

    def view(self, audience: Audience) -> AudienceGroupView:
        return AudienceGroupView(
            audience_group_id=audience_group_id(audience.id),
            type=audience.type,
            description=audience.description,
            status=audience.status,
            failed_type=audience.failed_type,
            audience_count=audience.audience_count,
            created=unix(audience.created_at),
            request_id=audience.request_id,
            click_url=audience.click_url,
            is_ifa_audience=audience.is_ifa,
            permission="READ_WRITE" if audience.channel_pk == self.channel.id else "READ",
            expire_timestamp=unix(audience.created_at + LIFETIME),
        )

    async def _jobs(self, audience: Audience) -> list[AudienceJobView]:
        return [
            AudienceJobView(
                audience_group_job_id=job_id(job.id),
                audience_group_id=audience_group_id(audience.id),
                description=job.description,
                job_status=job.status,
                failed_type=job.failed_type,
                audience_count=job.audience_count,
                created=unix(job.created_at),
            )
            for job in await self.audiences.jobs(audience.id, MAX_JOBS_SHOWN)
        ]

    async def data(self, group_id: int) -> AudienceDataResponse:
        audience = await self._owned(group_id)
        return AudienceDataResponse(
            audience_group=self.view(audience), jobs=await self._jobs(audience)
        )

    async def shared_data(self, group_id: int) -> SharedAudienceDataResponse:
        key = audience_key(group_id)
        if key is not None:
            await self.audiences.settle(self.clock.now(), Audience.id == key)
        audience = await self.audiences.visible(self.channel.id, key) if key else None
        if audience is None:
            raise not_found()
        owner = (await self.audiences.owners({audience.channel_pk}))[audience.channel_pk]
        return SharedAudienceDataResponse(
            audience_group=self.view(audience),
            jobs=await self._jobs(audience),
            owner=OwnerView(service_type=OWNER_SERVICE, id=owner.channel_id, name=owner.name),
        )

    async def page(
        self, found: AudienceFilter, page: int, size: int, *, owned: bool, shared: bool
    ) -> AudienceGroupsResponse:
        await self.audiences.settle(self.clock.now(), visible_to(self.channel.id))
        rows, total, own = await self.audiences.page(
            self.channel.id, found, owned=owned, shared=shared, offset=(page - 1) * size, limit=size
        )
        return AudienceGroupsResponse(
            audience_groups=[self.view(audience) for audience in rows],
            has_next_page=page * size < total,
            total_count=total,
            read_write_audience_group_total_count=own,
            page=page,
            size=size,
        )
